/**
 * Byte format of a trainer's full state (to continue a trial in another process):
 *   "MLPSTATE" (8 bytes ASCII) | u32 LE format version (1) | u32 LE header length N |
 *   N bytes UTF-8 JSON header, space-padded to a multiple of 8 | tensors, raw little-endian,
 *   each at the byte offset the header lists (8-byte aligned).
 * Non-finite numbers in the header (a diverged history) are written as the strings "NaN"/"Infinity".
 */
import { canonicalJson, sha256Hex } from '../canonical.ts';
import type { TrialConfig } from '../config.ts';
import type { FloatArray } from './kernels.ts';

const MAGIC = 'MLPSTATE';
export const STATE_VERSION = 1;

/** Thrown when bytes are not a trainer state or do not belong to the given config / data / dtype. */
export class StateMismatchError extends Error {
  readonly code = 'STATE_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'StateMismatchError';
  }
}

/** sha256 (hex) of the config as canonical JSON (keys sorted recursively). */
export function configHash(c: TrialConfig): string {
  return sha256Hex(canonicalJson(c));
}

interface TensorEntry {
  dtype: 'f32' | 'f64';
  length: number;
  offset: number;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeState(header: Record<string, unknown>, tensors: readonly FloatArray[]): Uint8Array {
  if (!isLittleEndian) throw new Error('state encoding assumes a little-endian host');
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    entries.push({ dtype: t instanceof Float32Array ? 'f32' : 'f64', length: t.length, offset });
    offset += Math.ceil(t.byteLength / 8) * 8;
  }
  const json = JSON.stringify({ ...header, tensors: entries }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
  let hb = new TextEncoder().encode(json);
  const padded = Math.ceil(hb.length / 8) * 8;
  if (padded !== hb.length) hb = new TextEncoder().encode(json + ' '.repeat(padded - hb.length));
  const start = 16 + hb.length;
  const buf = new Uint8Array(start + offset);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(buf.buffer);
  dv.setUint32(8, STATE_VERSION, true);
  dv.setUint32(12, hb.length, true);
  buf.set(hb, 16);
  tensors.forEach((t, i) => {
    buf.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), start + entries[i]!.offset);
  });
  return buf;
}

/** Keys whose string values are revived to numbers ("NaN", "Infinity", "-Infinity"). */
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

export function decodeState(bytes: Uint8Array): { header: Record<string, unknown>; tensors: FloatArray[] } {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new StateMismatchError('not a trainer state (bad magic)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== STATE_VERSION) throw new StateMismatchError(`unsupported state version ${version}`);
  const n = dv.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + n)), (_k, v: unknown) =>
    typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v,
  ) as Record<string, unknown>;
  const start = 16 + n;
  const entries = header.tensors as TensorEntry[];
  const tensors = entries.map((e) => {
    const size = e.dtype === 'f32' ? 4 : 8;
    const begin = start + e.offset;
    if (begin + e.length * size > bytes.length) throw new StateMismatchError('truncated trainer state');
    // Copy so the views are aligned and independent of the input buffer.
    const copy = bytes.slice(begin, begin + e.length * size);
    return e.dtype === 'f32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  });
  return { header, tensors };
}
