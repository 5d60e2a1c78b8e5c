/**
 * Real Fashion-MNIST from Debian's `dataset-fashion-mnist` package (CI installs it). Without the package
 * this test fails, on purpose, with the command that installs it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIdxDirectory } from '../../adapters/data/idx-files.ts';
import { nodeSha256 } from '../../adapters/data/loader.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { loadFromStore, prepareDataset } from '../../core/data/prepare.ts';
import { DEBIAN_FASHION_MNIST, tempDir } from './helpers.ts';

const FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

function requirePackage(): void {
  const missing = FILES.filter((f) => !existsSync(join(DEBIAN_FASHION_MNIST, `${f}.gz`)));
  if (missing.length > 0) {
    throw new Error(
      `Fashion-MNIST files missing in ${DEBIAN_FASHION_MNIST} (${missing.join(', ')}): ` +
        'install the Debian package with `apt-get install -y dataset-fashion-mnist`',
    );
  }
}

let cleanup = () => {};
afterEach(() => cleanup());

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('loads 60,000 + 10,000 balanced 28×28 images in 10 classes', async () => {
    requirePackage();
    const ds = await loadIdxDirectory(DEBIAN_FASHION_MNIST, { name: 'fashion-mnist' });
    expect([ds.rows, ds.cols, ds.classes]).toEqual([28, 28, 10]);
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    const hist = (labels: Uint8Array) => {
      const h = new Array<number>(10).fill(0);
      for (const c of labels) h[c]!++;
      return h;
    };
    expect(hist(ds.train.labels)).toEqual(new Array(10).fill(6000));
    expect(hist(ds.test.labels)).toEqual(new Array(10).fill(1000));
    // Published statistics of Fashion-MNIST's training pixels: mean ≈ 0.2860, std ≈ 0.3530.
    expect(ds.pixelMean).toBeCloseTo(0.286, 3);
    expect(ds.pixelStd).toBeCloseTo(0.353, 3);
  });

  it('is found by name without a download, and survives prepare + load', async () => {
    requirePackage();
    const t = tempDir('fm');
    cleanup = t.cleanup;
    const r = await resolveDataset('fashion-mnist', { cacheDir: t.dir, offline: true });
    expect(r.notice).toBeUndefined();
    expect(r.dataset.name).toBe('fashion-mnist');
    const store = new MemoryBlobStore();
    const { manifest } = await prepareDataset(store, r.dataset, r.source, { hash: nodeSha256 });
    expect(manifest.train.map((e) => e.count)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
    const loaded = await loadFromStore(store, manifest, { trainShards: 2, hash: nodeSha256 });
    expect(loaded.train.count).toBe(20_000);
    expect(Buffer.compare(loaded.train.images, r.dataset.train.images.subarray(0, 20_000 * 784))).toBe(0);
    expect(Buffer.compare(loaded.test.labels, r.dataset.test.labels)).toBe(0);
  });
});
