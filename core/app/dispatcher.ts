/**
 * dispatcher: one submission ⇒ the sweep's state and its trial messages. Idempotent: a redelivered
 * submission keeps the sweep's start time and enqueues only trials that have neither a result nor a marker.
 * A re-submission (sweep.json rewritten with a newer `submitted_at`) also re-sends the trials that were
 * sent but have no result: their messages may be gone (purged, expired, an in-process queue that died with
 * its process); where they are not, the duplicate is absorbed (results are create-once).
 */
import { keys } from '../layout.ts';
import type { SubmissionMessage } from '../messages.ts';
import { resolveDatasetRef } from './datasets.ts';
import type { AppDeps } from './deps.ts';
import { ensureEnqueued, scanTrials } from './enqueue.ts';
import { getJson, updateJson } from './json.ts';
import { emptyTotals, loadSweep, type SweepFile, type SweepState } from './sweep-record.ts';

export async function dispatchSweep(
  msg: SubmissionMessage,
  deps: AppDeps,
): Promise<{ sweep_id: string; total: number; enqueued: number; already_done: number }> {
  const { file, sweep, sampler, sendOrder } = await loadSweep(deps.store, msg.sweep_id);
  // Grid and random plan every trial in advance; the dispatcher sends that plan (longest first).
  const trials = sampler.plan();
  if (!trials) throw new Error(`sweep ${msg.sweep_id}: a ${sampler.method} sampler has no plan to dispatch`);
  const dataset = await resolveDatasetRef(deps.store, sweep.dataset);
  const seen = await scanTrials(deps.store, msg.sweep_id);
  const nowIso = new Date(deps.now()).toISOString();
  const trialIds = trials.map((t) => t.trial_id);
  // Not from loadSweep's memo: a warm container must see a re-submission's new submitted_at.
  const submittedAt =
    (await getJson<SweepFile>(deps.store, keys.sweepFile(msg.sweep_id)))?.submitted_at ?? file.submitted_at;
  let resubmitted = false;
  await updateJson<SweepState>(deps.store, keys.sweepState(msg.sweep_id), (cur) => {
    const allDone = trialIds.every((t) => seen.results.has(t));
    resubmitted = cur !== undefined && submittedAt !== (cur.last_submitted_at ?? cur.submitted_at);
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
  const r = await ensureEnqueued(
    msg.sweep_id,
    sendOrder,
    dataset,
    sweep.max_concurrency,
    deps,
    resubmitted ? { results: seen.results, enqueued: new Set() } : seen,
  );
  // Recorded after the sends: a crash before this line makes the redelivery re-send again (absorbed).
  await updateJson<SweepState>(deps.store, keys.sweepState(msg.sweep_id), (cur) =>
    cur && cur.last_submitted_at !== submittedAt ? { ...cur, last_submitted_at: submittedAt } : undefined,
  );
  deps.log.info('sweep dispatched', {
    sweep_id: msg.sweep_id,
    total: trials.length,
    enqueued: r.sent,
    already_done: seen.results.size,
  });
  return { sweep_id: msg.sweep_id, total: trials.length, enqueued: r.sent, already_done: seen.results.size };
}
