/**
 * The prepared form of a data set in a store: binary shards plus one manifest per data set version.
 *
 *   datasets/<name>/<version>/manifest.json
 *   datasets/<name>/<version>/train-00000.bin, train-00001.bin, …, test-00000.bin, …
 *
 * Shard format (version 1), all integers little-endian:
 *
 *   offset  size              field
 *   0       4                 magic "MLPS" (0x4D 0x4C 0x50 0x53)
 *   4       4                 format version, u32 (= 1)
 *   8       4                 count: samples in this shard, u32
 *   12      4                 rows, u32
 *   16      4                 cols, u32
 *   20      count·rows·cols   pixels, u8, row-major, one image after another
 *   …       count             labels, u8 (class 0..classes-1), one per image
 *
 * The file is exactly 20 + count·(rows·cols + 1) bytes. Its integrity is not part of the format: the
 * manifest lists each shard's sha256, and loaders verify it before decoding.
 *
 * The version of a data set is derived from the MD5s of its source files (`datasetVersion`), so the
 * same data always lands under the same key and re-preparing it is a no-op.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';

export const SHARD_MAGIC = 0x5350_4c4d; // "MLPS" read as a little-endian u32
export const SHARD_FORMAT_VERSION = 1;
export const SHARD_HEADER_BYTES = 20;
export const MANIFEST_CREATED_BY = 'mlp-sweep data prepare (shard format 1)';

/** A shard whose bytes do not follow the format (wrong magic, version, size). */
export class ShardError extends Error {
  override readonly name = 'ShardError';
  constructor(
    readonly shard: string,
    readonly problem: string,
  ) {
    super(`shard ${shard}: ${problem}`);
  }
}

export function encodeShard(images: Uint8Array, labels: Uint8Array, rows: number, cols: number): Uint8Array {
  const size = rows * cols;
  const count = labels.length;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`encodeShard: bad image size ${rows}×${cols}`);
  }
  if (images.length !== count * size) {
    throw new RangeError(`encodeShard: ${images.length} pixel bytes for ${count} labels of ${rows}×${cols}`);
  }
  const out = new Uint8Array(SHARD_HEADER_BYTES + count * (size + 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, SHARD_MAGIC, true);
  view.setUint32(4, SHARD_FORMAT_VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, rows, true);
  view.setUint32(16, cols, true);
  out.set(images, SHARD_HEADER_BYTES);
  out.set(labels, SHARD_HEADER_BYTES + count * size);
  return out;
}

