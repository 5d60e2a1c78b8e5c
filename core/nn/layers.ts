/**
 * Layers of the MLP, forward and backward side by side.
 *
 * Legend (B rows, k = in features, n = out features):
 *   X: [B, k] layer input (u8 pixels for layer 0: X = scale·P + offset), kept as CSR of its nonzeros
 *   W: [k, n]  b: [n]  Z: [B, n] = X·W + b
 *   dZ: [B, n]  dW: [k, n] = Xᵀ·dZ  db: [n] = Σ_b dZ  dX: [B, k] = dZ·Wᵀ
 *   dropout: M: [B, n] holds 0 or 1/(1−p) (inverted dropout);  H = A ⊙ M,  dA = dH ⊙ M
 *
 * Layer 0 with an affine input normalisation x = scale·p + offset stays sparse in the pixels p:
 *   Z = scale·(P·W) + offset·(1·colsum(W)) + b      dW = scale·(Pᵀ·dZ) + offset·(1 ⊗ db)
 */
import {
  broadcastRows,
  columnSums,
  cscTMatmulAdd,
  csrMatmulAdd,
  csrToCsc,
  denseToCsr,
  type FloatArray,
  transpose,
  u8ToCsr,
} from './kernels.ts';
import type { Xoshiro128ss } from './prng.ts';

/** A CSR view of one layer input; `val` holds the (scaled) values. */
export interface Csr {
  ptr: Int32Array;
  idx: Int32Array;
  val: FloatArray;
}

/** Scratch shared by all layers of one model (sized for the widest layer). */
export interface Scratch {
  csc: Csr;
  dz: Csr;
  /** [max n] */
  vec: FloatArray;
  /** [max n] */
  bias: FloatArray;
}

/** Layer 0 forward: Z = (scale·P + offset)·W + b, P: u8 [B, k]; fills the CSR of P (values scale·p). */
export function inputLinearForward(
  P: Uint8Array,
  scale: number,
  offset: number,
  B: number,
  k: number,
  n: number,
  W: FloatArray,
  b: FloatArray,
  Z: FloatArray,
  X: Csr,
  s: Scratch,
): void {
  u8ToCsr(P, B, k, scale, X.ptr, X.idx, X.val);
  if (offset !== 0) {
    columnSums(W, k, n, s.vec);
    for (let j = 0; j < n; j++) s.bias[j] = b[j]! + offset * s.vec[j]!;
    for (let r = 0; r < B; r++) Z.set(s.bias.subarray(0, n), r * n);
  } else broadcastRows(b, B, n, Z);
  csrMatmulAdd(B, X.ptr, X.idx, X.val, W, n, Z);
}

/** Hidden/output layer forward: Z = X·W + b with X dense [B, k]; fills the CSR of X. */
export function linearForward(
  Xd: FloatArray,
  B: number,
  k: number,
  n: number,
  W: FloatArray,
  b: FloatArray,
  Z: FloatArray,
  X: Csr,
): void {
  denseToCsr(Xd, B, k, X.ptr, X.idx, X.val);
  broadcastRows(b, B, n, Z);
  csrMatmulAdd(B, X.ptr, X.idx, X.val, W, n, Z);
}

/**
 * Backward of Z = X·W + b: db = Σ_b dZ, dW = Xᵀ·dZ (+ offset·(1 ⊗ db) for layer 0), and when dX is given
 * dX = dZ·Wᵀ (via WT = Wᵀ and the nonzeros of dZ).
 */
export function linearBackward(
  X: Csr,
  offset: number,
  dZ: FloatArray,
  B: number,
  k: number,
  n: number,
  W: FloatArray,
  dW: FloatArray,
  db: FloatArray,
  dX: FloatArray | null,
  WT: FloatArray | null,
  s: Scratch,
): void {
  columnSums(dZ, B, n, db);
  csrToCsc(B, k, X.ptr, X.idx, X.val, s.csc.ptr, s.csc.idx, s.csc.val);
  dW.fill(0);
  cscTMatmulAdd(k, s.csc.ptr, s.csc.idx, s.csc.val, dZ, n, dW);
  if (offset !== 0) {
    for (let i = 0; i < k; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) dW[o + j] = dW[o + j]! + offset * db[j]!;
    }
  }
  if (dX && WT) {
    transpose(W, k, n, WT);
    denseToCsr(dZ, B, n, s.dz.ptr, s.dz.idx, s.dz.val);
    dX.fill(0, 0, B * k);
    csrMatmulAdd(B, s.dz.ptr, s.dz.idx, s.dz.val, WT, k, dX);
  }
}

/** Inverted dropout mask: M ∈ {0, 1/(1−p)} drawn row-major from rng (drop iff u < p). */
export function drawDropoutMask(p: number, M: FloatArray, len: number, rng: Xoshiro128ss): void {
  const keep = 1 / (1 - p);
  for (let i = 0; i < len; i++) M[i] = rng.nextFloat() < p ? 0 : keep;
}

/** Dropout forward: H = A ⊙ M. */
export function dropoutForward(A: FloatArray, M: FloatArray, H: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) H[i] = A[i]! * M[i]!;
}

/** Dropout backward in place: dA = dH ⊙ M. */
export function dropoutBackward(M: FloatArray, dH: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) dH[i] = dH[i]! * M[i]!;
}
