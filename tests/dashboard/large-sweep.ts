/**
 * A large sweep as the service leaves it, for the dashboard's bench and browser tests: sweep.json and the
 * data set real (mnist-mini must be in the store: prepareMini), state.json and aggregate.json from
 * synthetic results (tests/report/synthetic.ts). Its submission goes to a queue of its own, so a runner
 * on the same store never dispatches it. `write()` stores the state and aggregate as they are now.
 */
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { submitSweep } from '../../core/app/submit.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { ReportSweep } from '../../core/report/types.ts';
import { slimResult, type TrialResult } from '../../core/result.ts';
import { syntheticSweep } from '../report/synthetic.ts';

export interface LargeSweep {
  id: string;
  /** The synthetic sweep as the report takes it. */
  sweep: ReportSweep;
  /** The synthetic results (whole), and the aggregate's (slim) by trial id. */
  results: TrialResult[];
  all: Record<string, TrialResult>;
  state: SweepState;
  write(): Promise<void>;
}

/** `trials` terminal results of a random sweep; `total` trials expected (more: the sweep is running). */
export async function storeLargeSweep(
  store: BlobStore,
  trials: number,
  opts: { total?: number; finished?: boolean; name?: string } = {},
): Promise<LargeSweep> {
  const text = JSON.stringify({
    name: opts.name ?? `bench ${trials} trials`,
    dataset: 'mnist-mini',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'random',
    run_cap: opts.total ?? trials,
    parameters: {
      learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 0.2 },
      optimizer: { values: ['adam', 'sgd', 'rmsprop'] },
      layers: { values: ['784-64-10', '784-128-64-10', '784-256-128-10'] },
      activation: { values: ['relu', 'tanh'] },
      batch_size: { values: [32, 64, 128, 256] },
    },
  });
  const sub = await submitSweep(text, 'large.json', {
    store,
    submissions: new InProcessQueue('large-sweep-submissions'),
    now: Date.now,
  });
  if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
  const id = sub.value.sweep_id;
  const { sweep, results } = syntheticSweep({ trials });
  for (const r of results) r.sweep_id = id;
  const all = Object.fromEntries(results.map((r) => [r.trial_id, slimResult(r)]));
  const version = (await store.list('datasets/mnist-mini/'))[0]!.split('/')[2]!;
  const now = new Date().toISOString();
  const state: SweepState = {
    sweep_id: id,
    name: sweep.name,
    dataset: { name: 'mnist-mini', version },
    trial_ids: results.map((r) => r.trial_id),
    total: opts.total ?? trials,
    submitted_at: now,
    dispatched_at: now,
    started_ms: Date.now(),
    finished: opts.finished ?? false,
    ...(opts.finished ? { finished_at: now } : {}),
    totals: { terminal: trials, cost_usd: 0, compute_s: 0, by_state: {} },
  };
  const write = async () => {
    await store.put(keys.aggregate(id), JSON.stringify({ sweep_id: id, results: all }));
    await store.put(keys.sweepState(id), JSON.stringify(state));
  };
  await write();
  return { id, sweep, results, all, state, write };
}
