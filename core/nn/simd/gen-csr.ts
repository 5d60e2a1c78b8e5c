/**
 * Generators of the CSR/CSC builders (layout as core/nn/kernels.ts: plain column / row indices, values
 * scaled). The dense and u8 scans are branch-free per vector: the nonzero lanes of a vector are moved to
 * its front by a byte shuffle looked up from its lane mask (`compactionTables`), the whole vector is stored
 * at the current end of the CSR arrays, and the end advances by the number of nonzeros. So a builder
 * writes up to one vector (16 bytes) past the last nonzero — inside the arena's slack after the buffer.
 */
import {
  Func,
  f32x4,
  f64x2,
  forRange,
  get,
  type I32,
  i8x16,
  i16x8,
  i32,
  i32x4,
  ifThen,
  type Local,
  type Stmt,
  set,
  shuffle32,
  shuffle64,
  type V128,
  v128,
  whileLoop,
} from './asm.ts';
import { at, csrRows, inc, rowAlign } from './gen-util.ts';
import type { FloatType, Num } from './num.ts';

/** Bytes of the tables: 16 shuffles of 4-byte lanes, then 4 shuffles of 8-byte lanes. */
export const TABLE_BYTES = 16 * 16 + 4 * 16;
const T8 = 16 * 16;

/**
 * The compaction shuffles: entry m (a lane mask) moves the selected lanes, in order, to the front of a
 * vector (i8x16.swizzle indices; the other bytes read index 0x80, i.e. zero).
 */
export function compactionTables(): Uint8Array {
  const out = new Uint8Array(TABLE_BYTES).fill(0x80);
  const fill = (base: number, laneBytes: number, lanes: number) => {
    for (let m = 0; m < 1 << lanes; m++) {
      let to = 0;
      for (let j = 0; j < lanes; j++) {
        if (!(m & (1 << j))) continue;
        for (let b = 0; b < laneBytes; b++) out[base + m * 16 + to * laneBytes + b] = j * laneBytes + b;
        to++;
      }
    }
  };
  fill(0, 4, 4);
  fill(T8, 8, 2);
  return out;
}

interface Cursor {
  nnz: Local<'i32'>;
  idx: Local<'i32'>;
  val: Local<'i32'>;
  tables: Local<'i32'>;
}

/**
 * Appends the lanes of `vals` (T lanes) selected by `mask` and their column indices (`cols`, i32 lanes in
 * the same order) at the end of the CSR arrays.
 */
function append<T extends FloatType>(
  num: Num<T>,
  c: Cursor,
  mask: Local<'i32'>,
  vals: V128,
  cols: V128,
): Stmt[] {
  const t4 = v128.load(at(get(c.tables), get(mask), 16), 0, 16);
  const tv = num.size === 4 ? t4 : v128.load(at(get(c.tables), get(mask), 16), T8, 16);
  return [
    v128.store(at(get(c.val), get(c.nnz), num.size), i8x16.swizzle(vals, tv), 0, num.size),
    v128.store(at(get(c.idx), get(c.nnz), 4), i8x16.swizzle(cols, t4), 0, 4),
    set(c.nnz, i32.add(get(c.nnz), i32.popcnt(get(mask)))),
  ];
}

/**
 * CSR of the nonzeros of a dense [rows, k] matrix X (k specialised); returns nnz. Params: X, rows, ptr,
 * idx, val, tables.
 */
export function denseToCsr<T extends FloatType>(num: Num<T>, name: string, k: number): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const, 'i32');
  const [X, rows, ptr, idx, val, tables] = f.params;
  const b = f.local('i32');
  const nnz = f.local('i32');
  const row = f.local('i32');
  const c = f.local('i32');
  const mask = f.local('i32');
  const v = f.local('v128');
  const cols = f.local('v128');
  const cur: Cursor = { nnz, idx, val, tables };
  const stride = k * num.size;
  const align = rowAlign(stride, num.size);
  const full = Math.floor(k / num.lanes) * num.lanes;
  const rem = k % num.lanes;
  const step = (keep: number | null): Stmt[] => [
    set(v, v128.load(at(get(row), get(c), num.size), 0, align)),
    set(mask, keep === null ? num.nonzeroBits(get(v)) : i32.and(num.nonzeroBits(get(v)), i32.const(keep))),
    ...append(num, cur, mask, get(v), get(cols)),
    set(cols, i32x4.add(get(cols), i32x4.splat(i32.const(num.lanes)))),
  ];
  return f
    .body(
      ...csrRows(
        { b, nnz, row },
        rows,
        ptr,
        X,
        stride,
        set(cols, i32x4.iota(0)),
        forRange(c, i32.const(0), i32.const(full), num.lanes, ...step(null)),
        ...(rem > 0 ? [set(c, i32.const(full)), ...step((1 << rem) - 1)] : []),
      ),
    )
    .returns(get(nnz));
}

/**
 * CSR of the nonzero pixels of a u8 [rows, k] matrix P with values scale·p, computed in f64 and rounded to
 * T once (as the scalar engine does); returns nnz. Sixteen pixels at a time: all-zero chunks (MNIST's
 * borders) cost one compare. Params: P, rows, ptr, idx, val, tables, scale (f64).
 */
