/**
 * Writing a data set into a store as shards + manifest, and loading it back in a worker. Pure over the
 * BlobStore port: works the same on local files, LocalStack and S3.
 *
 * Writing order: shards first, manifest last. The manifest is the commit point, so a reader never sees
 * a manifest whose shards are not all there.
 *
 * Loading: manifest, then the shards in parallel; every shard's sha256 is checked against the manifest
 * before it is decoded (a mismatch is a ChecksumError naming the shard, and nothing is returned), so a bad
 * shard never reaches training. An optional ShardCache (e.g. /tmp on Lambda) is consulted first; cached
 * bytes are verified too, and a bad cached copy is replaced from the store.
 */
import type { Dataset, DatasetRef, Split } from '../dataset.ts';
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import { pixelStats } from './idx.ts';
import {
  datasetVersion,
  decodeShard,
  encodeShard,
  MANIFEST_CREATED_BY,
  type Manifest,
  parseManifest,
  type ShardEntry,
  ShardError,
  type SourceFile,
  serializeManifest,
  sha256Hex,
  toBase64,
} from './shards.ts';

export const DEFAULT_SHARD_SIZE = 10_000;
/** Preview images per class in the manifest (10 classes ⇒ 20 images). */
const PREVIEW_PER_CLASS = 2;
const PREVIEW_MAX = 20;

/** A shard's bytes do not match the sha256 the manifest lists for it. */
export class ChecksumError extends Error {
  override readonly name = 'ChecksumError';
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `shard ${key} failed verification: manifest says sha256 ${expected}, the bytes hash to ${actual}; ` +
        'refusing to use it (re-run `sweep data prepare` to rewrite the data set)',
    );
  }
}

/** The data set (or one of its shards) is not in the store. */
export class DatasetNotFoundError extends Error {
  override readonly name = 'DatasetNotFoundError';
  constructor(
    readonly ref: DatasetRef,
    readonly key: string,
  ) {
    super(
      `data set ${ref.name}@${ref.version} is not prepared in this store (${key} not found); ` +
        `run \`sweep data prepare --dataset ${ref.name}\``,
    );
  }
}

/** A content-addressed cache of shard bytes (the loader verifies whatever it returns). */
export interface ShardCache {
  get(key: string, sha256: string): Promise<Uint8Array | undefined>;
  put(key: string, sha256: string, bytes: Uint8Array): Promise<void>;
}

/** sha256 of bytes as lowercase hex. The default is @noble/hashes; adapters may pass node:crypto's. */
export type HashFn = (bytes: Uint8Array) => string;

export interface BuiltDataset {
  manifest: Manifest;
  shards: { key: string; bytes: Uint8Array }[];
}

/** Cuts a data set into shards and describes them in a manifest (pure, nothing written). */
export function buildShards(
  ds: Dataset,
  source: readonly SourceFile[],
  opts: { shardSize?: number; hash?: HashFn } = {},
): BuiltDataset {
  const shardSize = opts.shardSize ?? DEFAULT_SHARD_SIZE;
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw new RangeError(`shardSize must be ≥ 1, got ${shardSize}`);
  const hash = opts.hash ?? sha256Hex;
  const version = source.length > 0 ? datasetVersion(source) : ds.version;
  const prefix = keys.dataset(ds.name, version);
  const size = ds.rows * ds.cols;
  const shards: BuiltDataset['shards'] = [];
  const cut = (split: Split, kind: 'train' | 'test'): ShardEntry[] => {
    if (split.images.length !== split.count * size || split.labels.length !== split.count) {
      throw new RangeError(`${ds.name} ${kind}: ${split.count} samples do not match the image/label arrays`);
    }
    const entries: ShardEntry[] = [];
    for (let start = 0, i = 0; start < split.count; start += shardSize, i++) {
      const end = Math.min(start + shardSize, split.count);
      const bytes = encodeShard(
        split.images.subarray(start * size, end * size),
        split.labels.subarray(start, end),
        ds.rows,
        ds.cols,
      );
      const key = `${prefix}${kind}-${String(i).padStart(5, '0')}.bin`;
      shards.push({ key, bytes });
      entries.push({ key, sha256: hash(bytes), count: end - start, bytes: bytes.length });
    }
    return entries;
  };
  const train = cut(ds.train, 'train');
  const test = cut(ds.test, 'test');
  const stats = pixelStats(ds.train.images);
  const manifest: Manifest = {
    name: ds.name,
    version,
    rows: ds.rows,
    cols: ds.cols,
    classes: ds.classes,
    created_by: MANIFEST_CREATED_BY,
    source: source.map((s) => ({ file: s.file, md5: s.md5.toLowerCase() })),
    train,
    test,
    class_histogram: {
      train: histogram(ds.train.labels, ds.classes),
      test: histogram(ds.test.labels, ds.classes),
    },
    pixel_mean: stats.mean,
    pixel_std: stats.std,
    preview: preview(ds),
  };
  return { manifest, shards };
}

