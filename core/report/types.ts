/** Public types of the leaderboard and the HTML report (issue 9). */

export type ReportMetricName =
  | 'val_accuracy'
  | 'val_loss'
  | 'test_accuracy'
  | 'val_rmse'
  | 'val_mae'
  | 'val_r2';

/** What the sweep's data set asks of its trials: class ids, or a number in the target's own units. */
export type ReportTask = 'classification' | 'regression';

/** A regression's headline errors, in the target's own units (R² has none). */
export const REGRESSION_COLUMNS = [
  'val_rmse',
  'val_mae',
  'val_r2',
  'test_rmse',
  'test_mae',
  'test_r2',
] as const;
export type RegressionColumn = (typeof REGRESSION_COLUMNS)[number];

/** What the report needs to know about the sweep itself (a subset of the stored sweep file). */
export interface ReportSweep {
  sweep_id: string;
  name: string;
  metric: { name: ReportMetricName; goal: 'maximize' | 'minimize' };
  /** The sweep's search space as written (only its key order is used: it orders the parameter columns). */
  parameters?: Record<string, unknown>;
  started_at?: string;
  finished_at?: string;
  dataset?: { name: string; version?: string };
}

export interface LeaderboardRow {
  /** 1-based, unique: ties on the metric are broken by lower cost, then shorter wall time, then index. */
  rank: number;
  trial_id: string;
  /** The varying parameters only, as display values (arrays joined, objects as canonical JSON). */
  params: Record<string, string | number | boolean>;
  /** The sweep's metric; null when the trial has none: failed, skipped, diverged (or not finite). */
  metric: number | null;
  val_accuracy: number | null;
  test_accuracy: number | null;
  val_loss: number | null;
  /** Regression: errors in the target's units and R² (null for a classification). */
  val_rmse: number | null;
  val_mae: number | null;
  val_r2: number | null;
  test_rmse: number | null;
  test_mae: number | null;
  test_r2: number | null;
  epochs_run: number;
  state: string;
  reason?: string;
  wall_s: number;
  samples_per_s: number;
  cost_usd: number;
  weights_key?: string;
}

export interface Leaderboard {
  sweep: ReportSweep;
  /** Regression when the sweep ranks by a regression metric or its trials report one; else classification. */
  task: ReportTask;
  /** Config keys whose canonical-JSON value differs between at least two trials, in column order. */
  varying: string[];
  rows: LeaderboardRow[];
  /** Trials per state; `pending` = expectedTrials − results (only when expectedTrials is given). */
  counts: Record<string, number>;
  total_cost_usd: number;
  /** Sum of the trials' training wall times, seconds. */
  total_compute_s: number;
  /** Sweep wall time, seconds: finished_at − started_at of the sweep, else the span of the trials. */
  wall_s: number | null;
  /** The rank-1 row, when it has a metric. */
  best?: LeaderboardRow;
}

/** A small look at the data set for the report's "data at a glance" section. */
export interface DatasetPreview {
  name: string;
  /** Classes' counts per split (a regression table has none). */
  class_histogram: { train: number[]; test: number[] };
  /** u8 pixels (rows·cols, row-major, 0 = background), base64 (a table has none). */
  samples: { label: number; pixels_b64: string }[];
  rows: number;
  cols: number;
  /** A table: its columns as prepared, and its label. */
  table?: TablePreview;
}

/** A table data set as prepared: what each column became, and the label (manifest.ts's recipe). */
export interface TablePreview {
  task: ReportTask;
  inputs: number;
  rows: { train: number; test: number };
  label: string;
  /** Classification: the label's value of each class id. */
  classes?: string[];
  /** Regression: the target's statistics over the training rows. */
  target?: { mean: number; std: number; min: number; max: number };
  columns: {
    column: string;
    type: 'numeric' | 'categorical';
    /** Numeric: mean ± std (median imputes); categorical: the categories kept. */
    summary: string;
    missing: { train: number; test: number };
  }[];
  dropped: { column: string; reason: string }[];
}