export function u8ToCsr<T extends FloatType>(num: Num<T>, name: string, k: number): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64'] as const, 'i32');
  const [P, rows, ptr, idx, val, tables, scale] = f.params;
  const b = f.local('i32');
  const nnz = f.local('i32');
  const row = f.local('i32');
  const c = f.local('i32');
  const m16 = f.local('i32');
  const mask = f.local('i32');
  const bytes = f.local('v128');
  const half = f.local('v128');
  const g = f.local('v128');
  const sc = f.local('v128');
  const cur: Cursor = { nnz, idx, val, tables };
  const full = Math.floor(k / 16) * 16;
  const rem = k % 16;
  /** scale·p exactly in f64 for the two low i32 lanes of x, as an f64x2. */
  const scaled = (x: V128): V128 => f64x2.mul(f64x2.fromLowI32x4U(x), get(sc));
  /** Pixels 4q … 4q+3 of the chunk (i32 lanes in g): append their nonzeros. */
  const group = (q: number): Stmt[] => {
    const cols = i32x4.add(i32x4.splat(get(c)), i32x4.iota(4 * q));
    const lo = scaled(get(g));
    const hi = scaled(shuffle64(get(g), get(g), [1, 1]));
    if (num.size === 4) {
      return [
        set(mask, i32.and(i32.shrU(get(m16), i32.const(4 * q)), i32.const(15))),
        ...append(
          num,
          cur,
          mask,
          shuffle32(f32x4.demoteF64x2Zero(lo), f32x4.demoteF64x2Zero(hi), [0, 1, 4, 5]),
          cols,
        ),
      ];
    }
    return [
      set(mask, i32.and(i32.shrU(get(m16), i32.const(4 * q)), i32.const(3))),
      ...append(num, cur, mask, lo, cols),
      set(mask, i32.and(i32.shrU(get(m16), i32.const(4 * q + 2)), i32.const(3))),
      ...append(num, cur, mask, hi, i32x4.add(i32x4.splat(get(c)), i32x4.iota(4 * q + 2))),
    ];
  };
  const chunk = (keep: number | null): Stmt[] => {
    const bits = i8x16.bitmask(i8x16.ne(get(bytes), v128.zero()));
    return [
      set(bytes, v128.load(i32.add(get(row), get(c)), 0, 1)),
      set(m16, keep === null ? bits : i32.and(bits, i32.const(keep))),
      ifThen(get(m16), [
        set(half, i16x8.extendLowU8(get(bytes))),
        set(g, i32x4.extendLowU16(get(half))),
        ...group(0),
        set(g, i32x4.extendHighU16(get(half))),
        ...group(1),
        set(half, i16x8.extendHighU8(get(bytes))),
        set(g, i32x4.extendLowU16(get(half))),
        ...group(2),
        set(g, i32x4.extendHighU16(get(half))),
        ...group(3),
      ]),
    ];
  };
  return f
    .body(
      set(sc, f64x2.splat(get(scale))),
      ...csrRows(
        { b, nnz, row },
        rows,
        ptr,
        P,
        k,
        forRange(c, i32.const(0), i32.const(full), 16, ...chunk(null)),
        ...(rem > 0 ? [set(c, i32.const(full)), ...chunk((1 << rem) - 1)] : []),
      ),
    )
    .returns(get(nnz));
}

/**
 * CSR [rows, k] → CSC (rows ascending within each column), a counting sort as kernels.ts's csrToCsc.
 * Params: rows, k, rPtr, rIdx, rVal, cPtr, cIdx, cVal.
 */
export function csrToCsc<T extends FloatType>(num: Num<T>, name: string): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const);
  const [rows, k, rPtr, rIdx, rVal, cPtr, cIdx, cVal] = f.params;
  const t = f.local('i32');
  const e = f.local('i32');
  const b = f.local('i32');
  const i = f.local('i32');
  const p = f.local('i32');
  const d = f.local('i32');
  const slot = (base: Local<'i32'>, index: I32) => at(get(base), index, 4);
  return f.body(
    forRange(i, i32.const(0), i32.add(get(k), i32.const(1)), 1, i32.store(slot(cPtr, get(i)), i32.const(0))),
    set(e, i32.load(slot(rPtr, get(rows)))),
    forRange(
      t,
      i32.const(0),
      get(e),
      1,
      set(p, slot(cPtr, i32.add(i32.load(slot(rIdx, get(t))), i32.const(1)))),
      i32.store(get(p), i32.add(i32.load(get(p)), i32.const(1))),
    ),
    forRange(
      i,
      i32.const(0),
      get(k),
      1,
      set(p, slot(cPtr, get(i))),
      i32.store(get(p), i32.add(i32.load(get(p), 4), i32.load(get(p))), 4),
    ),
    forRange(
      b,
      i32.const(0),
      get(rows),
      1,
      set(e, i32.load(slot(rPtr, get(b)), 4)),
      forRange(
        t,
        i32.load(slot(rPtr, get(b))),
        get(e),
        1,
        set(p, slot(cPtr, i32.load(slot(rIdx, get(t))))),
        set(d, i32.load(get(p))),
        i32.store(get(p), i32.add(get(d), i32.const(1))),
        i32.store(slot(cIdx, get(d)), get(b)),
        num.store(at(get(cVal), get(d), num.size), num.load(at(get(rVal), get(t), num.size))),
      ),
    ),
    // cPtr[i] now holds the end of column i: shift back by one.
    set(i, get(k)),
    whileLoop(
      i32.gtS(get(i), i32.const(0)),
      i32.store(slot(cPtr, get(i)), i32.load(slot(cPtr, i32.sub(get(i), i32.const(1))))),
      inc(i, -1),
    ),
    i32.store(get(cPtr), i32.const(0)),
  );
}
