/**
 * A regression table through the service's handlers (in-memory store and queues, tests/app/harness.ts):
 * ASHA prunes by val_rmse (minimized), the rung records hold each trial's own per-epoch RMSE; a trial whose
 * invocations each have time for one epoch continues from its checkpoints to the bytes of an uninterrupted
 * run; the budget skips as for images.
 */
import { describe, expect, it } from 'vitest';
import { prepareTableFiles } from '../../adapters/data/tabular/prepare.ts';
import { getJson } from '../../core/app/json.ts';
import { SAFETY_MS } from '../../core/app/worker.ts';
import { keys } from '../../core/layout.ts';
import type { TrialResult } from '../../core/result.ts';
import type { RungRecord } from '../../core/sweep/pruners/types.ts';
import { fixture } from '../data/tabular/helpers.ts';
import { createHarness, type Harness } from './harness.ts';

async function withTable(): Promise<Harness> {
  const h = await createHarness();
  await prepareTableFiles(h.store, {
    name: 'reg',
    from: fixture('regress.csv'),
    label: 'y',
    workerMemoryMb: 1769,
  });
  return h;
}

const sweep = (parameters: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: 'table-app',
    dataset: 'reg',
    metric: { name: 'val_rmse' },
    method: 'grid',
    parameters: {
      layers: { value: '3-8-1' },
      loss: { value: 'mse' },
      batch_size: { value: 8 },
      validation_split: { value: 0.2 },
      ...parameters,
    },
    ...top,
  });

async function results(h: Harness, id: string): Promise<TrialResult[]> {
  const out: TrialResult[] = [];
  for (const k of await h.store.list(keys.trials(id)))
    if (k.endsWith('/result.json')) out.push((await getJson<TrialResult>(h.store, k))!);
  return out.sort((a, b) => a.index - b.index);
}

describe('a regression table through the handlers', () => {
  it('ASHA prunes by val_rmse, from each trial’s own per-epoch RMSE', async () => {
    const h = await withTable();
    const id = await h.submit(
      sweep(
        { learning_rate: { values: [0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001] }, epochs: { value: 3 } },
        { early_terminate: { type: 'asha', min_iter: 1, eta: 3, max_iter: 3 } },
      ),
    );
    await h.pump();
    const rs = await results(h, id);
    expect(rs).toHaveLength(6);
    expect(rs.filter((r) => r.state === 'pruned').length).toBeGreaterThan(0);
    for (const r of rs) {
      const rec = await getJson<RungRecord>(h.store, keys.rungRecord(id, 1, r.trial_id));
      expect(rec?.value).toBe(r.history[0]!.val_rmse);
    }
    // A trial pruned at the first rung was worse there than the best trial that went on (minimized).
    const at1 = (r: TrialResult) => r.history[0]!.val_rmse!;
    const goneOn = rs.filter((r) => r.epochs_run === 3);
    for (const p of rs.filter((r) => r.state === 'pruned' && r.epochs_run === 1))
      expect(at1(p)).toBeGreaterThan(Math.min(...goneOn.map(at1)));
  });

  it('continues across invocations from its checkpoints to the bytes of one long invocation', async () => {
    const params = { learning_rate: { value: 0.01 }, epochs: { value: 3 }, loss: { value: 'huber' } };
    const long = await withTable();
    const idA = await long.submit(sweep(params));
    await long.pump();
    const short = await withTable();
    const idB = await short.submit(sweep(params));
    const run = await short.pump({ ctx: () => ({ remainingMs: () => SAFETY_MS }) });
    expect(run.invocations).toBe(3);
    const [a] = await results(long, idA);
    const [b] = await results(short, idB);
    expect(b?.invocations).toBe(3);
    expect(b?.test).toEqual(a?.test);
    expect(b?.history.map((e) => e.val_rmse)).toEqual(a?.history.map((e) => e.val_rmse));
    const w = async (h: Harness, id: string, t: string) =>
      Buffer.from((await h.store.get(keys.weights(id, t)))!.body);
    expect((await w(long, idA, a!.trial_id)).equals(await w(short, idB, b!.trial_id))).toBe(true);
  });

  it('skips trials once max_cost_usd is spent', async () => {
    const h = await withTable();
    const id = await h.submit(
      sweep(
        { learning_rate: { values: [0.001, 0.01, 0.1] }, epochs: { value: 1 } },
        { max_cost_usd: 1e-9, max_concurrency: 1 },
      ),
    );
    await h.pump();
    const rs = await results(h, id);
    expect(rs.filter((r) => r.state === 'completed')).toHaveLength(1);
    expect(rs.filter((r) => r.state === 'skipped')).toHaveLength(2);
  });
});
