/**
 * Generators of the product kernels (sparse × dense, specialised to the row lengths of one model) and of
 * the conversions that feed them. Same legend and CSR/CSC layout as core/nn/kernels.ts (plain column / row
 * indices, values scaled). Every kernel takes byte addresses in the model's memory.
 *
 * Reduction order (fixed, the same on every CPU): an output element is its initial value (0 or the bias)
 * plus the nonzeros' products added one at a time in index order, each in its own SIMD lane (no horizontal
 * sums, no FMA: WebAssembly SIMD128 has none outside relaxed-SIMD).
 */
import {
  Func,
  forRange,
  get,
  type I32,
  i32,
  type Stmt,
  set,
  shuffle32,
  shuffle64,
  type V128,
  v128,
  whileLoop,
} from './asm.ts';
import { at, inc, overColumnBlocks, param, rowAlign, storeVector } from './gen-util.ts';
import type { FloatType, Num } from './num.ts';

/**
 * Accumulators (output vectors) per pass over a row's nonzeros: 12 of the 16 v128 registers of x86-64
 * (arm64 has 32). Measured on this project's machine (BENCHMARKS.md, core): 8 → 12 is ≈ 4 % faster over one
 * batch's products, 16 spills and is ≈ 10 % slower.
 */
export const BLOCK = 12;

export interface SpmmOptions {
  /** Row length of the dense operand and of the output (elements). */
  n: number;
  /** Initial value of each output row: zero, or the vector at `init`. */
  init: 'zero' | 'vector';
  /** Adds c · (vector at `extra`) to every output row after the sum (layer 0's offset · db). */
  addScaled: boolean;
  /** Accumulators (vectors of output columns) per pass over a row's nonzeros (default BLOCK). */
  block?: number;
}

/**
 * out[r, :] = init + Σ_{t ∈ row r} val[t] · D[idx[t], :]  (+ c · extra)   for r < rows.
 * Params: rows, ptr, idx, val, D, out, init, extra (i32 addresses), c (f64).
 * Forward (X·W + b: rows of X in CSR), dW = Xᵀ·dZ (columns of X in CSC), dX = dZ·Wᵀ (rows of dZ in CSR).
 * The outer loop runs over column blocks and the inner one over rows, so one block of D's columns
 * (rows × 16·block bytes) stays in cache while every row uses it (≈ 8 % faster than rows outside). Whole
 * blocks share one loop body (the block's offset added to the base addresses); the last, narrower block
 * (n specialised: its vectors and lanes are known) has its own.
 */
export function spmm<T extends FloatType>(num: Num<T>, name: string, o: SpmmOptions): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64'] as const);
  const [rows, ptr, idx, val, D, out, init, extra, c] = f.params;
  const r = f.local('i32');
  const t = f.local('i32');
  const t1 = f.local('i32');
  const orow = f.local('i32');
  const d = f.local('i32');
  const s = f.local('v128');
  const cv = f.local('v128');
  const tmp = f.local('v128');
  const jb = f.local('i32');
  const base = { D: f.local('i32'), out: f.local('i32'), init: f.local('i32'), extra: f.local('i32') };
  const block = o.block ?? BLOCK;
  const acc = Array.from({ length: block }, () => f.local('v128'));
  const stride = o.n * num.size;
  const align = rowAlign(stride, num.size);
  /** Every row's output vectors [v0, v0 + m) from the bases (the last vector holding `last` lanes). */
  const rowsOfBlock = (v0: number, m: number, last: number): Stmt => {
    const off = (k: number) => (v0 + k) * 16;
    const a = acc.slice(0, m);
    return forRange(
      r,
      i32.const(0),
      get(rows),
      1,
      set(t, i32.load(at(get(ptr), get(r), 4))),
      set(t1, i32.load(at(get(ptr), get(r), 4), 4)),
      set(orow, at(get(base.out), get(r), stride)),
      ...a.map((x, k) => set(x, o.init === 'vector' ? v128.load(get(base.init), off(k), 16) : v128.zero())),
      whileLoop(
        i32.ltS(get(t), get(t1)),
        set(s, num.splat(num.load(at(get(val), get(t), num.size)))),
        set(d, at(get(base.D), i32.load(at(get(idx), get(t), 4)), stride)),
        ...a.map((x, k) => set(x, num.vadd(get(x), num.vmul(get(s), v128.load(get(d), off(k), align))))),
        inc(t),
      ),
      ...(o.addScaled
        ? a.map((x, k) => set(x, num.vadd(get(x), num.vmul(get(cv), v128.load(get(base.extra), off(k), 16)))))
        : []),
      ...a.map((x, k) =>
        storeVector(num, get(orow), get(x), off(k), k === m - 1 ? last : num.lanes, align, tmp),
      ),
    );
  };
  const bases = (offset: I32): Stmt[] => [
    set(base.D, i32.add(get(D), offset)),
    set(base.out, i32.add(get(out), offset)),
    set(base.init, i32.add(get(init), offset)),
    set(base.extra, i32.add(get(extra), offset)),
  ];
  const code: Stmt[] = [
    set(cv, num.splat(param(num, c))),
    ...overColumnBlocks(jb, o.n, num.lanes, block, bases, (v0, m, last) => [rowsOfBlock(v0, m, last)]),
  ];
  return f.body(...code);
}