function histogram(labels: Uint8Array, classes: number): number[] {
  const h = new Array<number>(classes).fill(0);
  for (const l of labels) {
    if (l >= classes) throw new RangeError(`label ${l} is outside 0..${classes - 1}`);
    h[l]!++;
  }
  return h;
}

/** The first PREVIEW_PER_CLASS training images of each class, in class order. */
function preview(ds: Dataset): { label: number; pixels_b64: string }[] {
  const size = ds.rows * ds.cols;
  const picked: number[][] = Array.from({ length: ds.classes }, () => []);
  let total = 0;
  const want = Math.min(PREVIEW_MAX, PREVIEW_PER_CLASS * ds.classes);
  for (let i = 0; i < ds.train.count && total < want; i++) {
    const l = ds.train.labels[i]!;
    const slot = picked[l];
    if (slot && slot.length < PREVIEW_PER_CLASS) {
      slot.push(i);
      total++;
    }
  }
  return picked.flatMap((idx, label) =>
    idx.map((i) => ({ label, pixels_b64: toBase64(ds.train.images.subarray(i * size, (i + 1) * size)) })),
  );
}

/**
 * Writes a data set's shards and manifest to the store. Idempotent: when the store already holds the
 * same manifest and all its shards, nothing is written (`skipped: true`); missing shards are restored,
 * and with `verify` so are shards whose bytes no longer match their checksum.
 */
export async function prepareDataset(
  store: BlobStore,
  ds: Dataset,
  source: SourceFile[],
  opts: {
    shardSize?: number;
    hash?: HashFn;
    concurrency?: number;
    /** Also read back the shards already in the store and rewrite any whose sha256 does not match. */
    verify?: boolean;
    /** Clock for the manifest's `created_at` (default: now). */
    now?: () => Date;
  } = {},
): Promise<{ manifest: Manifest; written: number; skipped: boolean }> {
  const built = buildShards(ds, source, opts);
  const shards = built.shards;
  let manifest = built.manifest;
  const manifestKey = keys.manifest(manifest.name, manifest.version);
  const existing = await existingManifest(store, manifestKey);
  let toWrite = shards;
  let writeManifest = true;
  if (existing && serializeManifest({ ...existing, created_at: undefined }) === serializeManifest(manifest)) {
    manifest = existing;
    const present = new Set(await store.list(keys.dataset(manifest.name, manifest.version)));
    toWrite = shards.filter((s) => !present.has(s.key));
    if (opts.verify) {
      const hash = opts.hash ?? sha256Hex;
      const expected = new Map([...manifest.train, ...manifest.test].map((e) => [e.key, e.sha256]));
      const bad = await mapLimit(
        shards.filter((s) => present.has(s.key)),
        opts.concurrency ?? 4,
        async (s) => {
          const obj = await store.get(s.key);
          return !obj || hash(obj.body) !== expected.get(s.key) ? s : undefined;
        },
      );
      toWrite = [...toWrite, ...bad.filter((s) => s !== undefined)];
    }
    writeManifest = false;
    if (toWrite.length === 0) return { manifest, written: 0, skipped: true };
  }
  await forEachLimit(toWrite, opts.concurrency ?? 4, (s) =>
    store.put(s.key, s.bytes, { contentType: 'application/octet-stream' }),
  );
  if (writeManifest) {
    manifest = { ...manifest, created_at: (opts.now?.() ?? new Date()).toISOString() };
    await store.put(manifestKey, serializeManifest(manifest), { contentType: 'application/json' });
  }
  return { manifest, written: toWrite.length + (writeManifest ? 1 : 0), skipped: false };
}

/** The manifest already at `key`, or undefined when absent or unreadable (it will be rewritten). */
async function existingManifest(store: BlobStore, key: string): Promise<Manifest | undefined> {
  const obj = await store.get(key);
  if (!obj) return undefined;
  try {
    return parseManifest(obj.body, key);
  } catch {
    return undefined;
  }
}

