/**
 * The worker's DatasetLoader (core/app/deps.ts): loads prepared data sets from a BlobStore with two
 * caches in front of it, both safe because data set versions are content-derived and shards are
 * sha256-verified:
 *
 * - a disk cache of shard bytes in `os.tmpdir()` (Lambda's /tmp survives warm invocations), content-
 *   addressed by sha256; files are written to a temp name and renamed, and verified again when read;
 * - a module-scope memo of decoded data sets (images or tables), shared by every loader of the same
 *   store object in the process (a warm Lambda keeps its store and reuses the memo across invocations).
 *   A request for the first k training shards is served from a memoized load of the full set (or of
 *   more shards) without copying; concurrent requests share one load. At most
 *   `MEMO_ENTRIES` data sets are kept (least recently used goes first). A failed load is not memoized.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetLoader } from '../../core/app/deps.ts';
import { isTableManifest } from '../../core/data/manifest.ts';
import { loadFromManifest } from '../../core/data/prepare.ts';
import { type HashFn, type LoadOptions, readAnyManifest, type ShardCache } from '../../core/data/store-io.ts';
import { loadTableFromManifest, tableTrainPrefix } from '../../core/data/tabular/store.ts';
import type { DatasetRef, LoadedDataset } from '../../core/dataset.ts';
import type { BlobStore } from '../../core/ports.ts';

/** sha256 hex via node:crypto (several times faster than the pure-JS default). */
export const nodeSha256: HashFn = (bytes) => createHash('sha256').update(bytes).digest('hex');

const SHA = /^[0-9a-f]{64}$/;

export const SHARD_CACHE_SUBDIR = 'mlp-sweep-shards';
/** Default cap of the disk cache (Lambda's /tmp is 512 MB by default; full MNIST is 55 MB). */
export const DEFAULT_CACHE_MAX_BYTES = 400 * 1024 * 1024;

/**
 * Shard bytes on local disk, one file `<sha256>.bin` per shard. Writes go to a temp name and are renamed.
 * When the directory grows past `maxBytes`, the least recently used files are removed.
 */
export class DiskShardCache implements ShardCache {
  constructor(
    readonly dir: string = join(tmpdir(), SHARD_CACHE_SUBDIR),
    readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {}

  private pathOf(sha256: string): string {
    if (!SHA.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, `${sha256}.bin`);
  }

  async get(_key: string, sha256: string): Promise<Uint8Array | undefined> {
    const p = this.pathOf(sha256);
    try {
      const buf = await fsp.readFile(p);
      const now = new Date();
      await fsp.utimes(p, now, now).catch(() => undefined);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch {
      return undefined;
    }
  }

  async put(_key: string, sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(sha256);
    await fsp.mkdir(this.dir, { recursive: true });
    await this.makeRoom(bytes.length);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.writeFile(tmp, bytes);
      await fsp.rename(tmp, target);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes least recently used shard files until `incoming` more bytes fit under maxBytes. */
  private async makeRoom(incoming: number): Promise<void> {
    const files = [];
    for (const name of await fsp.readdir(this.dir)) {
      if (!name.endsWith('.bin')) continue;
      const st = await fsp.stat(join(this.dir, name)).catch(() => undefined);
      if (st) files.push({ name, size: st.size, used: st.mtimeMs });
    }
    let total = files.reduce((s, f) => s + f.size, 0) + incoming;
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      await fsp.rm(join(this.dir, f.name), { force: true });
      total -= f.size;
    }
  }
}

export const MEMO_ENTRIES = 3;

interface MemoEntry {
  id: string;
  /** Training shards this entry loaded (Infinity = all). */
  shards: number;
  promise: Promise<{ ds: LoadedDataset; trainCounts: number[] }>;
}

/** Module scope: survives across invocations of a warm Lambda. Most recently used last. */
let memo: MemoEntry[] = [];

/** Memo entries are per store object (the Lambda runtime keeps one store per container). */
const storeIds = new WeakMap<BlobStore, number>();
let nextStoreId = 1;
function storeId(store: BlobStore): number {
  let id = storeIds.get(store);
  if (id === undefined) {
    id = nextStoreId++;
    storeIds.set(store, id);
  }
  return id;
}

export function clearDatasetMemo(): void {
  memo = [];
}

/** Number of decoded data sets currently memoized (for tests and diagnostics). */
export function datasetMemoSize(): number {
  return memo.length;
}

export interface LoaderOptions {
  /** Temp directory holding the shard cache in `<tmpDir>/mlp-sweep-shards` (default os.tmpdir()); `false`: no disk cache. */
  tmpDir?: string | false;
  /** Cap of the disk cache in bytes. */
  cacheMaxBytes?: number;
  /** Shards fetched at once. */
  concurrency?: number;
}

export function createDatasetLoader(store: BlobStore, opts: LoaderOptions = {}): DatasetLoader {
  const cache =
    opts.tmpDir === false
      ? undefined
      : new DiskShardCache(join(opts.tmpDir ?? tmpdir(), SHARD_CACHE_SUBDIR), opts.cacheMaxBytes);
  return {
    async load(ref: DatasetRef, o: { trainShards?: number } = {}): Promise<LoadedDataset> {
      const want = o.trainShards ?? Number.POSITIVE_INFINITY;
      if (o.trainShards !== undefined && (!Number.isInteger(want) || want < 1)) {
        throw new RangeError(`trainShards must be an integer ≥ 1, got ${o.trainShards}`);
      }
      const id = `${storeId(store)}:${ref.name}@${ref.version}`;
      // The smallest memoized load that covers the request.
      let entry = memo.filter((e) => e.id === id && e.shards >= want).sort((a, b) => a.shards - b.shards)[0];
      if (!entry) {
        const loading = (async () => {
          const m = await readAnyManifest(store, ref);
          const lo: LoadOptions = {
            ...(o.trainShards !== undefined ? { trainShards: o.trainShards } : {}),
            ...(cache ? { cache } : {}),
            ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
            hash: nodeSha256,
          };
          const ds = isTableManifest(m)
            ? await loadTableFromManifest(store, m, lo)
            : await loadFromManifest(store, m, lo);
          return { ds, trainCounts: m.train.map((e) => e.count) };
        })();
        const created: MemoEntry = { id, shards: want, promise: loading };
        entry = created;
        // Loads of fewer shards of the same data set are superseded by this one.
        memo = memo.filter((e) => !(e.id === id && e.shards < want));
        memo.push(created);
        if (memo.length > MEMO_ENTRIES) memo = memo.slice(memo.length - MEMO_ENTRIES);
        loading.catch(() => {
          memo = memo.filter((e) => e !== created);
        });
      } else {
        const hit = entry;
        memo = [...memo.filter((e) => e !== hit), hit];
      }
      const { ds, trainCounts } = await entry.promise;
      return prefix(ds, trainCounts, want);
    },
  };
}

/** The first k training shards of a loaded data set, as views (no copy). */
function prefix(ds: LoadedDataset, trainCounts: number[], k: number): LoadedDataset {
  const n = trainCounts.slice(0, k).reduce((s, c) => s + c, 0);
  if (n >= ds.train.count) return ds;
  if (ds.kind === 'table') return tableTrainPrefix(ds, n);
  const size = ds.rows * ds.cols;
  return {
    ...ds,
    train: {
      images: ds.train.images.subarray(0, n * size),
      labels: ds.train.labels.subarray(0, n),
      count: n,
    },
  };
}
