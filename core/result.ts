import type { TrialConfig } from './config.ts';
import type { TrialState } from './trial-state.ts';

/** Metrics of one epoch. Layer-indexed arrays run input→output over the weight matrices. */
export interface EpochMetrics {
  epoch: number; // 1-based
  train_loss: number;
  train_accuracy: number;
  val_loss: number;
  val_accuracy: number;
  learning_rate: number;
  wall_s: number;
  samples_per_s: number;
  /** Frobenius norm of each layer's weight matrix at the end of the epoch. */
  weight_norms: number[];
  /** Mean over the epoch's batches of each layer's weight-gradient Frobenius norm. */
  grad_norms: number[];
}

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** A classification report as scikit-learn prints it. */
export interface ClassificationReport {
  perClass: ClassReport[];
  accuracy: number;
  macro: ClassReport;
  weighted: ClassReport;
}

export interface ConfidentlyWrong {
  index: number; // index into the test split
  label: number;
  predicted: number;
  probability: number; // probability given to `predicted`
  /** rows·cols u8 pixels, base64 — so the report can draw it without the data set. */
  pixels_b64: string;
}

export interface TestMetrics {
  accuracy: number;
  loss: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  report: ClassificationReport;
  confidently_wrong: ConfidentlyWrong[];
}

/** The one record a trial leaves behind (`sweeps/<id>/trials/<trial>/result.json`). */
export interface TrialResult {
  sweep_id: string;
  trial_id: string;
  /** Position of the trial in the sweep's expansion. */
  index: number;
  config: TrialConfig;
  state: TrialState;
  /** Why a trial is failed / skipped / pruned / diverged, in words. */
  reason?: string;
  epochs_run: number;
  history: EpochMetrics[];
  test?: TestMetrics;
  /** Convenience copies of the headline metrics of the last epoch / the test set. */
  train_accuracy?: number;
  val_accuracy?: number;
  val_loss?: number;
  test_accuracy?: number;
  test_loss?: number;
  /** Training wall time summed over all invocations (epochs: training + validation), seconds. */
  wall_s: number;
  /** Wall time of the final test-set evaluation, seconds (part of the trial's compute, not in wall_s). */
  eval_s?: number;
  samples_per_s: number;
  /** Billed Lambda-style duration over all invocations, ms, and its cost. */
  billed_ms: number;
  memory_mb: number;
  cost_usd: number;
  /** Number of invocations (1 + continuations). */
  invocations: number;
  /** Store key of the weights, when written. */
  weights_key?: string;
  started_at: string;
  finished_at: string;
  worker?: string;
}

/** A result without its (large) confidently-wrong images: what the aggregate keeps and messages carry. */
export function slimResult(r: TrialResult): TrialResult {
  if (!r.test) return r;
  return { ...r, test: { ...r.test, confidently_wrong: [] } };
}
