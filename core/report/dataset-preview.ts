/**
 * The report's DatasetPreview: from an in-memory image Dataset (class histograms + a few samples per class),
 * or from a table's manifest (what each column became, the label's classes or the target's statistics).
 */
import type { TableManifest } from '../data/tabular/manifest.ts';
import type { Dataset } from '../dataset.ts';
import { formatUnits } from './format.ts';
import { base64Encode } from './png.ts';
import type { DatasetPreview, TablePreview } from './types.ts';

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

/** A table data set at a glance, from its manifest. */
export function tableDatasetPreview(m: TableManifest, name: string): DatasetPreview {
  const count = (entries: readonly { count: number }[]) => entries.reduce((s, e) => s + e.count, 0);
  const label = m.label;
  const table: TablePreview = {
    task: m.task,
    inputs: m.inputs,
    rows: { train: count(m.train), test: count(m.test) },
    label: label.column,
    ...(label.task === 'classification'
      ? { classes: label.classes }
      : { target: { mean: label.mean, std: label.std, min: label.min, max: label.max } }),
    columns: m.features.map((f) => ({
      column: f.column,
      type: f.type,
      summary:
        f.type === 'numeric'
          ? `mean ${formatUnits(f.mean)} ± ${formatUnits(f.std)} (missing → median ${formatUnits(f.median)})`
          : `${f.categories.length} categories${f.other ? ` + (other): ${f.pooled} pooled` : ''} (missing → ${f.most_frequent})`,
      missing: f.missing,
    })),
    dropped: m.dropped,
  };
  return {
    name,
    class_histogram:
      label.task === 'classification'
        ? { train: label.histogram.train, test: label.histogram.test }
        : { train: [], test: [] },
    samples: [],
    rows: 0,
    cols: 0,
    table,
  };
}
