import { describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { base64Decode, datasetPreview } from '../../core/report/index.ts';

describe('datasetPreview', () => {
  it('histograms both splits and takes the first images of every class', () => {
    const ds = loadMnistMini();
    const p = datasetPreview(ds, { perClass: 3 });
    expect(p.class_histogram.train.reduce((s, x) => s + x, 0)).toBe(ds.train.count);
    expect(p.class_histogram.test.reduce((s, x) => s + x, 0)).toBe(ds.test.count);
    expect(p.class_histogram.train).toHaveLength(10);
    expect(p.samples.map((s) => s.label)).toEqual([
      0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9,
    ]);
    // Each sample is the exact pixels of the first training image with that label.
    const first0 = [...ds.train.labels].indexOf(0);
    expect([...base64Decode(p.samples[0]!.pixels_b64)]).toEqual([
      ...ds.train.images.subarray(first0 * 784, (first0 + 1) * 784),
    ]);
    expect([p.rows, p.cols]).toEqual([28, 28]);
  });
});
