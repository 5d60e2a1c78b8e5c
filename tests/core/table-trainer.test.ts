/**
 * The trainer on tables (dense float inputs): classification with any class count, regression with its
 * errors in the target's own units, determinism, resume, divergence, fit checks, safetensors — on both
 * engines.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { LoadedDataset } from '../../core/dataset.ts';
import {
  createTrainer,
  DataMismatchError,
  decodeSafetensors,
  REGRESSION_POINTS,
  resumeTrainer,
  type Trainer,
} from '../../core/nn/index.ts';
import { isRegressionTest, type RegressionTestMetrics, type TestMetrics } from '../../core/result.ts';
import { manyClassesTable, toyClassificationTable, toyRegressionTable } from './toy-table.ts';

const cfg = (over: Record<string, unknown>): TrialConfig => {
  const p = parseTrialConfig({ batch_size: 16, epochs: 8, learning_rate: 0.01, ...over });
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.value;
};
const classes = toyClassificationTable();
const regression = toyRegressionTable();
const regCfg = (over: Record<string, unknown> = {}) =>
  cfg({ layers: [5, 16, 1], loss: 'mse', validation_split: 0.2, ...over });
const noTiming = (h: readonly object[]) => h.map((m) => ({ ...m, wall_s: 0, samples_per_s: 0 }));

function run<T extends Trainer>(t: T): T {
  while (t.status === 'running') t.runEpoch();
  return t;
}

const regressionTest = (t: Trainer): RegressionTestMetrics => {
  const m = t.evaluateTest(5);
  if (!isRegressionTest(m)) throw new Error('expected regression metrics');
  return m;
};

for (const engine of ENGINES)
  describe(`trainer on tables (${engine} engine)`, () => {
    it('classifies a table: dense inputs, class names in the test metrics, no accuracy lost to the input path', () => {
      const t = run(createTrainer(cfg({ engine, layers: [5, 12, 3] }), classes));
      expect(t.status).toBe('finished');
      expect(t.history.at(-1)!.train_loss).toBeLessThan(t.history[0]!.train_loss * 0.7);
      const test = t.evaluateTest(4) as TestMetrics;
      expect(test.accuracy).toBeGreaterThan(0.85);
      expect(test.class_names).toEqual(['low', 'mid', 'high']);
      expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(90);
      // Tables have no pixels: the worker describes the rows (core/data/tabular/decode.ts).
      for (const w of test.confidently_wrong) expect(w.pixels_b64).toBeUndefined();
      expect(t.history[0]!.val_rmse).toBeUndefined();
    });

    it('learns 300 classes (class ids past 255: u16 labels)', () => {
      const many = manyClassesTable(300);
      const t = run(
        createTrainer(
          cfg({ engine, layers: [300, 300], epochs: 30, learning_rate: 0.05, validation_split: 0 }),
          many,
        ),
      );
      const test = t.evaluateTest(0) as TestMetrics;
      expect(test.confusion).toHaveLength(300);
      expect(test.accuracy).toBeGreaterThan(0.95);
      expect(test.confusion[299]![299]).toBe(1);
    });

    for (const loss of ['mse', 'huber'] as const)
      it(`regresses with ${loss}: errors in the target's units, R², no accuracy`, () => {
        const t = run(createTrainer(regCfg({ engine, loss, epochs: 30 }), regression));
        expect(t.status).toBe('finished');
        const last = t.history.at(-1)!;
        expect(last.train_accuracy).toBeNaN();
        expect(last.val_accuracy).toBeNaN();
        // y's noise is 5 units (std 40): a fitted net gets close to it, far below predicting the mean (≈ 40).
        expect(last.val_rmse!).toBeLessThan(9);
        expect(last.val_mae!).toBeLessThan(last.val_rmse!);
        expect(last.val_r2!).toBeGreaterThan(0.95);
        if (loss === 'mse') expect(last.val_rmse!).toBeCloseTo(40 * Math.sqrt(last.val_loss), 9);
        const test = regressionTest(t);
        expect(test.rmse).toBeLessThan(9);
        expect(test.r2).toBeGreaterThan(0.95);
        expect(test.target).toBe('y');
        expect(test.points).toHaveLength(Math.min(100, REGRESSION_POINTS));
        // Points are in the target's units (y ≈ 200 ± 40), each with its own error.
        const ys = test.points.map((p) => p.actual);
        expect(Math.min(...ys)).toBeGreaterThan(50);
        expect(Math.max(...ys)).toBeLessThan(350);
        const errs = test.worst.map((w) => Math.abs(w.predicted - w.actual));
        expect(errs).toHaveLength(5);
        expect([...errs].sort((a, b) => b - a)).toEqual(errs);
        const worstOfAll = Math.max(...test.points.map((p) => Math.abs(p.predicted - p.actual)));
        expect(errs[0]!).toBeGreaterThanOrEqual(worstOfAll);
      });

    it('is deterministic, and a resumed regression gives the bytes of an uninterrupted one', () => {
      const c = regCfg({ engine, epochs: 4, dropout: 0.1, layers: [5, 8, 8, 1] });
      const a = run(createTrainer(c, regression));
      const b = run(createTrainer(c, regression));
      expect(Buffer.from(a.safetensors()).equals(Buffer.from(b.safetensors()))).toBe(true);
      expect(noTiming(a.history)).toEqual(noTiming(b.history));
      const half = createTrainer(c, regression);
      half.runEpoch();
      half.runEpoch();
      const rest = run(resumeTrainer(c, regression, half.serialize()));
      expect(Buffer.from(rest.safetensors()).equals(Buffer.from(a.safetensors()))).toBe(true);
      expect(noTiming(rest.history)).toEqual(noTiming(a.history));
      expect(regressionTest(rest)).toEqual(regressionTest(a));
    });

    it('a regression whose loss explodes is diverged, with the reason', () => {
      const t = run(
        createTrainer(regCfg({ engine, optimizer: 'sgd', learning_rate: 50, epochs: 5 }), regression),
      );
      expect(t.status).toBe('diverged');
      expect(t.divergedReason).toMatch(/loss (exploded|is (NaN|Infinity))|weights are not finite/);
    });

    it('safetensors say the output is linear and how to get back to the target', () => {
      const t = run(createTrainer(regCfg({ engine, epochs: 1 }), regression));
      const { metadata } = decodeSafetensors(t.safetensors());
      expect(metadata).toMatchObject({ output: 'linear', target: 'y', target_mean: '200', target_std: '40' });
      expect(metadata.normalize).toBeUndefined();
    });
  });

describe('what a table refuses', () => {
  const cases: [string, TrialConfig, LoadedDataset, RegExp][] = [
    [
      'cross_entropy on a regression',
      regCfg({ loss: 'cross_entropy' }),
      regression,
      /loss is cross_entropy .* regression: use mse or huber/,
    ],
    [
      'huber on a classification',
      cfg({ layers: [5, 3], loss: 'huber' }),
      classes,
      /loss is huber .* classification: use cross_entropy or mse/,
    ],
    [
      'two outputs for a regression',
      regCfg({ layers: [5, 2] }),
      regression,
      /output layer has 2 units .* regression \(1 output\)/,
    ],
    [
      'the wrong input width',
      cfg({ layers: [6, 3] }),
      classes,
      /layers\[0\] is 6 but toy-table has 5 inputs/,
    ],
    ['image shifts', cfg({ layers: [5, 3], augment_shift: 2 }), classes, /augment_shift is 2 .* table/],
  ];
  for (const [what, c, d, message] of cases)
    it(what, () => {
      expect(() => createTrainer(c, d)).toThrow(DataMismatchError);
      expect(() => createTrainer(c, d)).toThrow(message);
    });
});
