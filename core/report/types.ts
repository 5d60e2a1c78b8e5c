/** Public types of the leaderboard and the HTML report (issue 9). */

export type ReportMetricName = 'val_accuracy' | 'val_loss' | 'test_accuracy';

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
  class_histogram: { train: number[]; test: number[] };
  /** u8 pixels (rows·cols, row-major, 0 = background), base64. */
  samples: { label: number; pixels_b64: string }[];
  rows: number;
  cols: number;
}
