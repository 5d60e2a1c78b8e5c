/**
 * Weights as safetensors (https://github.com/huggingface/safetensors):
 *   [u64 LE N][N bytes JSON header, space-padded so 8 + N is a multiple of 8][F32 LE data]
 * Header: {"layers.<i>.weight": {"dtype":"F32","shape":[out,in],"data_offsets":[begin,end]},
 *          "layers.<i>.bias": {"dtype":"F32","shape":[out],...}, …, "__metadata__": {string: string}}
 * Offsets are relative to the start of the data section, contiguous, in the order above. Weight
 * matrices are stored [out, in] (PyTorch nn.Linear layout), the transpose of our internal W: [in, out].
 */
import type { FloatArray } from './kernels.ts';

export interface NamedTensor {
  name: string;
  shape: number[];
  /** Values in row-major order of `shape`. */
  data: ArrayLike<number>;
}

/** Tensors of an MLP: W[l] is [in, out] internally, exported transposed. */
export function mlpTensors(
  sizes: readonly number[],
  W: readonly FloatArray[],
  b: readonly FloatArray[],
): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (let l = 0; l < W.length; l++) {
    const k = sizes[l]!;
    const n = sizes[l + 1]!;
    const w = W[l]!;
    const t = new Float32Array(k * n);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) t[j * k + i] = w[i * n + j]!;
    out.push({ name: `layers.${l}.weight`, shape: [n, k], data: t });
    out.push({ name: `layers.${l}.bias`, shape: [n], data: b[l]! });
  }
  return out;
}

export function encodeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    hb = enc.encode(json);
  }
  const buf = new Uint8Array(8 + hb.length + offset);
  const dv = new DataView(buf.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  buf.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, p += 4) dv.setFloat32(p, t.data[i]!, true);
  }
  return buf;
}

export interface DecodedTensor {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

/** Parses F32 safetensors (the inverse of encodeSafetensors). */
export function decodeSafetensors(buf: Uint8Array): {
  tensors: Map<string, DecodedTensor>;
  metadata: Record<string, string>;
} {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n))) as Record<string, unknown>;
  const tensors = new Map<string, DecodedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = v as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    if (dtype !== 'F32') throw new Error(`unsupported dtype ${dtype} of ${name}`);
    const [begin, end] = data_offsets;
    const data = new Float32Array((end - begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = dv.getFloat32(8 + n + begin + i * 4, true);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
