/**
 * dispatcher: one submission ⇒ the sweep's state and its trial messages. Idempotent: a redelivered or
 * re-submitted sweep keeps its start time and enqueues only trials that have neither a result nor a marker.
 */
import { keys } from '../layout.ts';
import type { SubmissionMessage } from '../messages.ts';
import { resolveDatasetRef } from './datasets.ts';
import type { AppDeps } from './deps.ts';
import { ensureEnqueued, scanTrials } from './enqueue.ts';
import { updateJson } from './json.ts';
import { emptyTotals, loadSweep, type SweepState } from './sweep-record.ts';

export async function dispatchSweep(
  msg: SubmissionMessage,
  deps: AppDeps,
): Promise<{ sweep_id: string; total: number; enqueued: number; already_done: number }> {
  const { file, sweep, trials } = await loadSweep(deps.store, msg.sweep_id);
  const dataset = await resolveDatasetRef(deps.store, sweep.dataset);
  const seen = await scanTrials(deps.store, msg.sweep_id);
  const nowIso = new Date(deps.now()).toISOString();
  const trialIds = trials.map((t) => t.trial_id);
  await updateJson<SweepState>(deps.store, keys.sweepState(msg.sweep_id), (cur) => {
    const allDone = trialIds.every((t) => seen.results.has(t));
    if (cur) {
      // A re-submission of a finished sweep with nothing missing changes nothing.
      if (cur.finished && allDone) return undefined;
      return {
        ...cur,
        dispatched_at: nowIso,
        finished: allDone,
        trial_ids: trialIds,
        total: trialIds.length,
      };
    }
    return {
      sweep_id: msg.sweep_id,
      name: sweep.name,
      dataset,
      trial_ids: trialIds,
      total: trialIds.length,
      ...(sweep.max_concurrency !== undefined ? { max_concurrency: sweep.max_concurrency } : {}),
      submitted_at: file.submitted_at,
      dispatched_at: nowIso,
      started_ms: deps.now(),
      finished: allDone,
      totals: emptyTotals(),
    };
  });
  const r = await ensureEnqueued(msg.sweep_id, trials, dataset, sweep.max_concurrency, deps, seen);
  deps.log.info('sweep dispatched', {
    sweep_id: msg.sweep_id,
    total: trials.length,
    enqueued: r.sent,
    already_done: seen.results.size,
  });
  return { sweep_id: msg.sweep_id, total: trials.length, enqueued: r.sent, already_done: seen.results.size };
}
