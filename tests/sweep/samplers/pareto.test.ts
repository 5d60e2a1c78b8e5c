import { describe, expect, it } from 'vitest';
import {
  dominates,
  hypervolume,
  nonDominatedRanks,
  referencePoint,
  selectByHypervolume,
} from '../../../core/sweep/samplers/tpe/pareto.ts';

describe('Pareto helpers (every objective minimised)', () => {
  it('domination and non-domination ranks', () => {
    expect(dominates([1, 1], [2, 2])).toBe(true);
    expect(dominates([1, 2], [2, 1])).toBe(false);
    expect(dominates([1, 1], [1, 1])).toBe(false);
    expect(
      nonDominatedRanks([
        [1, 3],
        [2, 2],
        [3, 1],
        [2, 3],
        [3, 3],
        [4, 4],
      ]),
    ).toEqual([0, 0, 0, 1, 2, 3]);
  });

  it('exact hypervolume in 1, 2 and 3 dimensions', () => {
    expect(hypervolume([[1], [3]], [4])).toBe(3);
    // three steps under (4, 4): 1·1 + 2·1 + 3·1
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [4, 4],
      ),
    ).toBe(6);
    expect(hypervolume([[5, 5]], [4, 4])).toBe(0);
    expect(hypervolume([[1, 1, 1]], [2, 2, 2])).toBe(1);
    // two unit cubes overlapping in a 1×1×0.5 slab
    expect(
      hypervolume(
        [
          [0, 0, 0.5],
          [0, 0, 0],
        ],
        [1, 1, 1],
      ),
    ).toBe(1);
    expect(
      hypervolume(
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
        [2, 2, 1],
      ),
    ).toBe(3);
  });

  it('greedy hypervolume subset selection keeps the points that cover most', () => {
    const pts = [
      [1, 3],
      [2, 2],
      [3, 1],
      [2.9, 1.1],
    ];
    // alone, (2, 2) covers most (4); next, (1, 3) and (3, 1) each add 1 and (2.9, 1.1) only 0.99: the lower index wins
    expect(selectByHypervolume(pts, 1, [4, 4])).toEqual([1]);
    expect(selectByHypervolume(pts, 2, [4, 4])).toEqual([1, 0]);
    const ref = referencePoint([
      [1, -2],
      [3, -4],
    ]);
    expect(ref[0]).toBeCloseTo(3.3, 12);
    expect(ref[1]).toBeCloseTo(-1.8, 12);
  });
});
