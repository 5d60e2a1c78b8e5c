import type { TrialConfig } from './config.ts';
import type { TrialState } from './trial-state.ts';

/**
 * Metrics of one epoch. Layer-indexed arrays run input→output over the weight matrices. A regression has no
 * accuracies (NaN, JSON null) and carries val_rmse / val_mae / val_r2 instead, in the target's own units.
 */
export interface EpochMetrics {
  epoch: number; // 1-based
  train_loss: number;
  train_accuracy: number;
  val_loss: number;
  val_accuracy: number;
  /** Regression only: root mean squared and mean absolute error of the validation rows, in the target's units. */
  val_rmse?: number;
  val_mae?: number;
  /** Regression only: coefficient of determination 1 − SS_res/SS_tot over the validation rows. */
  val_r2?: number;
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

/** A table row as the source had it: each column's value (numbers in their own units, categories by name). */
export type TableRowValues = Record<string, number | string | null>;

export interface ConfidentlyWrong {
  index: number; // index into the test split
  label: number;
  predicted: number;
  probability: number; // probability given to `predicted`
  /** Images: rows·cols u8 pixels, base64 — so the report can draw it without the data set. */
  pixels_b64?: string;
  /** Tables: the row's features, back in the source's terms (core/data/tabular/decode.ts). */
  row?: TableRowValues;
}

/** Test metrics of a classification (images or a table). */
export interface TestMetrics {
  task?: 'classification';
  accuracy: number;
  loss: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  report: ClassificationReport;
  confidently_wrong: ConfidentlyWrong[];
  /** Tables: the label's value of each class id, as the source wrote it. */
  class_names?: string[];
}

/** One test row of a regression: the target and the prediction, in the target's own units. */
export interface RegressionRow {
  index: number; // index into the test split
  actual: number;
  predicted: number;
  row?: TableRowValues;
}

/** Test metrics of a regression; errors in the target's own units, `loss` on the standardised target. */
export interface RegressionTestMetrics {
  task: 'regression';
  loss: number;
  rmse: number;
  mae: number;
  r2: number;
  /** The target's name (the label column). */
  target: string;
  /** At most REGRESSION_POINTS test rows, evenly spaced by index: the predicted-vs-actual and residual plots. */
  points: RegressionRow[];
  /** The rows with the largest absolute error, largest first (ties: lower index). */
  worst: RegressionRow[];
}

export type AnyTestMetrics = TestMetrics | RegressionTestMetrics;

export const isRegressionTest = (t: AnyTestMetrics): t is RegressionTestMetrics => t.task === 'regression';

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
  test?: AnyTestMetrics;
  /** Convenience copies of the headline metrics of the last epoch / the test set. */
  train_accuracy?: number;
  val_accuracy?: number;
  val_loss?: number;
  test_accuracy?: number;
  test_loss?: number;
  /** Regression: errors in the target's own units, and R² (last epoch's validation rows; the test rows). */
  val_rmse?: number;
  val_mae?: number;
  val_r2?: number;
  test_rmse?: number;
  test_mae?: number;
  test_r2?: number;
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

/**
 * A result without its large parts (confidently-wrong images or rows, a regression's plotted rows): what the
 * aggregate keeps and messages carry.
 */
export function slimResult(r: TrialResult): TrialResult {
  if (!r.test) return r;
  if (isRegressionTest(r.test)) return { ...r, test: { ...r.test, points: [], worst: [] } };
  return { ...r, test: { ...r.test, confidently_wrong: [] } };
}
