import { describe, expect, it } from 'vitest';
import { ListSampler, Rng, suggestionSeed } from '../../core/sweep/samplers/index.ts';
import { median, runSearch } from '../../scripts/bench/search/protocol.ts';
import { type TableFile, tableOf, tableSpace } from '../../scripts/bench/search/table.ts';

/**
 * A hand-made table: lr ∈ {0.1, 1}, act ∈ {relu, tanh}; two repetitions each (metric val, maximize).
 * Truths: 00 → 0.5, 01 → 0.8, 10 → 0.6, 11 → 0.9 (the optimum). 10 is noisy: it observes 0.95 or 0.25.
 */
const raw: TableFile = {
  name: 'test/tiny',
  objective: { metric: 'val', goal: 'maximize' },
  space: { lr: [0.1, 1], act: ['relu', 'tanh'] },
  table: {
    '00': { val: [0.5, 0.5], train_time: [10, 10] },
    '01': { val: [0.8, 0.8], train_time: [40, 40] },
    '10': { val: [0.95, 0.25], train_time: [5, 5] },
    '11': { val: [0.9, 0.9], train_time: [20, 20] },
  },
};
const table = tableOf(raw);
const space = tableSpace(table);
const trialsIn = (keys: string[]) =>
  keys.map((k) => ({
    trial_id: k,
    params: { lr: raw.space.lr![Number(k[0])], act: raw.space.act![Number(k[1])] },
  }));

describe('the search bench protocol', () => {
  it('truths are the mean over repetitions; a point maps to its table key', () => {
    expect(table.optimum).toBe(0.9);
    expect(table.rows.get('10')!.truth).toBeCloseTo(0.6, 12);
    expect(space.trial({ lr: 1, act: 'relu' }, 0)).toEqual({
      trial_id: '10',
      params: { lr: 1, act: 'relu' },
    });
    expect(space.trial({ lr: 0.5, act: 'relu' }, 0)).toMatchObject({ invalid: true, key: 'lr' });
  });

  it('1 worker: one repetition per evaluation from the seeded generator in start order; regret of the best observed', () => {
    const order = ['00', '10', '01', '11'];
    const run = runSearch(table, new ListSampler('random', trialsIn(order)), {
      seed: 3,
      trials: 4,
      workers: 1,
    });
    const noise = new Rng(suggestionSeed(3, 0, 'noise'));
    const reps = order.map(() => Math.floor(noise.uniform() * 2));
    expect(run.reported.map((r) => r.trial_id)).toEqual(order);
    expect(run.reported.map((r) => r.repetition)).toEqual(reps);
    // the incumbent is picked on the observed value: 10 observed 0.95 beats everything, though its truth is 0.6
    const observed10 = raw.table['10']!.val![reps[1]!]!;
    const expected = observed10 > 0.9 ? [0.4, 0.3, 0.3, 0.3] : [0.4, 0.4, 0.1, 0];
    for (const [i, r] of run.regret.entries()) expect(r).toBeCloseTo(expected[i]!, 12);
  });

  it('ties keep the earliest reported trial', () => {
    // 01 and 11 both observe 0.9 with repetition 0; their truths are 0.85 and 0.95 (the optimum)
    const tie = tableOf({
      ...raw,
      table: {
        ...raw.table,
        '01': { val: [0.9, 0.8], train_time: [1, 1] },
        '11': { val: [0.9, 1], train_time: [1, 1] },
      },
    });
    const seed = Array.from({ length: 100 }, (_, s) => s).find((s) => {
      const noise = new Rng(suggestionSeed(s, 0, 'noise'));
      return noise.uniform() < 0.5 && noise.uniform() < 0.5;
    })!;
    const run = runSearch(tie, new ListSampler('random', trialsIn(['01', '11'])), {
      seed,
      trials: 2,
      workers: 1,
    });
    expect(run.reported.map((r) => r.value)).toEqual([0.9, 0.9]);
    expect(run.regret[0]).toBeCloseTo(0.1, 12);
    expect(run.regret[1]).toBeCloseTo(0.1, 12);
  });

  it('8 asynchronous workers: started at clock 0, reported by finish time (ties: started first), restarted at that clock', () => {
    const order = ['01', '11', '00', '10'];
    const seenRunning: string[][] = [];
    const sampler = new ListSampler('random', trialsIn(order));
    const spy = {
      method: 'random' as const,
      plan: () => sampler.plan(),
      suggest: (k: number, obs: Parameters<typeof sampler.suggest>[1]) => {
        seenRunning.push(obs.filter((o) => o.state === 'running').map((o) => o.trial_id));
        return sampler.suggest(k, obs);
      },
    };
    const run = runSearch(table, spy, { seed: 1, trials: 4, workers: 2 });
    // two start at 0 (01 takes 40, 11 takes 20); 11 reports at 20, 00 starts then (ends 30); 00 reports at 30,
    // 10 starts (ends 35); 10 at 35; 01 last at 40
    expect(run.reported.map((r) => [r.trial_id, r.clock])).toEqual([
      ['11', 20],
      ['00', 30],
      ['10', 35],
      ['01', 40],
    ]);
    // each start saw the trials then in flight as running
    expect(seenRunning).toEqual([[], ['01'], ['01'], ['01']]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
