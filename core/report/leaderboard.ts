/** The leaderboard: ranking by the sweep's metric and the parameters that vary across the sweep. */
import { canonicalJson } from '../canonical.ts';
import { TRIAL_CONFIG_KEYS } from '../config.ts';
import { isRegressionTest, type TrialResult } from '../result.ts';
import { TRIAL_STATES } from '../trial-state.ts';
import type {
  Leaderboard,
  LeaderboardRow,
  RegressionColumn,
  ReportMetricName,
  ReportSweep,
  ReportTask,
} from './types.ts';

/** JSON with object keys sorted at every level: equal values ⇔ equal strings. `undefined` → "null". */
export { canonicalJson };

/**
 * Config keys whose value differs (by canonical JSON) between at least two of the trials. Ordered as the
 * sweep's `parameters` lists them, then in the config schema's key order, then alphabetically.
 */
export function varyingParameters(
  configs: readonly Record<string, unknown>[],
  order: readonly string[] = [],
): string[] {
  const keys = new Set<string>();
  for (const c of configs) for (const k of Object.keys(c)) keys.add(k);
  const varying: string[] = [];
  for (const k of keys) {
    const first = configs.length > 0 ? canonicalJson(configs[0]![k]) : '';
    if (configs.some((c) => canonicalJson(c[k]) !== first)) varying.push(k);
  }
  const schemaOrder = TRIAL_CONFIG_KEYS as readonly string[];
  const pos = (k: string): [number, number, string] => {
    const a = order.indexOf(k);
    const b = schemaOrder.indexOf(k);
    return [a < 0 ? Number.MAX_SAFE_INTEGER : a, b < 0 ? Number.MAX_SAFE_INTEGER : b, k];
  };
  return varying.sort((x, y) => {
    const [a1, b1, k1] = pos(x);
    const [a2, b2, k2] = pos(y);
    return a1 - a2 || b1 - b2 || (k1 < k2 ? -1 : k1 > k2 ? 1 : 0);
  });
}

/** A config value as one table cell: layers "784-128-10", lists "relu,tanh", objects as canonical JSON. */
export function displayParam(value: unknown): string | number | boolean {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number' && Number.isInteger(v))) return value.join('-');
    if (value.every((v) => typeof v !== 'object')) return value.map(String).join(',');
  }
  return canonicalJson(value);
}

const finite = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The headline metrics of a result: its convenience copies, else the last epoch / the test block. */
export function headline(r: TrialResult): Record<ReportMetricName | RegressionColumn, number | null> {
  const last = r.history.length > 0 ? r.history[r.history.length - 1] : undefined;
  const t = r.test;
  const reg = t && isRegressionTest(t) ? t : undefined;
  return {
    val_accuracy: finite(r.val_accuracy) ?? finite(last?.val_accuracy),
    val_loss: finite(r.val_loss) ?? finite(last?.val_loss),
    test_accuracy: finite(r.test_accuracy) ?? (t && !isRegressionTest(t) ? finite(t.accuracy) : null),
    val_rmse: finite(r.val_rmse) ?? finite(last?.val_rmse),
    val_mae: finite(r.val_mae) ?? finite(last?.val_mae),
    val_r2: finite(r.val_r2) ?? finite(last?.val_r2),
    test_rmse: finite(r.test_rmse) ?? finite(reg?.rmse),
    test_mae: finite(r.test_mae) ?? finite(reg?.mae),
    test_r2: finite(r.test_r2) ?? finite(reg?.r2),
  };
}

/** A metric column of the leaderboard: its row key, a short label, and how its values read. */
export interface MetricColumn {
  key: ReportMetricName | RegressionColumn;
  label: string;
  /** `fraction`: accuracies, R², losses (4 decimals); `units`: errors in the target's own units (4 digits). */
  style: 'fraction' | 'units';
}

/** The metric columns by task, in order (a regression's errors are in its target's own units). */
export const METRIC_COLUMNS: Record<ReportTask, readonly MetricColumn[]> = {
  classification: [
    { key: 'val_accuracy', label: 'val acc', style: 'fraction' },
    { key: 'test_accuracy', label: 'test acc', style: 'fraction' },
    { key: 'val_loss', label: 'val loss', style: 'fraction' },
  ],
  regression: [
    { key: 'val_rmse', label: 'val RMSE', style: 'units' },
    { key: 'val_mae', label: 'val MAE', style: 'units' },
    { key: 'val_r2', label: 'val R²', style: 'fraction' },
    { key: 'test_rmse', label: 'test RMSE', style: 'units' },
    { key: 'test_mae', label: 'test MAE', style: 'units' },
    { key: 'test_r2', label: 'test R²', style: 'fraction' },
    { key: 'val_loss', label: 'val loss', style: 'fraction' },
  ],
};

const REGRESSION_METRIC_NAMES: ReadonlySet<string> = new Set(['val_rmse', 'val_mae', 'val_r2']);

/** A regression sweep ranks by a regression metric, or its trials carry regression results. */
export function reportTask(sweep: ReportSweep, results: readonly TrialResult[]): ReportTask {
  if (REGRESSION_METRIC_NAMES.has(sweep.metric.name)) return 'regression';
  const regression = (r: TrialResult) =>
    r.test?.task === 'regression' ||
    r.val_rmse !== undefined ||
    r.history.some((e) => e.val_rmse !== undefined);
  return results.some(regression) ? 'regression' : 'classification';
}

