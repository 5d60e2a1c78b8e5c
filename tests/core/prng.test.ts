/** xoshiro128** test vectors from the authors' C reference (xoshiro128starstar.c + splitmix64.c, gcc). */
import { describe, expect, it } from 'vitest';
import { carveValidation } from '../../core/nn/data.ts';
import { seedState, Xoshiro128ss } from '../../core/nn/prng.ts';

const draw = (r: Xoshiro128ss, n: number) => Array.from({ length: n }, () => r.next());

describe('xoshiro128**', () => {
  it('matches the reference outputs for state [1,2,3,4]', () => {
    expect(draw(new Xoshiro128ss([1, 2, 3, 4]), 8)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it('seeds through SplitMix64 as the reference does', () => {
    expect(seedState(0)).toEqual([2065550767, 3793791033, 2713282036, 1853398634]);
    expect(seedState(42)).toEqual([803958421, 3184996902, 2993090819, 686809907]);
    expect(seedState(4294967295)).toEqual([2951840192, 1940994978, 323015604, 1629504261]);
    expect(draw(new Xoshiro128ss(0), 8)).toEqual([
      3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774, 3260698944, 2754151956,
    ]);
    expect(draw(new Xoshiro128ss(42), 8)).toEqual([
      1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222, 2940343271, 2244566231,
    ]);
  });

  it('getState/setState continue the same stream', () => {
    const a = new Xoshiro128ss(5);
    draw(a, 13);
    const b = new Xoshiro128ss(1);
    b.setState(a.getState());
    expect(draw(b, 20)).toEqual(draw(a, 20));
  });

  it('derived draws stay in range and shuffle is a permutation', () => {
    const r = new Xoshiro128ss(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i++) {
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      counts[r.below(7)]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800); // ≈1000 each
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 20000; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / 20000)).toBeLessThan(0.05);
    expect(Math.abs(s2 / 20000 - 1)).toBeLessThan(0.05);
    const a = Uint32Array.from({ length: 50 }, (_, i) => i);
    r.shuffle(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects the all-zero state', () => {
    expect(() => new Xoshiro128ss([0, 0, 0, 0])).toThrow();
  });
});

describe('carveValidation', () => {
  it('is the first round(n·f) of a seeded shuffle as validation, the rest as training, both ascending', () => {
    for (const [n, f, seed] of [
      [1000, 0.1, 1],
      [997, 0.25, 7],
      [10, 0, 3],
      [10, 1, 3],
    ] as const) {
      const { val, train } = carveValidation(n, f, new Xoshiro128ss(seed));
      const perm = Uint32Array.from({ length: n }, (_, i) => i);
      new Xoshiro128ss(seed).shuffle(perm);
      const k = Math.round(n * f);
      expect([...val]).toEqual([...perm.slice(0, k)].sort((a, b) => a - b));
      expect([...train]).toEqual([...perm.slice(k)].sort((a, b) => a - b));
    }
  });
});
