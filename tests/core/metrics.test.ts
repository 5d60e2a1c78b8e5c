/** Metrics against values computed by hand (and matching scikit-learn's classification_report). */
import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  classificationReport,
  confusionMatrix,
  mostConfidentlyWrong,
} from '../../core/nn/metrics.ts';

describe('metrics', () => {
  // labels / predictions over classes 0..2 (class 3 never occurs and is never predicted)
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const preds = [0, 1, 1, 1, 2, 0, 2];

  it('confusion[true][pred] and accuracy', () => {
    const c = confusionMatrix(labels, preds, 4);
    expect(c).toEqual([
      [1, 1, 0, 0],
      [0, 2, 0, 0],
      [1, 0, 2, 0],
      [0, 0, 0, 0],
    ]);
    expect(accuracyOf(c)).toBeCloseTo(5 / 7, 15);
  });

  it('per-class precision/recall/F1, macro and weighted averages', () => {
    const r = classificationReport(confusionMatrix(labels, preds, 3));
    // class 0: tp 1, predicted 2, support 2; class 1: tp 2, predicted 3, support 2; class 2: tp 2, predicted 2, support 3
    const expected = [
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 2 / 3, f1: 0.8, support: 3 },
    ];
    r.perClass.forEach((c, i) => {
      const e = expected[i]!;
      expect(c.precision).toBeCloseTo(e.precision, 12);
      expect(c.recall).toBeCloseTo(e.recall, 12);
      expect(c.f1).toBeCloseTo(e.f1, 12);
      expect(c.support).toBe(e.support);
    });
    expect(r.accuracy).toBeCloseTo(5 / 7, 12);
    expect(r.macro.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(r.macro.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3, 12);
    expect(r.macro.f1).toBeCloseTo(0.7, 12);
    expect(r.weighted.precision).toBeCloseTo((2 * 0.5 + 2 * (2 / 3) + 3) / 7, 12);
    expect(r.weighted.recall).toBeCloseTo(5 / 7, 12);
    expect(r.weighted.f1).toBeCloseTo((1 + 1.6 + 2.4) / 7, 12);
    expect(r.macro.support).toBe(7);
  });

  it('a class never predicted and never present scores 0 (sklearn zero_division=0) and counts in the macro mean', () => {
    const r = classificationReport(confusionMatrix(labels, preds, 4));
    expect(r.perClass[3]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro.f1).toBeCloseTo(2.1 / 4, 12);
    expect(r.weighted.f1).toBeCloseTo((1 + 1.6 + 2.4) / 7, 12);
  });

  it('most confidently wrong: highest probability first, ties by index, right answers excluded', () => {
    const px = (i: number) => Uint8Array.from([i, 255, 0]);
    const w = mostConfidentlyWrong(
      [
        { index: 4, label: 1, predicted: 2, probability: 0.7 },
        { index: 2, label: 3, predicted: 3, probability: 0.99 },
        { index: 9, label: 0, predicted: 5, probability: 0.9 },
        { index: 1, label: 2, predicted: 1, probability: 0.7 },
      ],
      2,
      px,
    );
    expect(w.map((x) => x.index)).toEqual([9, 1]);
    expect(w[0]).toEqual({ index: 9, label: 0, predicted: 5, probability: 0.9, pixels_b64: 'Cf8A' });
  });
});
