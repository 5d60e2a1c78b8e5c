import { describe, expect, it } from 'vitest';
import type { TrialConfig } from '../../../core/config.ts';
import { TpeSampler } from '../../../core/sweep/samplers/index.ts';
import type { ParamSpec } from '../../../core/sweep/types.ts';
import { runSequential, shuffled, specSpace, sweepSpace } from './helpers.ts';

const params = {
  learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 0.3 },
  batch_size: { values: [16, 32, 64, 128, 256] },
  optimizer: { values: ['adam', 'sgd', 'rmsprop'] },
  momentum: { values: [0.5, 0.9, 0.99], when: { optimizer: 'sgd' } },
  layers: { values: ['784-10', '784-64-10', [784, 128, 10]] },
};
/** A made-up validation accuracy: best near lr 3e-3, batch 64, adam, the widest net. */
const accuracy = (c: Record<string, unknown>) => {
  const lr = Math.log10(c.learning_rate as number) + 2.5;
  const net = (c.layers as number[]).length === 2 ? 0.1 : (c.layers as number[])[1] === 64 ? 0.05 : 0;
  return [
    0.98 - 0.05 * lr * lr - net - (c.batch_size === 64 ? 0 : 0.02) - (c.optimizer === 'adam' ? 0 : 0.03),
  ];
};
const tpe = (seed: number, extra = {}) =>
  new TpeSampler(sweepSpace(params), { seed, objectives: [{ goal: 'maximize' }], ...extra });
const configOf = (t: { config: TrialConfig }) => t.config as unknown as Record<string, unknown>;

describe('TPE is reproducible and reads sets, not sequences', () => {
  const run = runSequential(tpe(7), 30, configOf, accuracy);

  it('a fresh sampler given the records of a search suggests the same trials again', () => {
    expect(run).toHaveLength(30);
    const fresh = tpe(7);
    for (const k of [0, 5, 11, 20, 29])
      expect(fresh.suggest(k, run.slice(0, k))?.trial_id).toBe(run[k]!.trial_id);
  });

  it('the order of the records does not matter', () => {
    const fresh = tpe(7);
    for (const k of [12, 20, 29]) {
      const want = fresh.suggest(k, run.slice(0, k))?.trial_id;
      expect(fresh.suggest(k, shuffled(run.slice(0, k), k))?.trial_id).toBe(want);
      expect(fresh.suggest(k, [...run.slice(0, k)].reverse())?.trial_id).toBe(want);
    }
  });

  it('another sweep seed gives another search; suggestion k depends on k', () => {
    const other = runSequential(tpe(8), 30, configOf, accuracy);
    expect(other.map((o) => o.trial_id)).not.toEqual(run.map((o) => o.trial_id));
    const fresh = tpe(7);
    expect(fresh.suggest(30, run)?.trial_id).not.toBe(fresh.suggest(31, run)?.trial_id);
  });

  it('learns: after the start-up trials it suggests better configs than it started with', () => {
    const first = run.slice(0, 10).map((o) => o.values![0]!);
    const last = run.slice(20).map((o) => o.values![0]!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(last)).toBeGreaterThan(mean(first));
  });
});

