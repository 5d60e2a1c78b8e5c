/**
 * Data sets in a store, of either kind: the idempotent writer (shards first, the manifest last as the
 * commit point, so a reader never sees a manifest whose shards are not all there), verified reads of
 * shards (sha256 against the manifest, through an optional cache), and the errors both raise. Pure over
 * the BlobStore port: the same on local files, LocalStack and S3.
 */

import type { DatasetRef } from '../dataset.ts';
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import { type AnyManifest, parseAnyManifest, serializeAnyManifest } from './manifest.ts';
import { type ShardEntry, ShardError, sha256Hex } from './shards.ts';

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

/** A data set cut into shards and described by its manifest, nothing written yet. */
export interface BuiltDataset<M extends AnyManifest = AnyManifest> {
  manifest: M;
  shards: { key: string; bytes: Uint8Array }[];
}

/**
 * Cuts the `count` samples of one split into shards of at most `shardSize`: `encode(start, end)` makes a
 * shard's bytes; keys are `<prefix><kind>-00000.bin`, `-00001`, …. The shards are appended to `into`;
 * their manifest entries are returned.
 */
export function cutShards(
  split: { count: number; kind: 'train' | 'test'; prefix: string },
  shardSize: number,
  encode: (start: number, end: number) => Uint8Array,
  hash: HashFn,
  into: BuiltDataset['shards'],
): ShardEntry[] {
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw new RangeError(`shardSize must be ≥ 1, got ${shardSize}`);
  const entries: ShardEntry[] = [];
  for (let start = 0, i = 0; start < split.count; start += shardSize, i++) {
    const end = Math.min(start + shardSize, split.count);
    const bytes = encode(start, end);
    const key = `${split.prefix}${split.kind}-${String(i).padStart(5, '0')}.bin`;
    into.push({ key, bytes });
    entries.push({ key, sha256: hash(bytes), count: end - start, bytes: bytes.length });
  }
  return entries;
}

export interface WriteOptions {
  hash?: HashFn;
  concurrency?: number;
  /** Also read back the shards already in the store and rewrite any whose sha256 does not match. */
  verify?: boolean;
  /** Clock for the manifest's `created_at` (default: now). */
  now?: () => Date;
}

/**
 * Writes a data set's shards and manifest to the store. Idempotent: when the store already holds the
 * same manifest and all its shards, nothing is written (`skipped: true`); missing shards are restored,
 * and with `verify` so are shards whose bytes no longer match their checksum. When a write fails, the
 * shards this call created are deleted again (best effort) and no manifest is written.
 */
export async function writeDataset<M extends AnyManifest>(
  store: BlobStore,
  built: BuiltDataset<M>,
  opts: WriteOptions = {},
): Promise<{ manifest: M; written: number; skipped: boolean }> {
  const shards = built.shards;
  let manifest = built.manifest;
  const manifestKey = keys.manifest(manifest.name, manifest.version);
  const existing = await existingManifest(store, manifestKey);
  const present = new Set(await store.list(keys.dataset(manifest.name, manifest.version)));
  let toWrite = shards;
  let writeManifest = true;
  if (
    existing &&
    serializeAnyManifest({ ...existing, created_at: undefined }) === serializeAnyManifest(manifest)
  ) {
    manifest = existing as M;
    toWrite = shards.filter((s) => !present.has(s.key));
    if (opts.verify) toWrite = [...toWrite, ...(await badShards(store, manifest, shards, present, opts))];
    writeManifest = false;
    if (toWrite.length === 0) return { manifest, written: 0, skipped: true };
  }
  const created: string[] = [];
  try {
    await mapLimit(toWrite, opts.concurrency ?? 4, async (s) => {
      await store.put(s.key, s.bytes, { contentType: 'application/octet-stream' });
      if (!present.has(s.key)) created.push(s.key);
    });
  } catch (e) {
    await Promise.allSettled(created.map((k) => store.delete(k)));
    throw e;
  }
  if (writeManifest) {
    manifest = { ...manifest, created_at: (opts.now?.() ?? new Date()).toISOString() };
    await store.put(manifestKey, serializeAnyManifest(manifest), { contentType: 'application/json' });
  }
  return { manifest, written: toWrite.length + (writeManifest ? 1 : 0), skipped: false };
}

/** The shards already in the store whose bytes do not hash to what the manifest says. */
async function badShards(
  store: BlobStore,
  manifest: AnyManifest,
  shards: BuiltDataset['shards'],
  present: Set<string>,
  opts: WriteOptions,
): Promise<BuiltDataset['shards']> {
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
  return bad.filter((s) => s !== undefined);
}

/** The manifest already at `key`, or undefined when absent or unreadable (it will be rewritten). */
async function existingManifest(store: BlobStore, key: string): Promise<AnyManifest | undefined> {
  const obj = await store.get(key);
  if (!obj) return undefined;
  try {
    return parseAnyManifest(obj.body, key);
  } catch {
    return undefined;
  }
}

/** Reads and validates a data set's manifest, of either kind. */
export async function readAnyManifest(store: BlobStore, ref: DatasetRef): Promise<AnyManifest> {
  const key = keys.manifest(ref.name, ref.version);
  const obj = await store.get(key);
  if (!obj) throw new DatasetNotFoundError(ref, key);
  const m = parseAnyManifest(obj.body, key);
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

/**
 * Fetches a data set's shards in parallel (the first `trainShards` training shards, every test shard),
 * each verified against its sha256 before `decode` sees it; a decoded shard must hold the count the
 * manifest says.
 */
export async function loadShards<S extends { count: number }>(
  store: BlobStore,
  m: AnyManifest,
  opts: LoadOptions,
  decode: (bytes: Uint8Array, e: ShardEntry) => S,
): Promise<{ train: S[]; test: S[] }> {
  const ref: DatasetRef = { name: m.name, version: m.version };
  const hash = opts.hash ?? sha256Hex;
  let trainEntries = m.train;
  if (opts.trainShards !== undefined) {
    const k = opts.trainShards;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`trainShards must be an integer ≥ 1, got ${k}`);
    trainEntries = m.train.slice(0, k);
  }
  const decoded = await mapLimit([...trainEntries, ...m.test], opts.concurrency ?? 8, async (e) => {
    const s = decode(await fetchVerified(store, ref, e, hash, opts.cache), e);
    if (s.count !== e.count)
      throw new ShardError(e.key, `holds ${s.count} samples, the manifest says ${e.count}`);
    return s;
  });
  return { train: decoded.slice(0, trainEntries.length), test: decoded.slice(trainEntries.length) };
}

/** A shard's bytes from the cache or the store, verified against the manifest's sha256. */
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

/**
 * `fn` over `items`, at most `limit` at once, results in order. After a failure no new item starts; the
 * call settles once the items under way have, then throws the first error.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return out;
}

/** The arrays one after another (the array itself when there is one: no copy). */
export function joinArrays<T extends Uint8Array | Uint16Array | Float32Array>(
  parts: readonly T[],
  make: (length: number) => T,
): T {
  if (parts.length === 1) return parts[0]!;
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
