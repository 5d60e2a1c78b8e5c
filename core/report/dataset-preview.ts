/** Build the report's DatasetPreview from an in-memory Dataset (class histograms + a few samples per class). */
import type { Dataset } from '../dataset.ts';
import { base64Encode } from './png.ts';
import type { DatasetPreview } from './types.ts';

function histogram(labels: Uint8Array, count: number, classes: number): number[] {
  const h = new Array<number>(classes).fill(0);
  for (let i = 0; i < count; i++) {
    const l = labels[i]!;
    if (l < classes) h[l] = h[l]! + 1;
  }
  return h;
}

/** The first `perClass` training images of every class, class by class. */
export function datasetPreview(ds: Dataset, opts: { perClass?: number } = {}): DatasetPreview {
  const perClass = opts.perClass ?? 4;
  const size = ds.rows * ds.cols;
  const picked: number[][] = Array.from({ length: ds.classes }, () => []);
  for (let i = 0; i < ds.train.count; i++) {
    const l = ds.train.labels[i]!;
    const bucket = picked[l];
    if (bucket && bucket.length < perClass) bucket.push(i);
    if (picked.every((b) => b.length >= perClass)) break;
  }
  const samples: DatasetPreview['samples'] = [];
  picked.forEach((idx, label) => {
    for (const i of idx)
      samples.push({ label, pixels_b64: base64Encode(ds.train.images.subarray(i * size, (i + 1) * size)) });
  });
  return {
    name: ds.version ? `${ds.name} ${ds.version}` : ds.name,
    class_histogram: {
      train: histogram(ds.train.labels, ds.train.count, ds.classes),
      test: histogram(ds.test.labels, ds.test.count, ds.classes),
    },
    samples,
    rows: ds.rows,
    cols: ds.cols,
  };
}