describe('TPE never repeats a trial', () => {
  it('8 free workers asking at once get 8 different trials, none already run', () => {
    const done = runSequential(tpe(3), 15, configOf, accuracy);
    const sampler = tpe(3);
    const inFlight: typeof done = [];
    for (let k = 15; k < 23; k++) {
      const t = sampler.suggest(k, [...done, ...inFlight])!;
      inFlight.push({ trial_id: t.trial_id, params: configOf(t), state: 'running' });
    }
    const ids = inFlight.map((o) => o.trial_id);
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(done.map((o) => o.trial_id)).not.toContain(id);
  });

  it('when the best candidate was already run, the next one is suggested; a spent space gives nothing', () => {
    // one parameter, three values; "a" is by far the best, so TPE's candidates all favour it
    const space = specSpace({ x: { distribution: 'categorical', values: ['a', 'b', 'c'] } });
    const sampler = new TpeSampler(space, { seed: 1, objectives: [{ goal: 'maximize' }], startup: 1 });
    const seen = runSequential(
      sampler,
      10,
      (t) => t.params,
      (p) => [p.x === 'a' ? 1 : 0],
    );
    expect(seen.map((o) => o.params.x).sort()).toEqual(['a', 'b', 'c']);
    expect(sampler.suggest(3, seen)).toBeUndefined();
  });

  it('a small production space is exhausted exactly (4 configs, then undefined)', () => {
    const space = sweepSpace({ optimizer: { values: ['adam', 'sgd'] }, batch_size: { values: [32, 64] } });
    const sampler = new TpeSampler(space, { seed: 5, objectives: [{ goal: 'maximize' }], startup: 2 });
    const seen = runSequential(sampler, 10, configOf, (c) => [c.batch_size === 64 ? 1 : 0]);
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((o) => o.trial_id)).size).toBe(4);
  });
});

describe('every distribution works with TPE', () => {
  const specs: Record<string, ParamSpec> = {
    int: { distribution: 'int_uniform', min: 2, max: 9 },
    uni: { distribution: 'uniform', min: -1, max: 3 },
    quni: { distribution: 'q_uniform', min: 0, max: 1, q: 0.25 },
    logu: { distribution: 'log_uniform', min: -3, max: 0 },
    loguv: { distribution: 'log_uniform_values', min: 1e-4, max: 0.1 },
    qlogu: { distribution: 'q_log_uniform', min: 0, max: 4, q: 1 },
    qloguv: { distribution: 'q_log_uniform_values', min: 1, max: 1000, q: 10 },
    inv: { distribution: 'inv_log_uniform', min: 0, max: 3 },
    invv: { distribution: 'inv_log_uniform_values', min: 0.01, max: 1 },
    norm: { distribution: 'normal', mu: 0, sigma: 1 },
    qnorm: { distribution: 'q_normal', mu: 0, sigma: 2, q: 0.5 },
    lognorm: { distribution: 'log_normal', mu: 0, sigma: 1 },
    qlognorm: { distribution: 'q_log_normal', mu: 1, sigma: 1, q: 1 },
    beta: { distribution: 'beta', a: 2, b: 5 },
    qbeta: { distribution: 'q_beta', a: 2, b: 2, q: 0.1 },
    cat: { distribution: 'categorical', values: ['x', 'y', 'z'] },
    catp: { distribution: 'categorical_w_probabilities', values: ['p', 'q'], probabilities: [0.9, 0.1] },
    ord: { distribution: 'categorical', values: [1, 10, 100] },
    fixed: { distribution: 'constant', value: 'c' },
    cond: { distribution: 'int_uniform', min: 1, max: 3, when: { cat: ['x'] } },
  };
  const multipleOf = (v: number, q: number) => Math.abs(v / q - Math.round(v / q)) < 1e-9;
  const support: Record<string, (v: number) => boolean> = {
    int: (v) => Number.isInteger(v) && v >= 2 && v <= 9,
    uni: (v) => v >= -1 && v <= 3,
    quni: (v) => multipleOf(v, 0.25) && v >= 0 && v <= 1,
    logu: (v) => v >= Math.exp(-3) - 1e-12 && v <= 1,
    loguv: (v) => v >= 1e-4 - 1e-15 && v <= 0.1 + 1e-15,
    qlogu: (v) => Number.isInteger(v) && v >= 1 && v <= 55,
    qloguv: (v) => multipleOf(v, 10) && v >= 0 && v <= 1000,
    inv: (v) => v >= Math.exp(-3) - 1e-12 && v <= 1,
    invv: (v) => v >= 0.01 - 1e-15 && v <= 1 + 1e-12,
    norm: Number.isFinite,
    qnorm: (v) => multipleOf(v, 0.5),
    lognorm: (v) => v > 0,
    qlognorm: (v) => Number.isInteger(v) && v >= 0,
    beta: (v) => v >= 0 && v <= 1,
    qbeta: (v) => multipleOf(v, 0.1) && v >= 0 && v <= 1,
  };
  // the category matters most; a small smooth term over every numeric parameter
  const objective = (p: Record<string, unknown>) => {
    let smooth = 0;
    for (const k of Object.keys(support)) smooth -= Math.log1p(Math.abs(p[k] as number));
    return [(p.cat === 'x' ? 1 : 0) + 0.01 * smooth];
  };

  it('suggestions stay in each distribution’s support, conditions are honoured', () => {
    const sampler = new TpeSampler(specSpace(specs), { seed: 11, objectives: [{ goal: 'maximize' }] });
    const run = runSequential(sampler, 40, (t) => t.params, objective);
    expect(run).toHaveLength(40);
    for (const o of run.slice(10)) {
      for (const [k, ok] of Object.entries(support))
        expect([k, ok(o.params[k] as number)]).toEqual([k, true]);
      expect(['x', 'y', 'z']).toContain(o.params.cat);
      expect(['p', 'q']).toContain(o.params.catp);
      expect([1, 10, 100]).toContain(o.params.ord);
      expect(o.params.fixed).toBe('c');
      if (o.params.cat === 'x') expect([1, 2, 3]).toContain(o.params.cond);
      else expect(o.params).not.toHaveProperty('cond');
    }
    // the model picked up the categorical signal: most model-driven suggestions choose "x"
    expect(run.slice(10).filter((o) => o.params.cat === 'x').length).toBeGreaterThan(15);
  });
});

