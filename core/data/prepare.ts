/**
 * Writing an image data set into a store as shards + manifest, and loading it back in a worker. Pure over
 * the BlobStore port: works the same on local files, LocalStack and S3. Writing (shards first, the
 * manifest last as the commit point) and verified reads are store-io.ts's, shared with tables.
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
import { isTableManifest } from './manifest.ts';
import {
  datasetVersion,
  decodeShard,
  encodeShard,
  MANIFEST_CREATED_BY,
  type Manifest,
  type ShardEntry,
  ShardError,
  type SourceFile,
  sha256Hex,
  toBase64,
} from './shards.ts';
import {
  type BuiltDataset,
  cutShards,
  type HashFn,
  joinArrays,
  type LoadOptions,
  loadShards,
  readAnyManifest,
  type WriteOptions,
  writeDataset,
} from './store-io.ts';

export const DEFAULT_SHARD_SIZE = 10_000;
/** Preview images per class in the manifest (10 classes ⇒ 20 images). */
const PREVIEW_PER_CLASS = 2;
const PREVIEW_MAX = 20;

/** Cuts a data set into shards and describes them in a manifest (pure, nothing written). */
export function buildShards(
  ds: Dataset,
  source: readonly SourceFile[],
  opts: { shardSize?: number; hash?: HashFn } = {},
): BuiltDataset<Manifest> {
  const shardSize = opts.shardSize ?? DEFAULT_SHARD_SIZE;
  const hash = opts.hash ?? sha256Hex;
  const version = source.length > 0 ? datasetVersion(source) : ds.version;
  const prefix = keys.dataset(ds.name, version);
  const size = ds.rows * ds.cols;
  const shards: BuiltDataset<Manifest>['shards'] = [];
  const cut = (split: Split, kind: 'train' | 'test'): ShardEntry[] => {
    if (split.images.length !== split.count * size || split.labels.length !== split.count) {
      throw new RangeError(`${ds.name} ${kind}: ${split.count} samples do not match the image/label arrays`);
    }
    const encode = (start: number, end: number) =>
      encodeShard(
        split.images.subarray(start * size, end * size),
        split.labels.subarray(start, end),
        ds.rows,
        ds.cols,
      );
    return cutShards({ count: split.count, kind, prefix }, shardSize, encode, hash, shards);
  };
  const train = cut(ds.train, 'train');
  const test = cut(ds.test, 'test');
  const stats = pixelStats(ds.train.images);
  const manifest: Manifest = {
    name: ds.name,
    version,
    task: 'classification',
    inputs: size,
    outputs: ds.classes,
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
 * Writes an image data set's shards and manifest to the store (idempotently: store-io.ts's writeDataset).
 */
export function prepareDataset(
  store: BlobStore,
  ds: Dataset,
  source: SourceFile[],
  opts: WriteOptions & { shardSize?: number } = {},
): Promise<{ manifest: Manifest; written: number; skipped: boolean }> {
  return writeDataset(store, buildShards(ds, source, opts), opts);
}

/** Reads and validates an image data set's manifest (a table's is an error: see readAnyManifest). */
export async function readManifest(store: BlobStore, ref: DatasetRef): Promise<Manifest> {
  const m = await readAnyManifest(store, ref);
  if (isTableManifest(m)) {
    throw new Error(`${keys.manifest(ref.name, ref.version)}: data set ${ref.name} is a table, not images`);
  }
  return m;
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
  const decoded = await loadShards(store, m, opts, (bytes, e) => {
    const s = decodeShard(bytes, e.key);
    if (s.rows !== m.rows || s.cols !== m.cols) {
      throw new ShardError(e.key, `images are ${s.rows}×${s.cols}, the manifest says ${m.rows}×${m.cols}`);
    }
    for (const l of s.labels) {
      if (l >= m.classes) throw new ShardError(e.key, `label ${l} is outside 0..${m.classes - 1}`);
    }
    return s;
  });
  return {
    name: m.name,
    version: m.version,
    rows: m.rows,
    cols: m.cols,
    classes: m.classes,
    train: concat(decoded.train),
    test: concat(decoded.test),
    pixelMean: m.pixel_mean,
    pixelStd: m.pixel_std,
  };
}

/** One split from its shards. */
function concat(parts: { images: Uint8Array; labels: Uint8Array; count: number }[]): Split {
  return {
    images: joinArrays(
      parts.map((p) => p.images),
      (n) => new Uint8Array(n),
    ),
    labels: joinArrays(
      parts.map((p) => p.labels),
      (n) => new Uint8Array(n),
    ),
    count: parts.reduce((s, p) => s + p.count, 0),
  };
}
