/**
 * The records a sweep keeps in the store besides its trials' results:
 *   sweep.json  — what the user submitted (text + file name), written once per sweep id;
 *   state.json  — the expansion (trial ids in order), the resolved data set, running totals, finished flag.
 */
import type { DatasetRef } from '../dataset.ts';
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import {
  createSampler,
  parseSweep,
  type Sampler,
  type Sweep,
  sendOrder,
  type TrialSpec,
} from '../sweep/index.ts';
import type { TrialState } from '../trial-state.ts';
import { getJson } from './json.ts';

export interface SweepFile {
  sweep_id: string;
  filename: string;
  text: string;
  submitted_at: string;
}

export interface SweepTotals {
  terminal: number;
  cost_usd: number;
  compute_s: number;
  by_state: Partial<Record<TrialState, number>>;
}

export interface SweepState {
  sweep_id: string;
  name: string;
  dataset: DatasetRef;
  /** Trial ids in expansion order. */
  trial_ids: string[];
  total: number;
  max_concurrency?: number;
  submitted_at: string;
  /** `submitted_at` of the sweep.json last dispatched (tells a re-submission from a redelivery). */
  last_submitted_at?: string;
  dispatched_at: string;
  /** Epoch ms the sweep started (for max_minutes). */
  started_ms: number;
  finished: boolean;
  finished_at?: string;
  totals: SweepTotals;
  report_rendered_ms?: number;
}

export const emptyTotals = (): SweepTotals => ({ terminal: 0, cost_usd: 0, compute_s: 0, by_state: {} });

export interface LoadedSweep {
  file: SweepFile;
  sweep: Sweep;
  /** The sweep's sampler (core/sweep/samplers): grid and random plan every trial in advance. */
  sampler: Sampler<TrialSpec>;
  /** The sampler's plan, in expansion order (`index`); empty for an adaptive sampler. */
  trials: TrialSpec[];
  /** The order they are sent to the workers in (core/sweep/order.ts). */
  readonly sendOrder: TrialSpec[];
}

/** Module-scope memo: warm Lambda containers parse and expand each sweep once. */
const memo = new Map<string, LoadedSweep>();

export async function loadSweep(store: BlobStore, sweepId: string): Promise<LoadedSweep> {
  const hit = memo.get(sweepId);
  if (hit) return hit;
  const file = await getJson<SweepFile>(store, keys.sweepFile(sweepId));
  if (!file) throw new Error(`sweep ${sweepId} not found (no ${keys.sweepFile(sweepId)})`);
  // Not re-checked against the data set's shape: a sweep stored before that check still loads.
  const parsed = parseSweep(file.text, { filename: file.filename, checkNetFit: false });
  if (!parsed.ok) {
    throw new Error(
      `stored sweep ${sweepId} is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  const sampler = createSampler(parsed.value);
  const trials = [...(sampler.plan() ?? [])];
  let order: TrialSpec[] | undefined;
  const loaded: LoadedSweep = {
    file,
    sweep: parsed.value,
    sampler,
    trials,
    // Sorted on first use: only the dispatcher and the aggregator send trials, workers never need it.
    get sendOrder() {
      order ??= sendOrder(parsed.value, trials);
      return order;
    },
  };
  memo.set(sweepId, loaded);
  return loaded;
}

export const readState = (store: BlobStore, sweepId: string) =>
  getJson<SweepState>(store, keys.sweepState(sweepId));
