/**
 * What the trainer trains on, whatever the data set's kind: its shape, its task, and how rows of each split
 * reach a model's buffers. Images: u8 pixels (shift augmentation on the way) and class ids; tables: dense
 * float32 features (already preprocessed), and class ids or standardised targets.
 */
import type { LoadedDataset } from '../dataset.ts';
import { gatherBatch, gatherRows } from './data.ts';
import type { DataShape, Mlp } from './model.ts';
import type { Xoshiro128ss } from './prng.ts';

export interface SplitRows {
  readonly count: number;
  /**
   * Copies rows idx[start..start+B) into rows [0, B) of m's inputs and labels (or targets); images shift by
   * up to `shift` pixels, drawing from rng (tables ignore both).
   */
  gather(m: Mlp, idx: Uint32Array, start: number, B: number, shift: number, rng: Xoshiro128ss | null): void;
}

export interface TrainingSet {
  readonly name: string;
  readonly version: string;
  readonly kind: 'image' | 'table';
  readonly task: 'classification' | 'regression';
  /** Inputs per row: the width `layers[0]` must have. */
  readonly inputs: number;
  /** Classes, or 1 for a regression: the width of the last layer. */
  readonly outputs: number;
  /** The inputs, for messages: "28×28 = 784 inputs", "13 inputs". */
  readonly inputsText: string;
  readonly shape: DataShape;
  readonly train: SplitRows;
  readonly test: SplitRows;
  /** Regression: y = z·std + mean gives the target's units; maxAbs = max |z| over the training rows. */
  readonly target?: { name: string; mean: number; std: number; maxAbs: number };
  /** Tables: the label's value of each class id. */
  readonly classNames?: readonly string[];
  /** Images: test row i's pixels (the report draws the confident mistakes). */
  readonly testPixels?: (i: number) => Uint8Array;
}

export function trainingSet(d: LoadedDataset): TrainingSet {
  if (d.kind !== 'table') {
    const D = d.rows * d.cols;
    const images = (s: typeof d.train): SplitRows => ({
      count: s.count,
      gather: (m, idx, start, B, shift, rng) =>
        gatherBatch(s, idx, start, B, d.rows, d.cols, shift, rng, m.input, m.labels),
    });
    return {
      name: d.name,
      version: d.version,
      kind: 'image',
      task: 'classification',
      inputs: D,
      outputs: d.classes,
      inputsText: `${d.rows}×${d.cols} = ${D} inputs`,
      shape: { input: 'pixels', output: 'softmax', pixelMean: d.pixelMean, pixelStd: d.pixelStd },
      train: images(d.train),
      test: images(d.test),
      testPixels: (i) => d.test.images.slice(i * D, (i + 1) * D),
    };
  }
  const w = d.inputs;
  const regression = d.task === 'regression';
  const table = (s: typeof d.train): SplitRows => ({
    count: s.count,
    gather: (m, idx, start, B) =>
      gatherRows(s.features, s.labels, w, idx, start, B, m.dense!, regression ? m.targets! : m.labels),
  });
  const common = {
    name: d.name,
    version: d.version,
    kind: 'table' as const,
    inputs: w,
    inputsText: `${w} inputs`,
    train: table(d.train),
    test: table(d.test),
  };
  if (d.task === 'classification') {
    return {
      ...common,
      task: 'classification',
      outputs: d.classes,
      shape: { input: 'dense', output: 'softmax', pixelMean: 0, pixelStd: 1 },
      classNames: d.classNames,
    };
  }
  let maxAbs = 0;
  for (const z of d.train.labels) maxAbs = Math.max(maxAbs, Math.abs(z));
  return {
    ...common,
    task: 'regression',
    outputs: 1,
    shape: { input: 'dense', output: 'linear', pixelMean: 0, pixelStd: 1 },
    target: { ...d.target, maxAbs },
  };
}
