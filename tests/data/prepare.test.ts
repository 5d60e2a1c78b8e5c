import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearDatasetMemo, createDatasetLoader, DiskShardCache } from '../../adapters/data/loader.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { loadFromStore, prepareDataset } from '../../core/data/prepare.ts';
import { parseManifest, previewPixels, type ShardEntry, sha256Hex } from '../../core/data/shards.ts';
import { ChecksumError, DatasetNotFoundError } from '../../core/data/store-io.ts';
import type { Dataset, LoadedDataset } from '../../core/dataset.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import { tempDir } from './helpers.ts';

const mini = await resolveDataset('mnist-mini');
const ds = mini.dataset;
const SHARD = 3000; // 7996 train ⇒ 3000 + 3000 + 1996; 2004 test ⇒ one shard

/** The loaded image data set (these tests load images only). */
function images(d: LoadedDataset): Dataset {
  if (d.kind === 'table') throw new Error(`${d.name} is a table`);
  return d;
}

/** Counts the reads reaching a real store (to see what the caches save). */
class CountingStore implements BlobStore {
  gets: string[] = [];
  constructor(private readonly inner: BlobStore) {}
  get(key: string) {
    this.gets.push(key);
    return this.inner.get(key);
  }
  getIfChanged(key: string, etag: string) {
    this.gets.push(key);
    return this.inner.getIfChanged(key, etag);
  }
  put(...a: Parameters<BlobStore['put']>) {
    return this.inner.put(...a);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

let dir: string;
let cleanup: () => void;
let store: FsBlobStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('prep'));
  store = new FsBlobStore(join(dir, 'store'));
  clearDatasetMemo();
});
afterEach(() => cleanup());

describe('prepareDataset', () => {
  it('writes shards and a manifest with checksums, histogram, stats and a preview', async () => {
    const r = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    expect(r.skipped).toBe(false);
    expect(r.written).toBe(5); // 3 train + 1 test + manifest
    const m = r.manifest;
    expect(m.version).toBe(ds.version);
    expect(m.train.map((e) => e.count)).toEqual([3000, 3000, 1996]);
    expect(m.test.map((e) => e.count)).toEqual([2004]);
    const listed = await store.list(keys.dataset('mnist-mini', m.version));
    expect(listed).toEqual(
      [
        keys.manifest('mnist-mini', m.version),
        ...m.train.map((e) => e.key),
        ...m.test.map((e) => e.key),
      ].sort(),
    );
    for (const e of [...m.train, ...m.test]) {
      const obj = await store.get(e.key);
      expect(sha256Hex(obj!.body)).toBe(e.sha256);
      expect(obj!.body.length).toBe(e.bytes);
    }
    const stored = parseManifest((await store.get(keys.manifest('mnist-mini', m.version)))!.body, 'm');
    expect(stored).toEqual(m);
    const hist = new Array(10).fill(0);
    for (const l of ds.train.labels) hist[l]++;
    expect(m.class_histogram.train).toEqual(hist);
    expect(m.class_histogram.test.reduce((a, b) => a + b)).toBe(2004);
    expect(m.pixel_mean).toBeCloseTo(ds.pixelMean, 10);
    expect(m.pixel_std).toBeCloseTo(ds.pixelStd, 10);
    expect(m.source).toHaveLength(10);
    expect(m.preview).toHaveLength(20);
    expect(m.preview!.map((p) => p.label)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
    ]);
    const first0 = ds.train.labels.indexOf(0);
    expect([...previewPixels(m.preview![0]!)]).toEqual([
      ...ds.train.images.subarray(first0 * 784, first0 * 784 + 784),
    ]);
  });

  it('is a no-op when re-run with the same data, and restores a missing shard', async () => {
    const first = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const again = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    expect(again).toMatchObject({ skipped: true, written: 0 });
    expect(again.manifest).toEqual(first.manifest); // including the first created_at
    expect(first.manifest.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    await store.delete(first.manifest.train[1]!.key);
    const repaired = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    expect(repaired).toMatchObject({ skipped: false, written: 1 });
    expect((await loadFromStore(store, first.manifest)).train.count).toBe(7996);
  });
});

