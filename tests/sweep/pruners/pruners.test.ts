import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '../../../adapters/store/memory.ts';
import { keys } from '../../../core/layout.ts';
import {
  AshaPruner,
  ashaDecision,
  BRACKET_STRIDE,
  bracketCount,
  bracketOf,
  createPruner,
  HyperbandPruner,
  NopPruner,
  parseSweepObject,
  rungEpochs,
  type Sweep,
} from '../../../core/sweep/index.ts';

function sweep(
  early: Record<string, unknown> | undefined,
  goal: 'maximize' | 'minimize' = 'maximize',
): Sweep {
  const r = parseSweepObject({
    method: 'grid',
    metric: { name: goal === 'maximize' ? 'val_accuracy' : 'val_loss', goal },
    parameters: { epochs: { value: 30 } },
    ...(early ? { early_terminate: early } : {}),
  });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.value;
}

describe('rungs', () => {
  it('are at ⌊min_iter·ηᵏ⌋ ≤ max_iter', () => {
    expect(rungEpochs({ type: 'asha', min_iter: 1, eta: 3, max_iter: 27 })).toEqual([1, 3, 9, 27]);
    expect(rungEpochs({ type: 'asha', min_iter: 2, eta: 2, max_iter: 10 })).toEqual([2, 4, 8]);
    expect(rungEpochs({ type: 'asha', min_iter: 1, eta: 1.5, max_iter: 5 })).toEqual([1, 2, 3, 5]);
  });
  it('hyperband brackets start later: bracket s at min_iter·ηˢ', () => {
    const et = { type: 'hyperband' as const, min_iter: 1, eta: 3, max_iter: 27 };
    expect(bracketCount(et)).toBe(4);
    expect(rungEpochs(et, 1)).toEqual([3, 9, 27]);
    expect(rungEpochs(et, 3)).toEqual([27]);
  });
});

describe('the rule: continue iff rank < max(1, ⌊n/η⌋)', () => {
  it('pure form', () => {
    expect(ashaDecision(0.5, [0.5], 3, 'maximize')).toBe('continue'); // first arrival
    expect(ashaDecision(0.5, [0.5, 0.9], 3, 'maximize')).toBe('prune'); // n=2: only the best
    expect(ashaDecision(0.5, [0.5, 0.9, 0.1, 0.2, 0.3, 0.4], 3, 'maximize')).toBe('continue'); // n=6: top 2, rank 1
    expect(ashaDecision(0.4, [0.5, 0.9, 0.1, 0.2, 0.3, 0.4], 3, 'maximize')).toBe('prune'); // rank 2
    expect(ashaDecision(0.1, [0.5, 0.9, 0.1], 3, 'minimize')).toBe('continue');
    expect(ashaDecision(null, [null, 0.1], 2, 'minimize')).toBe('prune'); // non-finite is worst
  });
});

