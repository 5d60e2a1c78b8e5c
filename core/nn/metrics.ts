/**
 * Classification metrics, pure functions (conventions of scikit-learn's classification_report:
 * a 0/0 precision, recall or F1 is 0; macro = unweighted mean over classes; weighted = mean weighted
 * by support).
 */
import { base64 } from '@scure/base';
import type { ClassificationReport, ClassReport, ConfidentlyWrong, TestMetrics } from '../result.ts';
import type { FloatArray } from './kernels.ts';

/** confusion[true][predicted] over n samples. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]!]![predicted[i]!]!++;
  return m;
}

export function accuracyOf(confusion: readonly (readonly number[])[]): number {
  let right = 0;
  let total = 0;
  confusion.forEach((row, t) => {
    row.forEach((v, p) => {
      total += v;
      if (t === p) right += v;
    });
  });
  return total === 0 ? 0 : right / total;
}

export function classificationReport(confusion: readonly (readonly number[])[]): ClassificationReport {
  const K = confusion.length;
  const perClass: ClassReport[] = [];
  let total = 0;
  for (let c = 0; c < K; c++) {
    const tp = confusion[c]![c]!;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < K; j++) {
      support += confusion[c]![j]!;
      predicted += confusion[j]![c]!;
    }
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support });
    total += support;
  }
  const avg = (w: (r: ClassReport) => number, denom: number): ClassReport => ({
    precision: denom === 0 ? 0 : perClass.reduce((s, r) => s + w(r) * r.precision, 0) / denom,
    recall: denom === 0 ? 0 : perClass.reduce((s, r) => s + w(r) * r.recall, 0) / denom,
    f1: denom === 0 ? 0 : perClass.reduce((s, r) => s + w(r) * r.f1, 0) / denom,
    support: total,
  });
  return {
    perClass,
    accuracy: accuracyOf(confusion),
    macro: avg(() => 1, K),
    weighted: avg((r) => r.support, total),
  };
}

export interface WrongCandidate {
  index: number;
  label: number;
  predicted: number;
  probability: number;
}

/**
 * The k wrong predictions with the highest probability on the predicted class (ties: lower index
 * first), with their pixels when they are images (a table's rows are described by the caller).
 */
export function mostConfidentlyWrong(
  candidates: readonly WrongCandidate[],
  k: number,
  pixelsOf?: (index: number) => Uint8Array,
): ConfidentlyWrong[] {
  return candidates
    .filter((c) => c.label !== c.predicted)
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, k))
    .map((c) => (pixelsOf ? { ...c, pixels_b64: base64.encode(pixelsOf(c.index)) } : { ...c }));
}

/** Collects a test pass row by row (`onRow` per softmax row P[o..o+K)) into TestMetrics. */
export class TestCollector {
  private readonly labels: Uint16Array;
  private readonly predicted: Uint16Array;
  private readonly wrong: WrongCandidate[] = [];

  constructor(
    count: number,
    private readonly K: number,
  ) {
    this.labels = new Uint16Array(count);
    this.predicted = new Uint16Array(count);
  }

  readonly onRow = (row: number, P: FloatArray, o: number, label: number): void => {
    let arg = 0;
    for (let k = 1; k < this.K; k++) if (P[o + k]! > P[o + arg]!) arg = k;
    this.labels[row] = label;
    this.predicted[row] = arg;
    if (arg !== label) this.wrong.push({ index: row, label, predicted: arg, probability: P[o + arg]! });
  };

  finish(
    { loss, accuracy }: { loss: number; accuracy: number },
    topWrong: number,
    pixelsOf?: (index: number) => Uint8Array,
    classNames?: readonly string[],
  ): TestMetrics {
    const confusion = confusionMatrix(this.labels, this.predicted, this.K);
    return {
      accuracy,
      loss,
      confusion,
      report: classificationReport(confusion),
      confidently_wrong: mostConfidentlyWrong(this.wrong, topWrong, pixelsOf),
      ...(classNames ? { class_names: [...classNames] } : {}),
    };
  }
}
