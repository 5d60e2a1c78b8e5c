/**
 * Index bookkeeping and batch assembly over a u8 Split.
 *
 * Legend: D = rows·cols pixels per sample; out: u8 [B, D]; labels: u8 [B]; idx: sample indices.
 */
import type { Split } from '../dataset.ts';
import type { Xoshiro128ss } from './prng.ts';

/**
 * Validation split: a Fisher–Yates permutation of 0..n−1 from rng; the first round(n·fraction) indices
 * are validation, the rest training; both returned sorted ascending (the base order of each epoch).
 */
export function carveValidation(
  n: number,
  fraction: number,
  rng: Xoshiro128ss,
): { train: Uint32Array; val: Uint32Array } {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  rng.shuffle(perm);
  const nVal = Math.round(n * fraction);
  // Sorted without a sort: mark the validation indices, then read both sets off in index order.
  const isVal = new Uint8Array(n);
  for (let i = 0; i < nVal; i++) isVal[perm[i]!] = 1;
  const val = new Uint32Array(nVal);
  const train = new Uint32Array(n - nVal);
  for (let i = 0, v = 0, t = 0; i < n; i++) {
    if (isVal[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { val, train };
}

/** 32-bit views of byte buffers, made once per buffer (batch gathering copies 4 pixels at a time). */
const words = new WeakMap<Uint8Array, Uint32Array>();

function wordsOf(bytes: Uint8Array): Uint32Array | null {
  if (bytes.byteOffset % 4 !== 0 || bytes.byteLength % 4 !== 0) return null;
  let w = words.get(bytes);
  if (!w) {
    w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    words.set(bytes, w);
  }
  return w;
}

/**
 * Copies samples idx[start..start+B) into out/labels. With shift k > 0 each image is translated by
 * (dx, dy), dx then dy drawn as rng.below(2k+1) − k, vacated pixels 0: out(y, x) = in(y − dy, x − dx).
 */
export function gatherBatch(
  split: Split,
  idx: Uint32Array,
  start: number,
  B: number,
  rows: number,
  cols: number,
  shift: number,
  rng: Xoshiro128ss | null,
  out: Uint8Array,
  labels: Uint8Array,
): void {
  const D = rows * cols;
  const img = split.images;
  const img4 = D % 4 === 0 ? wordsOf(img) : null;
  const out4 = img4 ? wordsOf(out) : null;
  for (let r = 0; r < B; r++) {
    const s = idx[start + r]!;
    labels[r] = split.labels[s]!;
    const src = s * D;
    const dst = r * D;
    if (shift === 0 || !rng) {
      if (img4 && out4) for (let p = src / 4, q = dst / 4, e = q + D / 4; q < e; ) out4[q++] = img4[p++]!;
      else for (let p = 0; p < D; p++) out[dst + p] = img[src + p]!;
      continue;
    }
    const dx = rng.below(2 * shift + 1) - shift;
    const dy = rng.below(2 * shift + 1) - shift;
    for (let y = 0; y < rows; y++) {
      const sy = y - dy;
      const o = dst + y * cols;
      if (sy < 0 || sy >= rows) {
        out.fill(0, o, o + cols);
        continue;
      }
      for (let x = 0; x < cols; x++) {
        const sx = x - dx;
        out[o + x] = sx >= 0 && sx < cols ? img[src + sy * cols + sx]! : 0;
      }
    }
  }
}
