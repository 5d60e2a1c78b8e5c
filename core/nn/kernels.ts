/**
 * Matrix kernels of the MLP, written for V8: flat typed arrays, row-major, no allocation.
 *
 * Legend (B = rows of the batch, n = columns of the right-hand matrix):
 *   dense X: [B, k]      W: [k, n]      Z: [B, n]      WT: [n, k]
 *   CSR (rows of a sparse X):   ptr: [B+1]  idx: [nnz] column of each value  val: [nnz]
 *   CSC (columns of a sparse X): ptr: [k+1]  idx: [nnz] row of each value     val: [nnz]
 *
 * Inputs of most products are sparse (MNIST pixels ~81% zeros, ReLU outputs and their gradients ~50%):
 * every product iterates the nonzeros of one operand and does 8-way unrolled row updates (axpy) on the
 * other, so each output row is loaded/stored once per 8 nonzeros. The reduction order is fixed by the
 * data (row-major scan, groups of 8, then 4, then 1 in ascending index), hence results are bit-reproducible.
 */
export type FloatArray = Float32Array | Float64Array;
export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Sparse rows of a dense [B, k] float matrix into CSR; returns nnz. */
export function denseToCsr(
  X: FloatArray,
  B: number,
  k: number,
  ptr: Int32Array,
  idx: Int32Array,
  val: FloatArray,
): number {
  let nnz = 0;
  for (let b = 0; b < B; b++) {
    ptr[b] = nnz;
    const o = b * k;
    for (let i = 0; i < k; i++) {
      const v = X[o + i]!;
      if (v !== 0) {
        idx[nnz] = i;
        val[nnz++] = v;
      }
    }
  }
  ptr[B] = nnz;
  return nnz;
}

/** Sparse rows of a u8 [B, k] matrix into CSR with values scale·p; returns nnz. */
export function u8ToCsr(
  P: Uint8Array,
  B: number,
  k: number,
  scale: number,
  ptr: Int32Array,
  idx: Int32Array,
  val: FloatArray,
): number {
  let nnz = 0;
  for (let b = 0; b < B; b++) {
    ptr[b] = nnz;
    const o = b * k;
    for (let i = 0; i < k; i++) {
      const p = P[o + i]!;
      if (p !== 0) {
        idx[nnz] = i;
        val[nnz++] = p * scale;
      }
    }
  }
  ptr[B] = nnz;
  return nnz;
}

/** CSR [B, k] → CSC (rows ascending within each column). `ptr` must hold k+1 entries. */
export function csrToCsc(
  B: number,
  k: number,
  rPtr: Int32Array,
  rIdx: Int32Array,
  rVal: FloatArray,
  cPtr: Int32Array,
  cIdx: Int32Array,
  cVal: FloatArray,
): void {
  cPtr.fill(0, 0, k + 1);
  const nnz = rPtr[B]!;
  for (let t = 0; t < nnz; t++) cPtr[rIdx[t]! + 1]!++;
  for (let i = 0; i < k; i++) cPtr[i + 1]! += cPtr[i]!;
  // cPtr[i] is used as the write cursor of column i, then shifted back.
  for (let b = 0; b < B; b++) {
    for (let t = rPtr[b]!, e = rPtr[b + 1]!; t < e; t++) {
      const d = cPtr[rIdx[t]!]!++;
      cIdx[d] = b;
      cVal[d] = rVal[t]!;
    }
  }
  for (let i = k; i > 0; i--) cPtr[i] = cPtr[i - 1]!;
  cPtr[0] = 0;
}

/** Z[b,:] += Σ_t val[t] · W[idx[t], :] over the nonzeros t of CSR row b.   (Z += X·W, X sparse) */
export function csrMatmulAdd(
  B: number,
  ptr: Int32Array,
  idx: Int32Array,
  val: FloatArray,
  W: FloatArray,
  n: number,
  Z: FloatArray,
): void {
  for (let b = 0; b < B; b++) {
    const zo = b * n;
    let t = ptr[b]!;
    const e = ptr[b + 1]!;
    for (; t + 7 < e; t += 8) {
      const v0 = val[t]!;
      const v1 = val[t + 1]!;
      const v2 = val[t + 2]!;
      const v3 = val[t + 3]!;
      const v4 = val[t + 4]!;
      const v5 = val[t + 5]!;
      const v6 = val[t + 6]!;
      const v7 = val[t + 7]!;
      const o0 = idx[t]! * n;
      const o1 = idx[t + 1]! * n;
      const o2 = idx[t + 2]! * n;
      const o3 = idx[t + 3]! * n;
      const o4 = idx[t + 4]! * n;
      const o5 = idx[t + 5]! * n;
      const o6 = idx[t + 6]! * n;
      const o7 = idx[t + 7]! * n;
      for (let j = 0; j < n; j++) {
        const s03 = v0 * W[o0 + j]! + v1 * W[o1 + j]! + (v2 * W[o2 + j]! + v3 * W[o3 + j]!);
        const s47 = v4 * W[o4 + j]! + v5 * W[o5 + j]! + (v6 * W[o6 + j]! + v7 * W[o7 + j]!);
        Z[zo + j] = Z[zo + j]! + (s03 + s47);
      }
    }
    for (; t + 3 < e; t += 4) {
      const v0 = val[t]!;
      const v1 = val[t + 1]!;
      const v2 = val[t + 2]!;
      const v3 = val[t + 3]!;
      const o0 = idx[t]! * n;
      const o1 = idx[t + 1]! * n;
      const o2 = idx[t + 2]! * n;
      const o3 = idx[t + 3]! * n;
      for (let j = 0; j < n; j++) {
        Z[zo + j] = Z[zo + j]! + (v0 * W[o0 + j]! + v1 * W[o1 + j]! + (v2 * W[o2 + j]! + v3 * W[o3 + j]!));
      }
    }
    for (; t < e; t++) {
      const v = val[t]!;
      const o = idx[t]! * n;
      for (let j = 0; j < n; j++) Z[zo + j] = Z[zo + j]! + v * W[o + j]!;
    }
  }
}

