import { describe, expect, it } from 'vitest';
import {
  buildLeaderboard,
  confusionCells,
  etaSquared,
  groupKeys,
  learningCurves,
  learningRateScatter,
  matrixClasses,
  normaliseDimension,
  parallelCoordinates,
  parameterImportance,
  speedUp,
  trainingDynamics,
} from '../../core/report/index.ts';
import type { ReportSweep } from '../../core/report/types.ts';
import type { TrialResult } from '../../core/result.ts';
import { epoch, makeResult } from './synthetic.ts';

const SWEEP: ReportSweep = { sweep_id: 's1', name: 't', metric: { name: 'val_accuracy', goal: 'maximize' } };

describe('parameter importance (η²)', () => {
  /** Full factorial a∈{relu,tanh,sigmoid} × b∈{32,64}, replicated twice; metric given by `f`. */
  function factorial(f: (a: number, b: number, rep: number) => number): TrialResult[] {
    const acts = ['relu', 'tanh', 'sigmoid'] as const;
    const out: TrialResult[] = [];
    let i = 0;
    for (let rep = 0; rep < 2; rep++)
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 2; b++)
          out.push(
            makeResult(
              { trial_id: `t${i}`, index: i++, val_accuracy: f(a, b, rep) },
              { activation: acts[a], batch_size: [32, 64][b] },
            ),
          );
    return out;
  }

  it('metric fully determined by one parameter: η² = 1 for it, 0 for the other', () => {
    const results = factorial((a) => [0.9, 0.95, 0.8][a]!);
    const imp = parameterImportance(results, buildLeaderboard(SWEEP, results));
    expect(imp.map((i) => i.param)).toEqual(['activation', 'batch_size']);
    expect(imp[0]!.eta2).toBeCloseTo(1, 12);
    expect(imp[1]!.eta2).toBeCloseTo(0, 12);
    expect(imp[0]).toMatchObject({ groups: 3, n: 12, bucketed: false });
  });

  it('additive balanced effects split the variance by their sizes', () => {
    // a effects −1, 0, +1 (variance 2/3), b effects ±0.5 (variance 1/4): η²(a) = (2/3)/(2/3+1/4) = 8/11.
    const results = factorial((a, b) => 0.5 + 0.01 * ([-1, 0, 1][a]! + [-0.5, 0.5][b]!));
    const imp = parameterImportance(results, buildLeaderboard(SWEEP, results));
    const by = Object.fromEntries(imp.map((i) => [i.param, i.eta2]));
    expect(by.activation).toBeCloseTo(8 / 11, 10);
    expect(by.batch_size).toBeCloseTo(3 / 11, 10);
  });

  it('uses completed trials only and is 0 for a constant metric', () => {
    const results = factorial(() => 0.9);
    results.push(makeResult({ trial_id: 'p', state: 'pruned', val_accuracy: 0.1 }, { activation: 'relu' }));
    const imp = parameterImportance(results, buildLeaderboard(SWEEP, results));
    for (const i of imp) {
      expect(i.eta2).toBe(0);
      expect(i.n).toBe(12);
    }
  });

  it('etaSquared and its bias-corrected ε² on a hand-computed example', () => {
    // groups x: [1, 3], y: [5, 7]; mean 4; SS_total = 9+1+1+9 = 20; SS_between = 2·4 + 2·4 = 16.
    const r = etaSquared(['x', 'x', 'y', 'y'], [1, 3, 5, 7]);
    expect(r.eta2).toBeCloseTo(0.8, 12);
    // MS_within = (20 − 16)/(4 − 2) = 2; ε² = (16 − 1·2)/20 = 0.7.
    expect(r.epsilon2).toBeCloseTo(0.7, 12);
    expect(r.groups).toBe(2);
  });

  it('buckets many-valued numeric parameters into quartiles, ties together', () => {
    const g = groupKeys([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(g.bucketed).toBe(true);
    expect(g.keys).toEqual(['q0', 'q0', 'q1', 'q1', 'q2', 'q2', 'q3', 'q3']);
    const ties = groupKeys([5, 1, 5, 5, 2, 3, 4, 6, 7, 5]);
    const keyOf5 = ties.keys[0];
    ties.keys.forEach((k, i) => {
      if ([5, 1, 5, 5, 2, 3, 4, 6, 7, 5][i] === 5) expect(k).toBe(keyOf5);
    });
    expect(groupKeys([0.1, 0.2, 0.1]).bucketed).toBe(false);
    expect(groupKeys(['a', 'b']).keys).toEqual(['"a"', '"b"']);
  });
});

describe('parallel coordinates', () => {
  it('normalises linear, log, categorical and constant dimensions to 0..1', () => {
    const lin = normaliseDimension('batch_size', [32, 64, 96]);
    expect(lin.norm).toEqual([0, 0.5, 1]);
    expect(lin.dim.kind).toBe('linear');
    expect(lin.dim.ticks.map((t) => t.label)).toEqual(['32', '64', '96']);

    const log = normaliseDimension('learning_rate', [1e-4, 1e-3, 1e-2]);
    expect(log.dim.kind).toBe('log');
    expect(log.norm[0]).toBeCloseTo(0, 12);
    expect(log.norm[1]).toBeCloseTo(0.5, 12);
    expect(log.norm[2]).toBeCloseTo(1, 12);

    const cat = normaliseDimension('optimizer', ['sgd', 'adam', 'rmsprop', 'adam']);
    expect(cat.dim.categories).toEqual(['adam', 'rmsprop', 'sgd']);
    expect(cat.norm).toEqual([1, 0, 0.5, 0]);

    const layers = normaliseDimension('layers', [
      [784, 64, 10],
      [784, 128, 10],
    ]);
    expect(layers.raw).toEqual(['784-64-10', '784-128-10']);
    expect(layers.dim.kind).toBe('categorical');

    expect(normaliseDimension('x', [3, 3]).norm).toEqual([0.5, 0.5]);
    expect(normaliseDimension('x', ['a']).norm).toEqual([0.5]);
  });

  it('folds trials with a metric into one row per dimension, the metric last', () => {
    const results = [
      makeResult({ trial_id: 'a', val_accuracy: 0.9 }, { learning_rate: 0.1, optimizer: 'sgd' }),
      makeResult({ trial_id: 'b', val_accuracy: 0.7 }, { learning_rate: 0.001, optimizer: 'adam' }),
      makeResult({ trial_id: 'c', state: 'failed' }, { learning_rate: 0.01, optimizer: 'adam' }),
    ];
    const lb = buildLeaderboard(SWEEP, results);
    const pc = parallelCoordinates(results, lb);
    expect(pc.dims.map((d) => d.name)).toEqual(['optimizer', 'learning_rate', 'val_accuracy']);
    expect(pc.points).toHaveLength(2 * 3);
    expect(pc.points.some((p) => p.trial_id === 'c')).toBe(false);
    const a = Object.fromEntries(pc.points.filter((p) => p.trial_id === 'a').map((p) => [p.dim, p.norm]));
    expect(a).toEqual({ optimizer: 1, learning_rate: 1, val_accuracy: 1 });
    const b = Object.fromEntries(pc.points.filter((p) => p.trial_id === 'b').map((p) => [p.dim, p.norm]));
    expect(b).toEqual({ optimizer: 0, learning_rate: 0, val_accuracy: 0 });
    expect(pc.dims[1]!.kind).toBe('log');
  });
});

describe('learning curves, learning-rate scatter, dynamics', () => {
  const h = (accs: number[]) => accs.map((a, i) => epoch(i + 1, a, 1 - a));
  const results = [
    makeResult(
      { trial_id: 'best', val_accuracy: 0.95, history: h([0.8, 0.9, 0.95]) },
      { learning_rate: 0.01 },
    ),
    makeResult(
      { trial_id: 'second', val_accuracy: 0.93, history: h([0.7, 0.85, 0.93]) },
      { learning_rate: 0.003 },
    ),
    makeResult(
      { trial_id: 'third', val_accuracy: 0.9, history: h([0.6, 0.8, 0.9]) },
      { learning_rate: 0.001 },
    ),
    makeResult(
      { trial_id: 'pruned', state: 'pruned', val_accuracy: 0.5, history: h([0.5]) },
      { learning_rate: 0.3 },
    ),
    makeResult({ trial_id: 'failed', state: 'failed', history: h([0.4]) }, { learning_rate: 0.02 }),
    makeResult(
      { trial_id: 'diverged', state: 'diverged', val_accuracy: 0.1, history: [epoch(1, 0.1, Number.NaN)] },
      { learning_rate: 1 },
    ),
  ];
  const lb = buildLeaderboard(SWEEP, results);

  it('highlights the top trials, greys pruned ones, leaves out failed and NaN values', () => {
    const pts = learningCurves(results, lb, { top: 2 });
    const ids = (hl: boolean) => [...new Set(pts.filter((p) => p.highlight === hl).map((p) => p.trial_id))];
    expect(ids(true)).toEqual(['best', 'second']);
    expect(ids(false)).toEqual(['pruned']);
    const best = pts.filter((p) => p.trial_id === 'best' && p.series === 'val_accuracy');
    expect(best.map((p) => [p.epoch, p.value])).toEqual([
      [1, 0.8],
      [2, 0.9],
      [3, 0.95],
    ]);
    expect(pts.filter((p) => p.trial_id === 'best' && p.series === 'val_loss').map((p) => p.value)).toEqual([
      1 - 0.8,
      1 - 0.9,
      1 - 0.95,
    ]);
    expect(pts.every((p) => Number.isFinite(p.value))).toBe(true);
    expect(learningCurves(results, lb, { top: 8 }).some((p) => p.trial_id === 'third')).toBe(true);
  });

  it('plots learning rate against the metric for trials that have one', () => {
    const pts = learningRateScatter(results, lb);
    expect(pts.map((p) => [p.trial_id, p.learning_rate, p.metric])).toEqual([
      ['best', 0.01, 0.95],
      ['second', 0.003, 0.93],
      ['third', 0.001, 0.9],
      ['pruned', 0.3, 0.5],
    ]);
  });

  it('takes per-layer weight and gradient norms of the best trials', () => {
    const pts = trainingDynamics(results, lb, 2);
    expect([...new Set(pts.map((p) => p.trial))]).toEqual(['#1 best', '#2 second']);
    const w = pts.filter((p) => p.trial === '#1 best' && p.kind === 'weight norm');
    expect(w.map((p) => [p.epoch, p.layer, p.value])).toEqual([
      [1, 'W1', 6],
      [1, 'W2', 7],
      [2, 'W1', 7],
      [2, 'W2', 8],
      [3, 'W1', 8],
      [3, 'W2', 9],
    ]);
    expect(pts.filter((p) => p.kind === 'gradient norm')).toHaveLength(12);
  });

  it('speed-up is total compute over wall time', () => {
    const lb2 = buildLeaderboard(
      { ...SWEEP, started_at: '2025-01-01T00:00:00Z', finished_at: '2025-01-01T00:00:20Z' },
      [
        makeResult({ trial_id: 'a', wall_s: 30, val_accuracy: 0.5 }),
        makeResult({ trial_id: 'b', wall_s: 50, val_accuracy: 0.5 }),
      ],
    );
    expect(speedUp(lb2)).toBe(4);
  });
});

describe('confusion matrix heatmap data', () => {
  it('has one cell per (true, predicted) pair with row-normalised rates', () => {
    const m = [
      [8, 2, 0],
      [1, 9, 0],
      [0, 0, 0],
    ];
    const cells = confusionCells(m);
    expect(cells).toHaveLength(9);
    expect(cells.find((c) => c.actual === 0 && c.predicted === 1)).toEqual({
      actual: 0,
      predicted: 1,
      actual_label: '0',
      predicted_label: '1',
      count: 2,
      rate: 0.2,
    });
    expect(cells.find((c) => c.actual === 1 && c.predicted === 0)!.rate).toBeCloseTo(0.1, 12);
    expect(cells.filter((c) => c.actual === 2).every((c) => c.rate === 0)).toBe(true);
    for (const a of [0, 1]) {
      expect(cells.filter((c) => c.actual === a).reduce((s, c) => s + c.rate, 0)).toBeCloseTo(1, 12);
    }
    expect(cells.reduce((s, c) => s + c.count, 0)).toBe(20);
  });

  it("labels a table's classes by name, and draws the 40 classes with the most test rows of more", () => {
    expect(
      confusionCells(
        [
          [1, 0],
          [0, 1],
        ],
        ['cat', 'dog'],
      ).map((c) => `${c.actual_label}>${c.predicted_label}`),
    ).toEqual(['cat>cat', 'cat>dog', 'dog>cat', 'dog>dog']);
    // 50 classes: class c has c + 1 test rows, all right; the matrix keeps classes 10…49.
    const big = Array.from({ length: 50 }, (_, c) =>
      Array.from({ length: 50 }, (_, p) => (p === c ? c + 1 : 0)),
    );
    expect(matrixClasses(big)).toEqual(Array.from({ length: 40 }, (_, i) => i + 10));
    expect(confusionCells(big)).toHaveLength(1600);
  });
});