/** Reads and validates a data set's manifest. */
export async function readManifest(store: BlobStore, ref: DatasetRef): Promise<Manifest> {
  const key = keys.manifest(ref.name, ref.version);
  const obj = await store.get(key);
  if (!obj) throw new DatasetNotFoundError(ref, key);
  const m = parseManifest(obj.body, key);
  if (m.name !== ref.name || m.version !== ref.version) {
    throw new Error(`${key}: manifest is for ${m.name}@${m.version}, not ${ref.name}@${ref.version}`);
  }
  const prefix = keys.dataset(ref.name, ref.version);
  for (const e of [...m.train, ...m.test]) {
    if (!e.key.startsWith(prefix) || e.key.includes('..')) {
      throw new Error(`${key}: shard key ${e.key} lies outside ${prefix}`);
    }
  }
  return m;
}

export interface LoadOptions {
  /** Load only the first k training shards (low-fidelity rungs); all test shards are always loaded. */
  trainShards?: number;
  cache?: ShardCache;
  hash?: HashFn;
  /** Shards fetched at once (default 8). */
  concurrency?: number;
}

/** Loads a prepared data set: manifest, then shards in parallel, every one sha256-verified. */
export async function loadFromStore(
  store: BlobStore,
  ref: DatasetRef,
  opts: LoadOptions = {},
): Promise<Dataset> {
  return loadFromManifest(store, await readManifest(store, ref), opts);
}

/** As loadFromStore, with the manifest already read (and validated by readManifest). */
export async function loadFromManifest(
  store: BlobStore,
  m: Manifest,
  opts: LoadOptions = {},
): Promise<Dataset> {
  const ref: DatasetRef = { name: m.name, version: m.version };
  const hash = opts.hash ?? sha256Hex;
  let trainEntries = m.train;
  if (opts.trainShards !== undefined) {
    const k = opts.trainShards;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`trainShards must be an integer ≥ 1, got ${k}`);
    trainEntries = m.train.slice(0, k);
  }
  const entries = [...trainEntries, ...m.test];
  const decoded = await mapLimit(entries, opts.concurrency ?? 8, async (e) => {
    const bytes = await fetchVerified(store, ref, e, hash, opts.cache);
    const s = decodeShard(bytes, e.key);
    if (s.count !== e.count)
      throw new ShardError(e.key, `holds ${s.count} samples, the manifest says ${e.count}`);
    if (s.rows !== m.rows || s.cols !== m.cols) {
      throw new ShardError(e.key, `images are ${s.rows}×${s.cols}, the manifest says ${m.rows}×${m.cols}`);
    }
    for (const l of s.labels) {
      if (l >= m.classes) throw new ShardError(e.key, `label ${l} is outside 0..${m.classes - 1}`);
    }
    return s;
  });
  const size = m.rows * m.cols;
  return {
    name: m.name,
    version: m.version,
    rows: m.rows,
    cols: m.cols,
    classes: m.classes,
    train: concat(decoded.slice(0, trainEntries.length), size),
    test: concat(decoded.slice(trainEntries.length), size),
    pixelMean: m.pixel_mean,
    pixelStd: m.pixel_std,
  };
}

async function fetchVerified(
  store: BlobStore,
  ref: DatasetRef,
  e: ShardEntry,
  hash: HashFn,
  cache: ShardCache | undefined,
): Promise<Uint8Array> {
  if (cache) {
    const hit = await cache.get(e.key, e.sha256).catch(() => undefined);
    if (hit && hit.length === e.bytes && hash(hit) === e.sha256) return hit;
  }
  const obj = await store.get(e.key);
  if (!obj) throw new DatasetNotFoundError(ref, e.key);
  const actual = hash(obj.body);
  if (actual !== e.sha256) throw new ChecksumError(e.key, e.sha256, actual);
  if (cache) await cache.put(e.key, e.sha256, obj.body).catch(() => undefined);
  return obj.body;
}

function concat(parts: { images: Uint8Array; labels: Uint8Array; count: number }[], size: number): Split {
  if (parts.length === 1) {
    const p = parts[0]!;
    return { images: p.images, labels: p.labels, count: p.count };
  }
  const count = parts.reduce((s, p) => s + p.count, 0);
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * size);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { images, labels, count };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  await mapLimit(items, limit, fn);
}