/** dW[i,:] += Σ_t val[t] · dZ[idx[t], :] over the nonzeros t of CSC column i.   (dW += Xᵀ·dZ) */
export function cscTMatmulAdd(
  k: number,
  ptr: Int32Array,
  idx: Int32Array,
  val: FloatArray,
  dZ: FloatArray,
  n: number,
  dW: FloatArray,
): void {
  for (let i = 0; i < k; i++) {
    const wo = i * n;
    let t = ptr[i]!;
    const e = ptr[i + 1]!;
    for (; t + 7 < e; t += 8) {
      const v0 = val[t]!;
      const v1 = val[t + 1]!;
      const v2 = val[t + 2]!;
      const v3 = val[t + 3]!;
      const v4 = val[t + 4]!;
      const v5 = val[t + 5]!;
      const v6 = val[t + 6]!;
      const v7 = val[t + 7]!;
      const o0 = idx[t]! * n;
      const o1 = idx[t + 1]! * n;
      const o2 = idx[t + 2]! * n;
      const o3 = idx[t + 3]! * n;
      const o4 = idx[t + 4]! * n;
      const o5 = idx[t + 5]! * n;
      const o6 = idx[t + 6]! * n;
      const o7 = idx[t + 7]! * n;
      for (let j = 0; j < n; j++) {
        const s03 = v0 * dZ[o0 + j]! + v1 * dZ[o1 + j]! + (v2 * dZ[o2 + j]! + v3 * dZ[o3 + j]!);
        const s47 = v4 * dZ[o4 + j]! + v5 * dZ[o5 + j]! + (v6 * dZ[o6 + j]! + v7 * dZ[o7 + j]!);
        dW[wo + j] = dW[wo + j]! + (s03 + s47);
      }
    }
    for (; t + 3 < e; t += 4) {
      const v0 = val[t]!;
      const v1 = val[t + 1]!;
      const v2 = val[t + 2]!;
      const v3 = val[t + 3]!;
      const o0 = idx[t]! * n;
      const o1 = idx[t + 1]! * n;
      const o2 = idx[t + 2]! * n;
      const o3 = idx[t + 3]! * n;
      for (let j = 0; j < n; j++) {
        dW[wo + j] =
          dW[wo + j]! + (v0 * dZ[o0 + j]! + v1 * dZ[o1 + j]! + (v2 * dZ[o2 + j]! + v3 * dZ[o3 + j]!));
      }
    }
    for (; t < e; t++) {
      const v = val[t]!;
      const o = idx[t]! * n;
      for (let j = 0; j < n; j++) dW[wo + j] = dW[wo + j]! + v * dZ[o + j]!;
    }
  }
}

/** WT = Wᵀ for W: [k, n] → WT: [n, k] (blocked for cache reuse). */
export function transpose(W: FloatArray, k: number, n: number, WT: FloatArray): void {
  const BS = 32;
  for (let i0 = 0; i0 < k; i0 += BS) {
    const i1 = Math.min(i0 + BS, k);
    for (let j0 = 0; j0 < n; j0 += BS) {
      const j1 = Math.min(j0 + BS, n);
      for (let i = i0; i < i1; i++) {
        const o = i * n;
        for (let j = j0; j < j1; j++) WT[j * k + i] = W[o + j]!;
      }
    }
  }
}

/** Z[b,:] = bias for every row b. */
export function broadcastRows(bias: FloatArray, B: number, n: number, Z: FloatArray): void {
  for (let b = 0; b < B; b++) Z.set(bias, b * n);
}

/** out[j] = Σ_b M[b, j]  (column sums of M: [B, n], rows summed in ascending order). */
export function columnSums(M: FloatArray, B: number, n: number, out: FloatArray): void {
  out.fill(0, 0, n);
  for (let b = 0; b < B; b++) {
    const o = b * n;
    for (let j = 0; j < n; j++) out[j] = out[j]! + M[o + j]!;
  }
}

/** Σ x² over the first `len` entries. */
export function sumSquares(x: FloatArray, len = x.length): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += x[i]! * x[i]!;
  return s;
}