describe('conditional parameters', () => {
  it('only trials where a parameter was active inform it: TPE finds momentum 0.9 under sgd', () => {
    const space = sweepSpace({
      optimizer: { values: ['adam', 'sgd'] },
      momentum: { distribution: 'uniform', min: 0, max: 0.99, when: { optimizer: 'sgd' } },
      learning_rate: { values: [0.001, 0.01, 0.1] },
    });
    const score = (c: Record<string, unknown>) => [
      c.optimizer === 'sgd' ? 1 - Math.abs((c.momentum as number) - 0.9) : 0.5,
    ];
    const sampler = new TpeSampler(space, { seed: 2, objectives: [{ goal: 'maximize' }] });
    const run = runSequential(sampler, 40, configOf, score);
    const late = run.slice(20).filter((o) => o.params.optimizer === 'sgd');
    expect(late.length).toBeGreaterThan(12);
    const near = late.filter((o) => Math.abs((o.params.momentum as number) - 0.9) < 0.15);
    expect(near.length).toBeGreaterThan(late.length / 2);
    // adam trials keep the default momentum (inactive parameter)
    for (const o of run.filter((x) => x.params.optimizer === 'adam')) expect(o.params.momentum).toBe(0);
  });
});

describe('start-up draws', () => {
  it('spread out: the 10 start-up trials lie farther apart than independent draws', () => {
    const space = specSpace({
      a: { distribution: 'uniform', min: 0, max: 1 },
      b: { distribution: 'uniform', min: 0, max: 1 },
    });
    const closest = (spreadDraws: number, seed: number) => {
      const sampler = new TpeSampler(space, { seed, objectives: [{ goal: 'maximize' }], spreadDraws });
      const pts = runSequential(
        sampler,
        10,
        (t) => t.params,
        () => [0],
      ).map((o) => [o.params.a as number, o.params.b as number]);
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < pts.length; i++)
        for (let j = i + 1; j < pts.length; j++)
          min = Math.min(min, Math.hypot(pts[i]![0]! - pts[j]![0]!, pts[i]![1]! - pts[j]![1]!));
      return min;
    };
    for (const seed of [1, 2, 3, 4, 5]) expect(closest(24, seed)).toBeGreaterThan(closest(1, seed));
  });
});