describe('loadFromStore', () => {
  it('returns exactly the prepared data, on any BlobStore', async () => {
    for (const s of [store, new MemoryBlobStore()] as BlobStore[]) {
      const { manifest } = await prepareDataset(s, ds, mini.source, { shardSize: SHARD });
      const loaded = await loadFromStore(s, { name: 'mnist-mini', version: manifest.version });
      expect(loaded.train.count).toBe(ds.train.count);
      expect(loaded.test.count).toBe(ds.test.count);
      expect(Buffer.compare(loaded.train.images, ds.train.images)).toBe(0);
      expect(Buffer.compare(loaded.train.labels, ds.train.labels)).toBe(0);
      expect(Buffer.compare(loaded.test.images, ds.test.images)).toBe(0);
      expect(Buffer.compare(loaded.test.labels, ds.test.labels)).toBe(0);
      expect(loaded).toMatchObject({
        rows: 28,
        cols: 28,
        classes: 10,
        name: 'mnist-mini',
        version: manifest.version,
      });
      expect(loaded.pixelMean).toBeCloseTo(ds.pixelMean, 10);
    }
  });

  it('loads only the first k training shards when asked', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const counting = new CountingStore(store);
    const one = await loadFromStore(counting, manifest, { trainShards: 1 });
    expect(one.train.count).toBe(3000);
    expect(Buffer.compare(one.train.labels, ds.train.labels.subarray(0, 3000))).toBe(0);
    expect(one.test.count).toBe(2004);
    expect(counting.gets).not.toContain(manifest.train[1]!.key);
    expect((await loadFromStore(store, manifest, { trainShards: 99 })).train.count).toBe(7996);
    await expect(loadFromStore(store, manifest, { trainShards: 0 })).rejects.toThrow(RangeError);
  });

  it('refuses a corrupted shard with a ChecksumError naming it', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const victim = manifest.train[2]!;
    const bytes = (await store.get(victim.key))!.body.slice();
    bytes[5000] = bytes[5000]! ^ 0x01; // one flipped bit in the pixels: still decodes, must not be used
    await store.put(victim.key, bytes);
    const err = await loadFromStore(store, manifest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect((err as ChecksumError).key).toBe(victim.key);
    expect((err as ChecksumError).expected).toBe(victim.sha256);
    expect((err as Error).message).toContain(victim.key);
    // The worker's loader fails the same way, and does not memoize the failure.
    const loader = createDatasetLoader(store, { tmpDir: join(dir, 'cache') });
    await expect(loader.load(manifest)).rejects.toBeInstanceOf(ChecksumError);
    // The first shard is intact: a low-fidelity load does not need the bad one.
    expect((await loader.load(manifest, { trainShards: 1 })).train.count).toBe(3000);
    // A plain re-prepare only checks that the keys exist; with verify it finds and rewrites the bad shard.
    expect(await prepareDataset(store, ds, mini.source, { shardSize: SHARD })).toMatchObject({
      skipped: true,
    });
    expect(await prepareDataset(store, ds, mini.source, { shardSize: SHARD, verify: true })).toMatchObject({
      skipped: false,
      written: 1,
    });
    expect((await loader.load(manifest)).train.count).toBe(7996);
  });

  it('names a missing data set or shard', async () => {
    await expect(loadFromStore(store, { name: 'mnist', version: 'deadbeef0000' })).rejects.toThrow(
      DatasetNotFoundError,
    );
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    await store.delete(manifest.test[0]!.key);
    await expect(loadFromStore(store, manifest)).rejects.toThrow(manifest.test[0]!.key);
  });

  it('rejects a manifest whose shard keys point outside the data set', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const evil = { ...manifest, train: [{ ...manifest.train[0]!, key: 'sweeps/x/state.json' }] };
    await store.put(keys.manifest('mnist-mini', manifest.version), JSON.stringify(evil));
    await expect(loadFromStore(store, manifest)).rejects.toThrow(/outside datasets\/mnist-mini\//);
  });
});

