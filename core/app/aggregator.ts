/**
 * aggregator: results ⇒ aggregate.json ⇒ state totals, leaderboard (JSON/CSV/MD) and report.html.
 *
 * No lost updates with any number of concurrent aggregators: aggregate.json and state.json change only
 * by ETag compare-and-swap, keyed by trial id (a duplicate message merges to the same entry, so rows
 * and cost are never doubled). Derived files carry the number of results they were built from and are
 * replaced only by a build from at least as many. A killed aggregator leaves its message on the queue;
 * the retry converges to the same content.
 */
import { keys } from '../layout.ts';
import type { ResultMessage, TrialMessage } from '../messages.ts';
import { buildLeaderboard, formatLeaderboard, type ReportSweep } from '../report/index.ts';
import { slimResult, type TrialResult } from '../result.ts';
import { isTerminal, TrialState } from '../trial-state.ts';
import type { AppDeps } from './deps.ts';
import { ensureEnqueued } from './enqueue.ts';
import { createJson, getJson, JsonCache, updateJson } from './json.ts';
import { renderSweepHtml, reportSweepOf } from './report.ts';
import { emptyTotals, loadSweep, type SweepState, type SweepTotals } from './sweep-record.ts';

export interface Aggregate {
  sweep_id: string;
  /** Terminal results by trial id, without the (large) confidently-wrong images. */
  results: Record<string, TrialResult>;
}

/**
 * Minimum interval between renders of the report and the CSV/Markdown leaderboards while a sweep is still
 * running (counted from the dispatch); they are always rendered when it finishes. state.json and
 * leaderboard.json are updated on every batch.
 */
export const REPORT_INTERVAL_MS = 60_000;

/** Versions of aggregate.json, state.json and leaderboard.json this warm container last saw or wrote. */
const cache = new JsonCache();

export async function aggregate(msgs: readonly ResultMessage[], deps: AppDeps): Promise<void> {
  // Per sweep, per trial: the result the message carries (undefined: read result.json).
  const bySweep = new Map<string, Map<string, TrialResult | undefined>>();
  for (const m of msgs) {
    const trials = bySweep.get(m.sweep_id) ?? new Map<string, TrialResult | undefined>();
    trials.set(m.trial_id, trials.get(m.trial_id) ?? m.result);
    bySweep.set(m.sweep_id, trials);
  }
  for (const [sweepId, trials] of bySweep) await aggregateSweep(sweepId, trials, deps);
}

/** Dead letters of the trials queue: the trial gave up after maxReceiveCount deliveries ⇒ `failed`. */
export async function recordDeadLetters(msgs: readonly TrialMessage[], deps: AppDeps): Promise<void> {
  const created = new Map<string, TrialResult>();
  for (const m of msgs) {
    const errors = (await deps.store.list(keys.errors(m.sweep_id, m.trial_id))).sort();
    const lastKey = errors.at(-1);
    const last = lastKey ? await getJson<{ error: string; message: string }>(deps.store, lastKey) : undefined;
    const now = new Date(deps.now()).toISOString();
    const result: TrialResult = {
      sweep_id: m.sweep_id,
      trial_id: m.trial_id,
      index: m.index,
      config: m.config,
      state: TrialState.Failed,
      reason: last
        ? `gave up after ${errors.length} failed attempt(s), moved to the dead-letter queue; last error: ${last.error}: ${last.message}`
        : 'gave up: the message reached the dead-letter queue with no recorded error (worker killed or timed out)',
      epochs_run: 0,
      history: [],
      wall_s: 0,
      samples_per_s: 0,
      billed_ms: 0,
      memory_mb: deps.memoryMb,
      cost_usd: 0,
      invocations: errors.length,
      started_at: now,
      finished_at: now,
    };
    if (await createJson(deps.store, keys.result(m.sweep_id, m.trial_id), result))
      created.set(m.trial_id, result);
    deps.log.warn('trial dead-lettered', {
      sweep_id: m.sweep_id,
      trial_id: m.trial_id,
      reason: result.reason,
    });
  }
  await aggregate(
    msgs.map((m) => {
      const result = created.get(m.trial_id);
      return { type: 'result', sweep_id: m.sweep_id, trial_id: m.trial_id, ...(result ? { result } : {}) };
    }),
    deps,
  );
}

async function aggregateSweep(
  sweepId: string,
  trials: ReadonlyMap<string, TrialResult | undefined>,
  deps: AppDeps,
): Promise<void> {
  const fresh: TrialResult[] = [];
  for (const [t, carried] of trials) {
    const r = carried ?? (await getJson<TrialResult>(deps.store, keys.result(sweepId, t)));
    if (r) fresh.push(slimResult(r));
    else deps.log.warn('result message without a result', { sweep_id: sweepId, trial_id: t });
  }
  const agg = (await updateJson<Aggregate>(
    deps.store,
    keys.aggregate(sweepId),
    (cur) => {
      const base: Aggregate = cur ?? { sweep_id: sweepId, results: {} };
      const missing = fresh.filter((r) => !base.results[r.trial_id]);
      if (cur && missing.length === 0) return undefined;
      const results = { ...base.results };
      for (const r of missing) results[r.trial_id] = r;
      return { sweep_id: sweepId, results };
    },
    { cache },
  )) ?? { sweep_id: sweepId, results: {} };

  // Derived files written with plain puts (CSV, Markdown, report): an aggregator that built them from fewer
  // results and finished after a newer one would leave them stale. So whoever wrote them checks the
  // aggregate once more and, if it has grown meanwhile, publishes again from it.
  let current = agg;
  for (let round = 0; round < 10; round++) {
    if ((await publish(sweepId, current, deps)) !== 'rendered') return;
    const latest = await getJson<Aggregate>(deps.store, keys.aggregate(sweepId));
    if (!latest || Object.keys(latest.results).length <= Object.keys(current.results).length) return;
    current = latest;
  }
}