describe('AshaPruner over the store', () => {
  it('maximize: early arrivals continue, later ones only in the top 1/η', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 1, eta: 2, max_iter: 8 }), 'sw1', store);
    expect(p).toBeInstanceOf(AshaPruner);
    const d = async (t: string, v: number) => p.decide({ trialId: t, epoch: 1, value: v });
    expect(await d('t-a', 0.5)).toBe('continue'); // n=1
    expect(await d('t-b', 0.4)).toBe('prune'); // n=2, k=1, rank 1
    expect(await d('t-c', 0.9)).toBe('continue'); // n=3, k=1, rank 0
    expect(await d('t-d', 0.6)).toBe('continue'); // n=4, k=2, rank 1
    expect(await d('t-e', 0.55)).toBe('prune'); // n=5, k=2, rank 2
    expect(await store.list(keys.rung('sw1', 1))).toHaveLength(5);
  });

  it('minimize: lower is better', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(
      sweep({ type: 'asha', min_iter: 1, eta: 2, max_iter: 8 }, 'minimize'),
      'sw2',
      store,
    );
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: 0.3 })).toBe('continue');
    expect(await p.decide({ trialId: 't-b', epoch: 1, value: 0.1 })).toBe('continue');
    expect(await p.decide({ trialId: 't-c', epoch: 1, value: 0.2 })).toBe('prune'); // n=3, k=1, rank 1
  });

  it('ties share the better rank', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 1, eta: 2, max_iter: 8 }), 'sw3', store);
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: 0.7 })).toBe('continue');
    expect(await p.decide({ trialId: 't-b', epoch: 1, value: 0.7 })).toBe('continue'); // tie: rank 0 < 1
    expect(await p.decide({ trialId: 't-c', epoch: 1, value: 0.7 })).toBe('continue');
    expect(await p.decide({ trialId: 't-d', epoch: 1, value: 0.69 })).toBe('prune'); // n=4, k=2, rank 3
  });

  it('epochs that are not rungs continue without recording', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 2, eta: 3, max_iter: 18 }), 'sw4', store);
    expect(await p.decide({ trialId: 't-a', epoch: 3, value: 0 })).toBe('continue');
    expect(await store.list(keys.sweep('sw4'))).toEqual([]);
    await p.decide({ trialId: 't-a', epoch: 6, value: 0 });
    expect(await store.list(keys.sweep('sw4'))).toEqual([keys.rungRecord('sw4', 6, 't-a')]);
  });

  it('a redelivery does not double-record and reuses the recorded value', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 1, eta: 2, max_iter: 8 }), 'sw5', store);
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: 0.9 })).toBe('continue');
    expect(await p.decide({ trialId: 't-b', epoch: 1, value: 0.5 })).toBe('prune');
    // t-b redelivered, reaches the rung again with a (different) better value: the first record stands
    expect(await p.decide({ trialId: 't-b', epoch: 1, value: 0.99 })).toBe('prune');
    const records = await store.list(keys.rung('sw5', 1));
    expect(records).toHaveLength(2);
    const got = await store.get(keys.rungRecord('sw5', 1, 't-b'));
    expect(JSON.parse(new TextDecoder().decode(got!.body)).value).toBe(0.5);
    // and t-a redelivered still continues
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: 0.1 })).toBe('continue');
  });

  it('a non-finite value is recorded as worst', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 1, eta: 2, max_iter: 8 }), 'sw6', store);
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: 0.1 })).toBe('continue');
    expect(await p.decide({ trialId: 't-b', epoch: 1, value: Number.NaN })).toBe('prune');
  });

  it('concurrent arrivals: every record lands once and the best trial is never pruned', async () => {
    const store = new MemoryBlobStore();
    const p = createPruner(sweep({ type: 'asha', min_iter: 1, eta: 3, max_iter: 9 }), 'sw7', store);
    const values = Array.from({ length: 30 }, (_, i) => ((i * 7919) % 101) / 101);
    const decisions = await Promise.all(
      values.map((v, i) => p.decide({ trialId: `t-${i}`, epoch: 1, value: v })),
    );
    expect(await store.list(keys.rung('sw7', 1))).toHaveLength(30);
    const best = values.indexOf(Math.max(...values));
    expect(decisions[best]).toBe('continue');
    // once all are in, a late re-check keeps at most ⌊30/3⌋ = 10
    const after = await Promise.all(
      values.map((v, i) => p.decide({ trialId: `t-${i}`, epoch: 1, value: v })),
    );
    expect(after.filter((x) => x === 'continue')).toHaveLength(10);
  });
});

describe('Hyperband', () => {
  it('brackets are chosen from the trial id and trials compete only within their bracket', async () => {
    const s = sweep({ type: 'hyperband', min_iter: 1, eta: 3, max_iter: 9 });
    const et = s.early_terminate!;
    const store = new MemoryBlobStore();
    const p = createPruner(s, 'hb', store);
    expect(p).toBeInstanceOf(HyperbandPruner);
    const ids = Array.from({ length: 40 }, (_, i) => `t-${i}`);
    const inB0 = ids.filter((t) => bracketOf(et, t) === 0);
    const inB1 = ids.filter((t) => bracketOf(et, t) === 1);
    expect(inB0.length).toBeGreaterThan(1);
    expect(inB1.length).toBeGreaterThan(1);
    // A function of the trial id alone (so every delivery agrees): sha256 of the id mod the bracket count
    // (s_max + 1 = 3 brackets for min_iter 1, eta 3, max_iter 9), computed here independently.
    const sha = (t: string) => Number.parseInt(createHash('sha256').update(t).digest('hex').slice(0, 8), 16);
    expect(bracketCount(et)).toBe(3);
    expect(ids.map((t) => bracketOf(et, t))).toEqual(ids.map((t) => sha(t) % 3));
    // bracket 0 has a rung at epoch 1; bracket 1 does not (its first rung is 3)
    expect(await p.decide({ trialId: inB0[0]!, epoch: 1, value: 0.9 })).toBe('continue');
    expect(await p.decide({ trialId: inB1[0]!, epoch: 1, value: 0.1 })).toBe('continue');
    expect(await store.list(keys.rung('hb', BRACKET_STRIDE + 1))).toEqual([]);
    // at epoch 3 a weak bracket-1 trial is alone in its bracket → continues, though bracket 0 has better ones
    expect(await p.decide({ trialId: inB0[0]!, epoch: 3, value: 0.95 })).toBe('continue');
    expect(await p.decide({ trialId: inB1[0]!, epoch: 3, value: 0.2 })).toBe('continue');
    expect(await store.list(keys.rung('hb', BRACKET_STRIDE + 3))).toEqual([
      keys.rungRecord('hb', BRACKET_STRIDE + 3, inB1[0]!),
    ]);
  });

  it('without early_terminate nothing is pruned', async () => {
    const p = createPruner(sweep(undefined), 'x', new MemoryBlobStore());
    expect(p).toBeInstanceOf(NopPruner);
    expect(await p.decide({ trialId: 't-a', epoch: 1, value: -1 })).toBe('continue');
  });
});
