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

export async function readSweepStatus(store: BlobStore, sweepId: string): Promise<SweepStatus | undefined> {
  const state = await readState(store, sweepId);
  if (!state) return undefined;
  const agg = await getJson<Aggregate>(store, keys.aggregate(sweepId));
  const results = Object.values(agg?.results ?? {});
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  const done = new Set<string>();
  for (const r of results) {
    counts[r.state]++;
    done.add(r.trial_id);
  }
  // Not yet aggregated: running if it has reported an epoch, checkpointed, or has a result; else queued.
  const prefix = keys.trials(sweepId);
  const active = new Set<string>();
  for (const k of await store.list(prefix)) {
    const [trial, file] = k.slice(prefix.length).split('/');
    if (
      trial &&
      !done.has(trial) &&
      (file === 'progress.json' || file === 'live.json' || file === 'result.json')
    )
      active.add(trial);
  }
  counts[TrialState.Running] = active.size;
  counts[TrialState.Queued] = Math.max(0, state.total - done.size - active.size);
  return { sweep_id: sweepId, state, counts, finished: state.finished, results };
}