/**
 * States whose numbers are not a result: a failed or skipped trial has none, a diverged trial's weights are
 * NaN/∞ (its "accuracy" is a constant guess), an unfinished one has none yet. Pruned trials keep theirs.
 */
export const NO_METRIC_STATES: ReadonlySet<string> = new Set([
  'failed',
  'skipped',
  'diverged',
  'queued',
  'running',
]);

/** Trials without a metric rank after all others in this order; unknown states go last. */
const NO_METRIC_ORDER = ['pruned', 'diverged', 'completed', 'failed', 'skipped', 'running', 'queued'];

interface Ranked {
  r: TrialResult;
  metric: number | null;
}

/** Compare two trials for ranking: metric by goal; ties → lower cost, shorter wall time, lower index. */
function compareRanked(goal: 'maximize' | 'minimize'): (a: Ranked, b: Ranked) => number {
  return (a, b) => {
    if (a.metric !== null && b.metric !== null) {
      if (a.metric !== b.metric) return goal === 'maximize' ? b.metric - a.metric : a.metric - b.metric;
    } else if (a.metric !== null) return -1;
    else if (b.metric !== null) return 1;
    else {
      const sa = NO_METRIC_ORDER.indexOf(a.r.state);
      const sb = NO_METRIC_ORDER.indexOf(b.r.state);
      const d = (sa < 0 ? 99 : sa) - (sb < 0 ? 99 : sb);
      if (d !== 0) return d;
    }
    return (
      (a.r.cost_usd ?? 0) - (b.r.cost_usd ?? 0) ||
      (a.r.wall_s ?? 0) - (b.r.wall_s ?? 0) ||
      a.r.index - b.r.index ||
      (a.r.trial_id < b.r.trial_id ? -1 : a.r.trial_id > b.r.trial_id ? 1 : 0)
    );
  };
}

const parseTime = (s: string | undefined): number | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

/** Sweep wall time: the sweep's own start/finish when both are known, else the span of its trials. */
export function sweepWallSeconds(sweep: ReportSweep, results: readonly TrialResult[]): number | null {
  const s = parseTime(sweep.started_at);
  const f = parseTime(sweep.finished_at);
  if (s !== null && f !== null && f >= s) return (f - s) / 1000;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of results) {
    const a = parseTime(r.started_at);
    const b = parseTime(r.finished_at);
    if (a !== null) lo = Math.min(lo, a);
    if (b !== null) hi = Math.max(hi, b);
  }
  if (s !== null) lo = s;
  return Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo ? (hi - lo) / 1000 : null;
}

export function buildLeaderboard(
  sweep: ReportSweep,
  results: readonly TrialResult[],
  opts: { expectedTrials?: number } = {},
): Leaderboard {
  const configs = results.map((r) => (r.config ?? {}) as unknown as Record<string, unknown>);
  const varying = varyingParameters(configs, Object.keys(sweep.parameters ?? {}));
  const ranked: Ranked[] = results.map((r) => ({
    r,
    metric: NO_METRIC_STATES.has(r.state) ? null : headline(r)[sweep.metric.name],
  }));
  ranked.sort(compareRanked(sweep.metric.goal));

  const rows: LeaderboardRow[] = ranked.map(({ r, metric }, i) => {
    const h = headline(r);
    const params: Record<string, string | number | boolean> = {};
    const cfg = (r.config ?? {}) as unknown as Record<string, unknown>;
    for (const k of varying) params[k] = displayParam(cfg[k]);
    const row: LeaderboardRow = {
      rank: i + 1,
      trial_id: r.trial_id,
      params,
      metric,
      val_accuracy: h.val_accuracy,
      test_accuracy: h.test_accuracy,
      val_loss: h.val_loss,
      val_rmse: h.val_rmse,
      val_mae: h.val_mae,
      val_r2: h.val_r2,
      test_rmse: h.test_rmse,
      test_mae: h.test_mae,
      test_r2: h.test_r2,
      epochs_run: r.epochs_run,
      state: r.state,
      wall_s: finite(r.wall_s) ?? 0,
      samples_per_s: finite(r.samples_per_s) ?? 0,
      cost_usd: finite(r.cost_usd) ?? 0,
    };
    if (r.reason !== undefined) row.reason = r.reason;
    if (r.weights_key !== undefined) row.weights_key = r.weights_key;
    return row;
  });

  const counts: Record<string, number> = {};
  for (const s of TRIAL_STATES) counts[s] = 0;
  for (const r of results) counts[r.state] = (counts[r.state] ?? 0) + 1;
  if (opts.expectedTrials !== undefined) counts.pending = Math.max(0, opts.expectedTrials - results.length);

  const lb: Leaderboard = {
    sweep,
    task: reportTask(sweep, results),
    varying,
    rows,
    counts,
    total_cost_usd: rows.reduce((s, r) => s + r.cost_usd, 0),
    total_compute_s: rows.reduce((s, r) => s + r.wall_s, 0),
    wall_s: sweepWallSeconds(sweep, results),
  };
  if (rows[0] && rows[0].metric !== null) lb.best = rows[0];
  return lb;
}
