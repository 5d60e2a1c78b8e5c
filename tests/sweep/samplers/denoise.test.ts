import { describe, expect, it } from 'vitest';
import { TpeSampler } from '../../../core/sweep/samplers/index.ts';
import { denoiseRanks } from '../../../core/sweep/samplers/tpe/denoise.ts';
import { runSequential, specSpace } from './helpers.ts';

const rankOf = (ys: number[]) => {
  const order = ys.map((_, i) => i).sort((a, b) => ys[b]! - ys[a]!);
  const r: number[] = [];
  order.forEach((i, k) => {
    r[i] = k;
  });
  return r;
};
const argmin = (xs: number[]) => xs.indexOf(Math.min(...xs));

describe('denoised ranks', () => {
  it('a lucky value in a bad region no longer ranks first; the good region does', () => {
    // one ordered axis 0…39, truth peaks at 30; noise ±0.15; x = 5 got a lucky 1.5
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const noise = xs.map((i) => 0.15 * Math.sin(i * 12.9898));
    const ys = xs.map((x, i) => 1 - Math.abs(x - 30) / 30 + noise[i]!);
    ys[5] = 1.5;
    const ranks = rankOf(ys);
    expect(argmin(ranks)).toBe(5);
    const smooth = denoiseRanks(
      xs.map((x) => [x]),
      [false],
      ranks,
    );
    expect(Math.abs(argmin(smooth) - 30)).toBeLessThanOrEqual(3);
    expect(smooth[5]!).toBeGreaterThan(10);
  });

  it('noise-free values keep their order (cross-validation picks little smoothing)', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const ranks = rankOf(xs.map((x) => -((x - 12) ** 2)));
    const smooth = denoiseRanks(
      xs.map((x) => [x]),
      [false],
      ranks,
    );
    expect(argmin(smooth)).toBe(12);
  });

  it('categorical axes only pool the same choice; inactive conditional axes pool with each other', () => {
    const points = [[0], [0], [1], [1]];
    const smooth = denoiseRanks(points, [true], [0, 1, 2, 3]);
    expect(smooth[0]! + smooth[1]!).toBeCloseTo(1, 9);
    expect(smooth[2]! + smooth[3]!).toBeCloseTo(5, 9);
    const inactive = denoiseRanks([[undefined], [undefined], [3]], [false], [0, 2, 1]);
    expect(inactive[2]).toBe(1);
    expect(inactive[0]).toBeCloseTo(1, 9);
  });
});

describe('TPE options', () => {
  it('multivariate (joint over unconditional parameters) and without denoising also learn', () => {
    const space = specSpace({
      a: { distribution: 'uniform', min: 0, max: 1 },
      b: { distribution: 'int_uniform', min: 0, max: 9 },
      c: { distribution: 'categorical', values: ['x', 'y'] },
    });
    const f = (p: Record<string, unknown>) => [
      -(((p.a as number) - 0.7) ** 2) - ((p.b as number) - 6) ** 2 / 50 - (p.c === 'y' ? 0.2 : 0),
    ];
    for (const opts of [{ multivariate: true }, { denoise: false }, { multivariate: true, denoise: false }]) {
      const run = runSequential(
        new TpeSampler(space, { seed: 1, objectives: [{ goal: 'maximize' }], ...opts }),
        40,
        (t) => t.params,
        f,
      );
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(mean(run.slice(25).map((o) => o.values![0]!))).toBeGreaterThan(
        mean(run.slice(0, 10).map((o) => o.values![0]!)),
      );
    }
  });
});