describe('createDatasetLoader', () => {
  it('memoizes decoded data sets across loaders (warm invocations) and serves prefixes without reloading', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const counting = new CountingStore(store);
    const full = await createDatasetLoader(counting, { tmpDir: join(dir, 'cache') }).load(manifest);
    expect(full.train.count).toBe(7996);
    const reads = counting.gets.length;
    expect(reads).toBe(5); // manifest + 4 shards
    // A new loader (next invocation of a warm Lambda) reuses the module-scope memo: no reads at all.
    const warm = createDatasetLoader(counting, { tmpDir: join(dir, 'cache') });
    expect(await warm.load(manifest)).toBe(full);
    const two = images(await warm.load(manifest, { trainShards: 2 }));
    expect(two.train.count).toBe(6000);
    expect(two.train.images.buffer).toBe(images(full).train.images.buffer); // a view, not a copy
    expect(counting.gets.length).toBe(reads);
  });

  it('uses the /tmp shard cache when the memo is gone (new process), and ignores a corrupted cache file', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const tmp = join(dir, 'tmp');
    const cacheDir = join(tmp, 'mlp-sweep-shards');
    await createDatasetLoader(store, { tmpDir: tmp }).load(manifest);
    expect(readdirSync(cacheDir).sort()).toEqual(
      [...manifest.train, ...manifest.test].map((e) => `${e.sha256}.bin`).sort(),
    );
    clearDatasetMemo();
    const counting = new CountingStore(store);
    await createDatasetLoader(counting, { tmpDir: tmp }).load(manifest);
    expect(counting.gets).toEqual([keys.manifest('mnist-mini', manifest.version)]);
    // Corrupt one cached shard: the loader must notice and fetch it from the store again.
    const victim = manifest.train[0]!;
    writeFileSync(join(cacheDir, `${victim.sha256}.bin`), new Uint8Array(victim.bytes));
    clearDatasetMemo();
    counting.gets = [];
    const again = images(await createDatasetLoader(counting, { tmpDir: tmp }).load(manifest));
    expect(counting.gets).toEqual([keys.manifest('mnist-mini', manifest.version), victim.key]);
    expect(Buffer.compare(again.train.images, ds.train.images)).toBe(0);
    expect(sha256Hex((await new DiskShardCache(cacheDir).get(victim.key, victim.sha256))!)).toBe(
      victim.sha256,
    );
  });

  it('shares one load between concurrent requests, and keeps stores apart', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const counting = new CountingStore(store);
    const loader = createDatasetLoader(counting, { tmpDir: false });
    const [x, y, z] = await Promise.all([
      loader.load(manifest),
      loader.load(manifest),
      loader.load(manifest),
    ]);
    expect(y).toBe(x);
    expect(z).toBe(x);
    expect(counting.gets).toHaveLength(5);
    // Another store with the same name@version is not served from this store's memo.
    const other = new CountingStore(new MemoryBlobStore());
    await expect(createDatasetLoader(other, { tmpDir: false }).load(manifest)).rejects.toThrow(
      DatasetNotFoundError,
    );
  });

  it('keeps the disk cache under its cap, dropping the least recently used shards', async () => {
    const { manifest } = await prepareDataset(store, ds, mini.source, { shardSize: SHARD });
    const [a, b, c] = manifest.train as [ShardEntry, ShardEntry, ShardEntry];
    const cache = new DiskShardCache(join(dir, 'capped'), a.bytes + b.bytes + 10);
    const body = async (e: ShardEntry) => (await store.get(e.key))!.body;
    await cache.put(a.key, a.sha256, await body(a));
    await new Promise((r) => setTimeout(r, 20));
    await cache.put(b.key, b.sha256, await body(b));
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get(a.key, a.sha256)).toBeDefined(); // a is now the most recently used
    await cache.put(c.key, c.sha256, await body(c));
    expect(readdirSync(join(dir, 'capped')).sort()).toEqual([`${a.sha256}.bin`, `${c.sha256}.bin`].sort());
  });
});
