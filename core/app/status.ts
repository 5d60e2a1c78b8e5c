/** A sweep's progress as the CLI shows it: counts by trial state, totals, best so far. */
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import type { TrialResult } from '../result.ts';
import { TRIAL_STATES, TrialState } from '../trial-state.ts';
import type { Aggregate } from './aggregator.ts';
import { getJson } from './json.ts';
import { readState, type SweepState } from './sweep-record.ts';

export interface SweepStatus {
  sweep_id: string;
  state: SweepState;
  counts: Record<TrialState, number>;
  finished: boolean;
  results: TrialResult[];
}

/** Trials with something in the store but no aggregated result: the ids of the running ones. */
export function activeTrials(
  trialKeys: readonly string[],
  prefix: string,
  done: ReadonlySet<string>,
): Set<string> {
  const active = new Set<string>();
  for (const k of trialKeys) {
    const [trial, file] = k.slice(prefix.length).split('/');
    if (
      trial &&
      !done.has(trial) &&
      (file === 'progress.json' || file === 'live.json' || file === 'result.json')
    )
      active.add(trial);
  }
  return active;
}

/** Trials per state: the aggregated results', then running (active) and queued (the rest). */
export function stateCounts(
  state: SweepState,
  results: readonly TrialResult[],
  active: ReadonlySet<string>,
): Record<TrialState, number> {
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const r of results) counts[r.state]++;
  counts[TrialState.Running] = active.size;
  counts[TrialState.Queued] = Math.max(0, state.total - results.length - active.size);
  return counts;
}

export async function readSweepStatus(store: BlobStore, sweepId: string): Promise<SweepStatus | undefined> {
  const state = await readState(store, sweepId);
  if (!state) return undefined;
  const agg = await getJson<Aggregate>(store, keys.aggregate(sweepId));
  const results = Object.values(agg?.results ?? {});
  // Not yet aggregated: running if it has reported an epoch, checkpointed, or has a result; else queued.
  const prefix = keys.trials(sweepId);
  const done = new Set(results.map((r) => r.trial_id));
  const active = activeTrials(await store.list(prefix), prefix, done);
  const counts = stateCounts(state, results, active);
  return { sweep_id: sweepId, state, counts, finished: state.finished, results };
}