/**
 * out[j] = Σ_b M[b, j] for j < n (rows added in ascending order from 0, as the scalar engine: the same
 * bits). Params: M, rows, out. Whole column blocks share one loop body, the narrower last block has its own.
 */
export function columnSums<T extends FloatType>(num: Num<T>, name: string, n: number): Func {
  const f = new Func(name, ['i32', 'i32', 'i32'] as const);
  const [M, rows, out] = f.params;
  const b = f.local('i32');
  const row = f.local('i32');
  const jb = f.local('i32');
  const col = f.local('i32');
  const dst = f.local('i32');
  const tmp = f.local('v128');
  const acc = Array.from({ length: BLOCK }, () => f.local('v128'));
  const stride = n * num.size;
  const align = rowAlign(stride, num.size);
  /** Columns of vectors [v0, v0 + m) from the bases col (in M's first row) and dst (in out). */
  const sums = (v0: number, m: number, last: number): Stmt[] => {
    const off = (k: number) => (v0 + k) * 16;
    const a = acc.slice(0, m);
    return [
      ...a.map((x) => set(x, v128.zero())),
      set(row, get(col)),
      forRange(
        b,
        i32.const(0),
        get(rows),
        1,
        ...a.map((x, k) => set(x, num.vadd(get(x), v128.load(get(row), off(k), align)))),
        set(row, i32.add(get(row), i32.const(stride))),
      ),
      ...a.map((x, k) => storeVector(num, get(dst), get(x), off(k), k === m - 1 ? last : num.lanes, 16, tmp)),
    ];
  };
  const bases = (offset: I32): Stmt[] => [
    set(col, i32.add(get(M), offset)),
    set(dst, i32.add(get(out), offset)),
  ];
  const code = overColumnBlocks(jb, n, num.lanes, BLOCK, bases, sums);
  return f.body(...code);
}

/** WT = Wᵀ for W: [k, n] → WT: [n, k] (k, n specialised), by lanes × lanes tiles. Params: W, WT. */
export function transpose<T extends FloatType>(num: Num<T>, name: string, k: number, n: number): Func {
  const f = new Func(name, ['i32', 'i32'] as const);
  const [W, WT] = f.params;
  const i = f.local('i32');
  const j = f.local('i32');
  const src = f.local('i32');
  const L = num.lanes;
  const kb = Math.floor(k / L) * L;
  const nb = Math.floor(n / L) * L;
  const rIn = Array.from({ length: L }, () => f.local('v128'));
  const wAlign = rowAlign(n * num.size, num.size);
  const tAlign = rowAlign(k * num.size, num.size);
  /** WT[j, i] = W[i, j] for one element (addresses from the i, j locals). */
  const one = (): Stmt =>
    num.store(
      at(get(WT), i32.add(i32.mul(get(j), i32.const(k)), get(i)), num.size),
      num.load(at(get(W), i32.add(i32.mul(get(i), i32.const(n)), get(j)), num.size)),
    );
  const tile = (): Stmt[] => {
    const loads = rIn.map((x, r) => set(x, v128.load(get(src), r * n * num.size, wAlign)));
    let cols: V128[];
    if (L === 4) {
      const [a, b, c, d] = rIn.map((x) => get(x)) as [V128, V128, V128, V128];
      const t0 = shuffle32(a, b, [0, 4, 1, 5]);
      const t1 = shuffle32(a, b, [2, 6, 3, 7]);
      const t2 = shuffle32(c, d, [0, 4, 1, 5]);
      const t3 = shuffle32(c, d, [2, 6, 3, 7]);
      cols = [
        shuffle64(t0, t2, [0, 2]),
        shuffle64(t0, t2, [1, 3]),
        shuffle64(t1, t3, [0, 2]),
        shuffle64(t1, t3, [1, 3]),
      ];
    } else {
      const [a, b] = rIn.map((x) => get(x)) as [V128, V128];
      cols = [shuffle64(a, b, [0, 2]), shuffle64(a, b, [1, 3])];
    }
    const dst = at(get(WT), i32.add(i32.mul(get(j), i32.const(k)), get(i)), num.size);
    return [...loads, ...cols.map((col, q) => v128.store(dst, col, q * k * num.size, tAlign))];
  };
  return f.body(
    forRange(
      i,
      i32.const(0),
      i32.const(kb),
      L,
      forRange(
        j,
        i32.const(0),
        i32.const(nb),
        L,
        set(src, at(get(W), i32.add(i32.mul(get(i), i32.const(n)), get(j)), num.size)),
        ...tile(),
      ),
    ),
    // Columns j ≥ nb of the tiled rows, then rows i ≥ kb, one element at a time.
    ...(nb < n
      ? [forRange(i, i32.const(0), i32.const(kb), 1, forRange(j, i32.const(nb), i32.const(n), 1, one()))]
      : []),
    ...(kb < k
      ? [forRange(i, i32.const(kb), i32.const(k), 1, forRange(j, i32.const(0), i32.const(n), 1, one()))]
      : []),
  );
}