/** Decodes a shard without copying: `images` and `labels` are views into `bytes`. */
export function decodeShard(
  bytes: Uint8Array,
  name: string,
): { images: Uint8Array; labels: Uint8Array; count: number; rows: number; cols: number } {
  if (bytes.length < SHARD_HEADER_BYTES)
    throw new ShardError(name, `truncated: ${bytes.length} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== SHARD_MAGIC) throw new ShardError(name, `wrong magic 0x${magic.toString(16)}: not a shard`);
  const version = view.getUint32(4, true);
  if (version !== SHARD_FORMAT_VERSION)
    throw new ShardError(name, `unsupported shard format version ${version}`);
  const count = view.getUint32(8, true);
  const rows = view.getUint32(12, true);
  const cols = view.getUint32(16, true);
  const size = rows * cols;
  const expected = SHARD_HEADER_BYTES + count * (size + 1);
  if (rows < 1 || cols < 1 || bytes.length !== expected) {
    throw new ShardError(
      name,
      `${bytes.length} bytes, but a header of ${count} samples of ${rows}×${cols} needs ${expected}`,
    );
  }
  const images = bytes.subarray(SHARD_HEADER_BYTES, SHARD_HEADER_BYTES + count * size);
  const labels = bytes.subarray(SHARD_HEADER_BYTES + count * size, expected);
  return { images, labels, count, rows, cols };
}

export interface ShardEntry {
  /** Full store key of the shard. */
  key: string;
  /** sha256 of the shard's bytes, lowercase hex. */
  sha256: string;
  /** Samples in the shard. */
  count: number;
  /** Size of the shard in bytes. */
  bytes: number;
}

export interface SourceFile {
  file: string;
  md5: string;
}

/**
 * The manifest of an image data set. `task`, `inputs` (= rows·cols, the width `layers[0]` must have) and
 * `outputs` (= classes, the last layer's width) are what every manifest says, tables too
 * (core/data/tabular/manifest.ts); manifests written before they existed lack them, and parsing fills
 * them in.
 */
export interface Manifest {
  name: string;
  version: string;
  task: 'classification';
  inputs: number;
  outputs: number;
  rows: number;
  cols: number;
  classes: number;
  created_by: string;
  /** When this version was first prepared (ISO 8601); ignored when comparing manifests. */
  created_at?: string;
  /** The files the data set was made from, with their MD5s (the version derives from these). */
  source: SourceFile[];
  train: ShardEntry[];
  test: ShardEntry[];
  class_histogram: { train: number[]; test: number[] };
  /** Mean and std of the training pixels scaled to [0,1]. */
  pixel_mean: number;
  pixel_std: number;
  /** A few sample images for reports: raw u8 rows·cols pixels, base64. */
  preview?: { label: number; pixels_b64: string }[];
}

export const shardEntrySchema = z.strictObject({
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().min(0),
  bytes: z.number().int().min(SHARD_HEADER_BYTES),
});

export const manifestSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  task: z.literal('classification').optional(),
  inputs: z.number().int().min(1).optional(),
  outputs: z.number().int().min(2).optional(),
  rows: z.number().int().min(1),
  cols: z.number().int().min(1),
  classes: z.number().int().min(2).max(256),
  created_by: z.string(),
  created_at: z.string().optional(),
  source: z.array(z.strictObject({ file: z.string(), md5: z.string() })),
  train: z.array(shardEntrySchema).min(1),
  test: z.array(shardEntrySchema),
  class_histogram: z.strictObject({
    train: z.array(z.number().int().min(0)),
    test: z.array(z.number().int().min(0)),
  }),
  pixel_mean: z.number().min(0).max(1),
  pixel_std: z.number().min(0).max(1),
  preview: z.array(z.strictObject({ label: z.number().int().min(0), pixels_b64: z.string() })).optional(),
});

/** manifest.json bytes as JSON; throws a readable Error naming `where` when they are not JSON. */
export function manifestJson(body: Uint8Array | string, where: string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

/** The first issue of a failed zod parse as `<where>: invalid manifest at <path>: <message>`. */
export function manifestIssue(where: string, error: z.ZodError): Error {
  const first = error.issues[0];
  return new Error(`${where}: invalid manifest at ${first?.path.join('.') || '$'}: ${first?.message}`);
}

/**
 * Parses and validates an image data set's manifest.json; throws a readable Error naming `where` when
 * invalid (a table's manifest included: core/data/manifest.ts reads either kind).
 */
export function parseManifest(body: Uint8Array | string, where: string): Manifest {
  const json = manifestJson(body, where);
  if ((json as { kind?: unknown } | null)?.kind === 'table') {
    throw new Error(`${where}: this is a table data set's manifest, not an image data set's`);
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) throw manifestIssue(where, r.error);
  const m = r.data;
  const shape = { task: 'classification' as const, inputs: m.rows * m.cols, outputs: m.classes };
  for (const k of ['inputs', 'outputs'] as const) {
    if (m[k] !== undefined && m[k] !== shape[k]) {
      throw new Error(`${where}: invalid manifest at ${k}: ${m[k]}, but the images make ${shape[k]}`);
    }
  }
  return { ...m, ...shape };
}

/** Serialises a manifest deterministically (fixed key order, 2-space indent, trailing newline). */
export function serializeManifest(m: Manifest): string {
  const ordered: Manifest = {
    name: m.name,
    version: m.version,
    task: m.task,
    inputs: m.inputs,
    outputs: m.outputs,
    rows: m.rows,
    cols: m.cols,
    classes: m.classes,
    created_by: m.created_by,
    ...(m.created_at !== undefined ? { created_at: m.created_at } : {}),
    source: m.source.map((s) => ({ file: s.file, md5: s.md5 })),
    train: m.train.map(orderEntry),
    test: m.test.map(orderEntry),
    class_histogram: { train: [...m.class_histogram.train], test: [...m.class_histogram.test] },
    pixel_mean: m.pixel_mean,
    pixel_std: m.pixel_std,
    ...(m.preview ? { preview: m.preview.map((p) => ({ label: p.label, pixels_b64: p.pixels_b64 })) } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

const orderEntry = (e: ShardEntry): ShardEntry => ({
  key: e.key,
  sha256: e.sha256,
  count: e.count,
  bytes: e.bytes,
});

/**
 * The version of a data set made from these source files: the first 12 hex digits of the sha256 of
 * their MD5s, sorted and joined by newlines. Independent of file names and order.
 */
export function datasetVersion(source: readonly SourceFile[]): string {
  if (source.length === 0) throw new RangeError('datasetVersion: no source files');
  const list = source.map((s) => s.md5.toLowerCase()).sort();
  return bytesToHex(sha256(utf8ToBytes(list.join('\n')))).slice(0, 12);
}

/** sha256 of bytes as lowercase hex (pure JS, @noble/hashes). */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** Decodes a manifest preview image to its u8 pixels. */
export function previewPixels(p: { pixels_b64: string }): Uint8Array {
  const bin = atob(p.pixels_b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin);
}
