import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../core/sweep/samplers/index.ts';
import { splitObservations } from '../../../core/sweep/samplers/tpe/evidence.ts';

const ids = (os: readonly Observation[]) => os.map((o) => o.trial_id).sort();
const complete = (id: string, value: number, rungs?: Observation['rungs']): Observation => ({
  trial_id: id,
  params: {},
  state: 'complete',
  values: [value],
  ...(rungs ? { rungs } : {}),
});
const pruned = (id: string, rungs: Observation['rungs']): Observation => ({
  trial_id: id,
  params: {},
  state: 'pruned',
  rungs,
});
const other = (id: string, state: Observation['state']): Observation => ({ trial_id: id, params: {}, state });
const max = [{ goal: 'maximize' as const }];

describe('the observation rules', () => {
  // 12 complete trials c00…c11 with value i/100: the best are c11, c10
  const base = Array.from({ length: 12 }, (_, i) => complete(`c${String(i).padStart(2, '0')}`, i / 100));

  it('complete trials rank by value; γ(n) = ⌈n/10⌉ of them are good; the rest are bad', () => {
    const s = splitObservations(base, max, 10);
    expect(s.evidence).toBe(12);
    expect(ids(s.below)).toEqual(['c10', 'c11']);
    expect(s.above).toHaveLength(10);
  });

  it('minimize: the lowest values are good', () => {
    expect(ids(splitObservations(base, [{ goal: 'minimize' }], 10).below)).toEqual(['c00', 'c01']);
  });

  it('diverged: evidence, but worse than every value (never good); failed: left out; running: bad', () => {
    const s = splitObservations(
      [...base, other('d', 'diverged'), other('f', 'failed'), other('r1', 'running'), other('r2', 'running')],
      max,
      10,
    );
    expect(s.evidence).toBe(13);
    expect(ids(s.below)).toEqual(['c10', 'c11']);
    expect(ids(s.above)).toContain('d');
    expect(ids(s.above)).toEqual(expect.arrayContaining(['r1', 'r2']));
    expect([...ids(s.below), ...ids(s.above)]).not.toContain('f');
    // a non-finite final value is no better than diverged
    const nan = splitObservations([...base, complete('z', Number.NaN)], max, 10);
    expect(ids(nan.below)).not.toContain('z');
  });

  it('pruned trials: the model is fitted at the highest rung enough trials reached', () => {
    // 3 complete (too few for the final level), 9 pruned at epoch 1: level = epoch 1 (12 values)
    const rung1 = (v: number) => [{ epoch: 1, value: v }];
    const obs = [
      complete('a', 0.9, rung1(0.5)),
      complete('b', 0.8, rung1(0.55)),
      complete('c', 0.7, rung1(0.45)),
      ...Array.from({ length: 9 }, (_, i) => pruned(`p${i}`, rung1(i === 4 ? 0.7 : 0.1 + i / 100))),
    ];
    const s = splitObservations(obs, max, 10);
    expect(s.evidence).toBe(12);
    // ⌈12/10⌉ = 2 good: the best rung-1 values are p4 (0.7) and b (0.55), whatever a's final 0.9
    expect(ids(s.below)).toEqual(['b', 'p4']);
  });

  it('a trial pruned below the chosen level counts as worse than every trial that reached it', () => {
    // 10 trials reached epoch 3 (complete or pruned there); p-early was pruned at epoch 1 with a great value
    const reached = Array.from({ length: 10 }, (_, i) =>
      pruned(`r${i}`, [
        { epoch: 1, value: 0.5 },
        { epoch: 3, value: 0.6 + i / 100 },
      ]),
    );
    const s = splitObservations([...reached, pruned('p-early', [{ epoch: 1, value: 0.99 }])], max, 10);
    expect(ids(s.below)).toEqual(['r8', 'r9']);
    expect(ids(s.above)).toContain('p-early');
  });

  it('once enough trials completed, the final values decide and pruned trials are bad', () => {
    const obs = [...base, pruned('p', [{ epoch: 1, value: 1 }])];
    const s = splitObservations(obs, max, 10);
    expect(ids(s.below)).toEqual(['c10', 'c11']);
    expect(ids(s.above)).toContain('p');
  });

  it('several objectives: the good group is the Pareto front first (MOTPE)', () => {
    // maximize accuracy, minimize cost: f0…f2 are on the front, d0…d7 dominated by f1
    const mo = [{ goal: 'maximize' as const }, { goal: 'minimize' as const }];
    const o = (id: string, acc: number, cost: number): Observation => ({
      trial_id: id,
      params: {},
      state: 'complete',
      values: [acc, cost],
    });
    const front = [o('f0', 0.9, 3), o('f1', 0.8, 2), o('f2', 0.7, 1)];
    const dominated = Array.from({ length: 17 }, (_, i) =>
      o(`d${String(i).padStart(2, '0')}`, 0.6 - i / 100, 2.5 + i),
    );
    const s = splitObservations([...front, ...dominated], mo, 10);
    // ⌈20/10⌉ = 2 of the 3 front points, chosen by hypervolume: the extremes keep the most volume here
    expect(s.below).toHaveLength(2);
    for (const b of s.below) expect(['f0', 'f1', 'f2']).toContain(b.trial_id);
    const all = splitObservations([...front, ...dominated, o('x', 0.1, 100)], mo, 10);
    expect(all.below.every((b) => b.trial_id.startsWith('f'))).toBe(true);
  });
});
