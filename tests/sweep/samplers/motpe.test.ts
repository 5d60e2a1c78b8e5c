import { describe, expect, it } from 'vitest';
import { samplerFor } from '../../../core/sweep/samplers/index.ts';
import { hypervolume } from '../../../core/sweep/samplers/tpe/pareto.ts';
import type { ParamSpec } from '../../../core/sweep/types.ts';
import { runSequential, specSpace } from './helpers.ts';

// ZDT1 over [0, 1]^4, both objectives minimised; its Pareto front is f2 = 1 − √f1 (x1…x3 = 0)
const specs: Record<string, ParamSpec> = Object.fromEntries(
  ['x0', 'x1', 'x2', 'x3'].map((k) => [k, { distribution: 'uniform', min: 0, max: 1 } as ParamSpec]),
);
const zdt1 = (p: Record<string, unknown>) => {
  const x = ['x0', 'x1', 'x2', 'x3'].map((k) => p[k] as number);
  const g = 1 + (9 * (x[1]! + x[2]! + x[3]!)) / 3;
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
};
const objectives = [{ goal: 'minimize' as const }, { goal: 'minimize' as const }];

function finalHypervolume(method: 'random' | 'tpe', seed: number): number {
  const sampler = samplerFor(method, specSpace(specs), { seed, objectives, trials: 80 });
  const run = runSequential(sampler, 80, (t) => t.params, zdt1);
  return hypervolume(
    run.map((o) => [...o.values!]),
    [1.1, 11],
  );
}

describe('multi-objective TPE (MOTPE)', () => {
  it('on ZDT1 its 80 trials dominate more hypervolume than random search, seed for seed', () => {
    const seeds = [0, 1, 2, 3, 4];
    const tpe = seeds.map((s) => finalHypervolume('tpe', s));
    const random = seeds.map((s) => finalHypervolume('random', s));
    const wins = seeds.filter((_, i) => tpe[i]! > random[i]!).length;
    expect(wins).toBeGreaterThanOrEqual(4);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(tpe)).toBeGreaterThan(mean(random));
  });

  it('maximised objectives are handled: negating an objective and its goal changes nothing', () => {
    const flipped = [{ goal: 'maximize' as const }, { goal: 'minimize' as const }];
    const a = runSequential(
      samplerFor('tpe', specSpace(specs), { seed: 9, objectives }),
      25,
      (t) => t.params,
      zdt1,
    );
    const b = runSequential(
      samplerFor('tpe', specSpace(specs), { seed: 9, objectives: flipped }),
      25,
      (t) => t.params,
      (p) => {
        const [f1, f2] = zdt1(p);
        return [-f1!, f2!];
      },
    );
    expect(b.map((o) => o.trial_id)).toEqual(a.map((o) => o.trial_id));
  });
});
