/** The normalised sweep: whatever the input format (ours or W&B), this is what the service runs. */
import type { TrialConfig } from '../config.ts';

export const METRIC_NAMES = [
  'val_accuracy',
  'val_loss',
  'test_accuracy',
  'val_rmse',
  'val_mae',
  'val_r2',
] as const;
/** Metrics of a regression only (a classification's are the accuracies; val_loss is both's). */
export const REGRESSION_METRICS: readonly MetricName[] = ['val_rmse', 'val_mae', 'val_r2'];
export type MetricName = (typeof METRIC_NAMES)[number];
export interface MetricSpec {
  name: MetricName;
  goal: 'maximize' | 'minimize';
}

export interface EarlyTerminate {
  type: 'asha' | 'hyperband';
  /** First rung (epoch, 1-based). */
  min_iter: number;
  /** Reduction factor (> 1): the top 1/η of a rung continue. */
  eta: number;
  /** Last rung allowed (epoch). */
  max_iter: number;
}

/** Every distribution name we accept (W&B's list, plus its beta/q_beta). */
export const DISTRIBUTIONS = [
  'constant',
  'categorical',
  'categorical_w_probabilities',
  'int_uniform',
  'uniform',
  'q_uniform',
  'log_uniform',
  'log_uniform_values',
  'q_log_uniform',
  'q_log_uniform_values',
  'inv_log_uniform',
  'inv_log_uniform_values',
  'normal',
  'q_normal',
  'log_normal',
  'q_log_normal',
  'beta',
  'q_beta',
] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/**
 * A parameter is active only when, for every key of `when`, the trial's value of that key is one of the
 * listed values (values are compared in canonical form). Normalised form: always arrays.
 */
export type Condition = Record<string, unknown[]>;

interface Base {
  when?: Condition;
}
export type RangeDistribution =
  | 'int_uniform'
  | 'uniform'
  | 'log_uniform'
  | 'log_uniform_values'
  | 'inv_log_uniform'
  | 'inv_log_uniform_values';
export type QRangeDistribution = 'q_uniform' | 'q_log_uniform' | 'q_log_uniform_values';

export type ParamSpec =
  | (Base & { distribution: 'constant'; value: unknown })
  | (Base & { distribution: 'categorical'; values: unknown[] })
  | (Base & { distribution: 'categorical_w_probabilities'; values: unknown[]; probabilities: number[] })
  | (Base & { distribution: RangeDistribution; min: number; max: number })
  | (Base & { distribution: QRangeDistribution; min: number; max: number; q: number })
  | (Base & { distribution: 'normal' | 'log_normal'; mu: number; sigma: number })
  | (Base & { distribution: 'q_normal' | 'q_log_normal'; mu: number; sigma: number; q: number })
  | (Base & { distribution: 'beta'; a: number; b: number })
  | (Base & { distribution: 'q_beta'; a: number; b: number; q: number });

export interface PriceTable {
  /** Lambda compute, USD per GB-second, by architecture. */
  arm64_gb_s: number;
  x86_64_gb_s: number;
  /** Lambda, USD per request (invocation). */
  request: number;
  /** SQS standard queue, USD per request (send / receive / delete, 64 KB chunk). */
  sqs_request: number;
  /** S3 Standard PUT/COPY/POST/LIST, USD per request. */
  s3_put: number;
  /** S3 Standard GET/SELECT, USD per request. */
  s3_get: number;
}

export interface Sweep {
  name: string;
  dataset: { name: string; version?: string };
  metric: MetricSpec;
  method: 'grid' | 'random';
  /** Seed of random sampling (default 0). */
  seed: number;
  /** Keys are canonical TrialConfig keys. */
  parameters: Record<string, ParamSpec>;
  max_trials?: number;
  max_concurrency?: number;
  max_cost_usd?: number;
  max_minutes?: number;
  early_terminate?: EarlyTerminate;
  /** Overrides of the price table. */
  price?: Partial<PriceTable>;
  source_format: 'native' | 'wandb';
}

export interface TrialSpec {
  trial_id: string;
  index: number;
  config: TrialConfig;
}
