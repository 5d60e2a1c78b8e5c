/** The leaderboard: ranking by the sweep's metric and the parameters that vary across the sweep. */
import { canonicalJson } from '../canonical.ts';
import { TRIAL_CONFIG_KEYS } from '../config.ts';
import { isRegressionTest, type TrialResult } from '../result.ts';
import { TRIAL_STATES } from '../trial-state.ts';
import type { Leaderboard, LeaderboardRow, ReportMetricName, ReportSweep } from './types.ts';

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
export function headline(r: TrialResult): Record<ReportMetricName, number | null> {
  const last = r.history.length > 0 ? r.history[r.history.length - 1] : undefined;
  return {
    val_accuracy: finite(r.val_accuracy) ?? finite(last?.val_accuracy),
    val_loss: finite(r.val_loss) ?? finite(last?.val_loss),
    test_accuracy:
      finite(r.test_accuracy) ?? (r.test && !isRegressionTest(r.test) ? finite(r.test.accuracy) : null),
  };
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