/**
 * State totals, max_concurrency top-up and leaderboard.json from one aggregate, plus the CSV/Markdown
 * leaderboards and the report when they are due: 'rendered' if those were written, 'updated' if not,
 * 'no-state' without a sweep state.
 */
async function publish(
  sweepId: string,
  agg: Aggregate,
  deps: AppDeps,
): Promise<'rendered' | 'updated' | 'no-state'> {
  const results = Object.values(agg.results);
  const totals = totalsOf(results);
  const now = deps.now();
  const stateKey = keys.sweepState(sweepId);
  const nextState = (cur: SweepState | undefined): SweepState | undefined => {
    if (!cur) return undefined;
    const finished = cur.trial_ids.every((t) => agg.results[t] && isTerminal(agg.results[t].state));
    if (cur.totals.terminal >= totals.terminal && cur.finished === finished) return undefined;
    if (cur.totals.terminal > totals.terminal) return undefined; // a newer aggregate already counted
    return {
      ...cur,
      totals,
      finished,
      ...(finished && !cur.finished ? { finished_at: new Date(now).toISOString() } : {}),
    };
  };
  const loaded = loadSweep(deps.store, sweepId); // memoized per process: a read only when cold
  loaded.catch(() => {}); // awaited below; this only keeps a failure while the state is written handled
  // leaderboard.json is replaced only by a build from at least as many results (a slower aggregator never
  // rolls it back).
  const n = results.length;
  const writeLeaderboard = async (st: SweepState) => {
    const { sweep } = await loaded;
    const lb = buildLeaderboard(reportSweepOf(sweepId, sweep, st), results, { expectedTrials: st.total });
    await updateJson<{ based_on: number }>(
      deps.store,
      keys.leaderboard(sweepId, 'json'),
      (cur) => (cur && cur.based_on > n ? undefined : { based_on: n, ...lb }),
      { cache },
    );
    return lb;
  };
  // A warm container knows the state it last saw: the leaderboard is written from the state this batch
  // should leave, in parallel with the state's own compare-and-swap. If that swap ends elsewhere (another
  // aggregator got there first), the leaderboard is written again from the state as stored.
  const seen = cache.get<SweepState>(deps.store, stateKey)?.value;
  const predicted = seen ? (nextState(seen) ?? seen) : undefined;
  const [state, early] = await Promise.all([
    updateJson<SweepState>(deps.store, stateKey, nextState, { cache }),
    predicted ? writeLeaderboard(predicted) : undefined,
  ]);
  if (!state) {
    deps.log.warn('results for a sweep without state', { sweep_id: sweepId });
    return 'no-state';
  }
  const lb = early && predicted && sameForReport(predicted, state) ? early : await writeLeaderboard(state);
  const { sweep, sendOrder } = await loaded;
  const reportSweep = reportSweepOf(sweepId, sweep, state);

  if (!state.finished && sweep.max_concurrency !== undefined) {
    await ensureEnqueued(sweepId, sendOrder, state.dataset, sweep.max_concurrency, deps);
  }

  const due =
    state.finished || deps.now() - (state.report_rendered_ms ?? state.started_ms) >= REPORT_INTERVAL_MS;
  if (!due) return 'updated';
  // The leaderboard files are uploaded while the report renders.
  await Promise.all([
    deps.store.put(keys.leaderboard(sweepId, 'csv'), formatLeaderboard(lb, 'csv'), {
      contentType: 'text/csv',
    }),
    deps.store.put(keys.leaderboard(sweepId, 'md'), formatLeaderboard(lb, 'md'), {
      contentType: 'text/markdown',
    }),
    writeReport(sweepId, reportSweep, results, state, deps),
  ]);
  return 'rendered';
}

async function writeReport(
  sweepId: string,
  reportSweep: ReportSweep,
  slimResults: readonly TrialResult[],
  state: SweepState,
  deps: Pick<AppDeps, 'store' | 'now'>,
): Promise<void> {
  const html = await renderSweepHtml(deps.store, reportSweep, slimResults, state);
  await deps.store.put(keys.report(sweepId), html, { contentType: 'text/html; charset=utf-8' });
  await updateJson<SweepState>(
    deps.store,
    keys.sweepState(sweepId),
    (cur) => (cur ? { ...cur, report_rendered_ms: deps.now() } : undefined),
    { cache },
  );
}

/** Whether two versions of a sweep's state give the same leaderboard (the rest of it never changes). */
function sameForReport(a: SweepState, b: SweepState): boolean {
  return a.finished_at === b.finished_at && a.total === b.total && a.submitted_at === b.submitted_at;
}

function totalsOf(results: readonly TrialResult[]): SweepTotals {
  const t = emptyTotals();
  for (const r of results) {
    if (!isTerminal(r.state)) continue;
    t.terminal++;
    t.cost_usd += r.cost_usd;
    t.compute_s += r.billed_ms / 1000;
    t.by_state[r.state] = (t.by_state[r.state] ?? 0) + 1;
  }
  return t;
}
