/**
 * Idempotent, lossless enqueueing of a sweep's trials, honouring `max_concurrency`.
 *
 * Rule: trials are sent in the order given (the sweep's send order, core/sweep/order.ts: longest first
 * unless a budget or a pruner needs expansion order); at any time at most `max_concurrency` trials are sent and not
 * yet terminal. A trial counts as sent once its `enqueued.json` marker exists. The marker is written *after*
 * the send, so a crash in between re-sends (a duplicate the worker absorbs: results are create-once) rather
 * than losing the trial. Called by the dispatcher, and by the aggregator after each batch of results.
 */

import type { DatasetRef } from '../dataset.ts';
import { keys } from '../layout.ts';
import type { TrialMessage } from '../messages.ts';
import type { BlobStore, MessageQueue } from '../ports.ts';
import type { TrialSpec } from '../sweep/index.ts';
import { putJson } from './json.ts';

export interface TrialKeysSeen {
  results: Set<string>;
  enqueued: Set<string>;
}

/** One listing of `sweeps/<id>/trials/` tells which trials have a result and which were sent. */
export async function scanTrials(store: BlobStore, sweepId: string): Promise<TrialKeysSeen> {
  const prefix = keys.trials(sweepId);
  const results = new Set<string>();
  const enqueued = new Set<string>();
  for (const k of await store.list(prefix)) {
    const rest = k.slice(prefix.length);
    const slash = rest.indexOf('/');
    const trial = rest.slice(0, slash);
    const file = rest.slice(slash + 1);
    if (file === 'result.json') results.add(trial);
    else if (file === 'enqueued.json') enqueued.add(trial);
  }
  return { results, enqueued };
}

export async function ensureEnqueued(
  sweepId: string,
  trials: readonly TrialSpec[],
  dataset: DatasetRef,
  maxConcurrency: number | undefined,
  deps: { store: BlobStore; trials: MessageQueue; now: () => number },
  seen?: TrialKeysSeen,
): Promise<{ sent: number; done: number; inFlight: number }> {
  const { results, enqueued } = seen ?? (await scanTrials(deps.store, sweepId));
  const limit = maxConcurrency ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;
  for (const t of trials) if (enqueued.has(t.trial_id) && !results.has(t.trial_id)) inFlight++;
  const toSend: TrialSpec[] = [];
  for (const t of trials) {
    if (inFlight + toSend.length >= limit) break;
    if (results.has(t.trial_id) || enqueued.has(t.trial_id)) continue;
    toSend.push(t);
  }
  for (let i = 0; i < toSend.length; i += 10) {
    const chunk = toSend.slice(i, i + 10);
    const bodies = chunk.map((t) => {
      const m: TrialMessage = {
        type: 'trial',
        sweep_id: sweepId,
        trial_id: t.trial_id,
        index: t.index,
        config: t.config,
        dataset,
        continuation: 0,
      };
      return JSON.stringify(m);
    });
    await deps.trials.send(bodies);
    const at = new Date(deps.now()).toISOString();
    await Promise.all(
      chunk.map((t) => putJson(deps.store, keys.enqueued(sweepId, t.trial_id), { at, index: t.index })),
    );
  }
  return { sent: toSend.length, done: results.size, inFlight: inFlight + toSend.length };
}
