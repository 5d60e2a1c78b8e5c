/**
 * Table shards: rows of already-preprocessed float32 features and their labels, one file per shard.
 *
 * Table shard format (version 1), all numbers little-endian:
 *
 *   offset  size              field
 *   0       4                 magic "MLPT" (0x4D 0x4C 0x50 0x54)
 *   4       4                 format version, u32 (= 1)
 *   8       4                 count: rows in this shard, u32
 *   12      4                 inputs: features per row, u32
 *   16      4                 label type, u32: 1 = class ids (u16), 2 = standardised targets (f32)
 *   20      count·inputs·4    features, f32, row-major, one row after another
 *   …       count·2 | count·4 labels, one per row
 *
 * The file is exactly 20 + count·(inputs·4 + 2|4) bytes; its sha256 is in the manifest, as for image
 * shards. Features start 4-byte aligned, so a decoded shard is a view into the bytes when they are aligned
 * (and copied once when not). Little-endian hosts only (x86-64 and arm64, as Lambda).
 */
import { ShardError } from '../shards.ts';

export const TABLE_SHARD_MAGIC = 0x5450_4c4d; // "MLPT" read as a little-endian u32
export const TABLE_SHARD_HEADER_BYTES = 20;
const VERSION = 1;
const LABEL_CLASS = 1;
const LABEL_TARGET = 2;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Typed arrays are read and written as the host's bytes: every platform Node and Lambda run on is little-endian. */
function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error('table shards are read and written on little-endian hosts only');
}

export type TableLabels = Uint16Array | Float32Array;

export function encodeTableShard(features: Float32Array, labels: TableLabels, inputs: number): Uint8Array {
  const count = labels.length;
  if (!Number.isInteger(inputs) || inputs < 1) throw new RangeError(`encodeTableShard: bad width ${inputs}`);
  if (features.length !== count * inputs) {
    throw new RangeError(`encodeTableShard: ${features.length} features for ${count} rows of ${inputs}`);
  }
  const labelBytes = labels.BYTES_PER_ELEMENT;
  const out = new Uint8Array(TABLE_SHARD_HEADER_BYTES + count * (inputs * 4 + labelBytes));
  const view = new DataView(out.buffer);
  view.setUint32(0, TABLE_SHARD_MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, inputs, true);
  view.setUint32(16, labels instanceof Uint16Array ? LABEL_CLASS : LABEL_TARGET, true);
  requireLittleEndian();
  out.set(bytesOf(features), TABLE_SHARD_HEADER_BYTES);
  out.set(bytesOf(labels), TABLE_SHARD_HEADER_BYTES + features.length * 4);
  return out;
}

const bytesOf = (a: Float32Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export interface DecodedTableShard {
  features: Float32Array;
  labels: TableLabels;
  count: number;
  inputs: number;
}

/** Decodes a table shard (views into `bytes` when aligned on a little-endian host, else copies). */
export function decodeTableShard(bytes: Uint8Array, name: string): DecodedTableShard {
  if (bytes.length < TABLE_SHARD_HEADER_BYTES)
    throw new ShardError(name, `truncated: ${bytes.length} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== TABLE_SHARD_MAGIC)
    throw new ShardError(name, `wrong magic 0x${magic.toString(16)}: not a table shard`);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new ShardError(name, `unsupported table shard format version ${version}`);
  const count = view.getUint32(8, true);
  const inputs = view.getUint32(12, true);
  const type = view.getUint32(16, true);
  if (type !== LABEL_CLASS && type !== LABEL_TARGET) throw new ShardError(name, `unknown label type ${type}`);
  const labelBytes = type === LABEL_CLASS ? 2 : 4;
  const expected = TABLE_SHARD_HEADER_BYTES + count * (inputs * 4 + labelBytes);
  if (inputs < 1 || bytes.length !== expected) {
    throw new ShardError(
      name,
      `${bytes.length} bytes, but a header of ${count} rows of ${inputs} inputs needs ${expected}`,
    );
  }
  requireLittleEndian();
  const labelsAt = TABLE_SHARD_HEADER_BYTES + count * inputs * 4;
  const f = aligned(bytes, TABLE_SHARD_HEADER_BYTES, count * inputs * 4, 4);
  const features = new Float32Array(f.buffer, f.at, count * inputs);
  const l = aligned(bytes, labelsAt, count * labelBytes, labelBytes);
  const labels =
    type === LABEL_CLASS ? new Uint16Array(l.buffer, l.at, count) : new Float32Array(l.buffer, l.at, count);
  return { features, labels, count, inputs };
}

/** `bytes[offset, offset+length)` at an `align`-aligned place: in place when it is, else a copy. */
function aligned(bytes: Uint8Array, offset: number, length: number, align: number) {
  const at = bytes.byteOffset + offset;
  if (at % align === 0) return { buffer: bytes.buffer, at };
  return { buffer: bytes.slice(offset, offset + length).buffer, at: 0 };
}
