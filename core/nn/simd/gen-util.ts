/** Small building blocks shared by the kernel generators. */
import {
  type Expr,
  forRange,
  get,
  type I32,
  i32,
  type Local,
  type Stmt,
  seq,
  set,
  type V128,
  v128,
  whileLoop,
} from './asm.ts';
import type { FloatType, Num } from './num.ts';

/** e · c for a constant c (a shift when c is a power of two). */
export function times(e: I32, c: number): I32 {
  if (c === 1) return e;
  const log = Math.log2(c);
  return Number.isInteger(log) ? i32.shl(e, i32.const(log)) : i32.mul(e, i32.const(c));
}

/** base + index · stride (bytes). */
export const at = (base: I32, index: I32, stride: number): I32 => i32.add(base, times(index, stride));

export const inc = (l: Local<'i32'>, by = 1): Stmt => set(l, i32.add(get(l), i32.const(by)));

/** The largest alignment (≤ 16) every row start of a `stride`-byte row layout has. */
export function rowAlign(stride: number, natural: number): number {
  let a = 16;
  while (a > natural && stride % a !== 0) a /= 2;
  return a;
}

/** Stores the first `count` lanes of v at addr + offset (a partial vector at the end of a row). */
export function storeLanes<T extends FloatType>(
  num: Num<T>,
  addr: I32,
  v: V128,
  offset: number,
  count: number,
  tmp: Local<'v128'>,
): Stmt {
  const parts: Stmt[] = [set(tmp, v)];
  for (let k = 0; k < count; k++)
    parts.push(num.store(addr, num.extract(get(tmp), k), offset + k * num.size));
  return seq(...parts);
}

/** Stores v whole, or its first `count` lanes when count < lanes. */
export function storeVector<T extends FloatType>(
  num: Num<T>,
  addr: I32,
  v: V128,
  offset: number,
  count: number,
  align: number,
  tmp: Local<'v128'>,
): Stmt {
  return count === num.lanes
    ? v128.store(addr, v, offset, align)
    : storeLanes(num, addr, v, offset, count, tmp);
}

/** Column blocks of a row of n elements: [first vector, vectors, lanes used in the last vector]. */
export function columnBlocks(n: number, lanes: number, block: number): [number, number, number][] {
  const vecs = Math.ceil(n / lanes);
  const out: [number, number, number][] = [];
  for (let v0 = 0; v0 < vecs; v0 += block) {
    const m = Math.min(block, vecs - v0);
    const last = v0 + m === vecs && n % lanes !== 0 ? n % lanes : lanes;
    out.push([v0, m, last]);
  }
  return out;
}

/**
 * The loops over a row's column blocks (columnBlocks): whole blocks share one body in a loop over their
 * byte offset `jb` (`bases(offset)` moves the kernel's base addresses there, `body(0, block, lanes)`),
 * the narrower last block gets its own body at offset 0 (`body(v0, m, last)`).
 */
export function overColumnBlocks(
  jb: Local<'i32'>,
  n: number,
  lanes: number,
  block: number,
  bases: (offset: I32) => Stmt[],
  body: (v0: number, m: number, last: number) => Stmt[],
): Stmt[] {
  const blocks = columnBlocks(n, lanes, block);
  const whole = blocks.filter(([, m, last]) => m === block && last === lanes).length;
  const code: Stmt[] = [];
  if (whole > 0)
    code.push(
      forRange(
        jb,
        i32.const(0),
        i32.const(whole * block * 16),
        block * 16,
        ...bases(get(jb)),
        ...body(0, block, lanes),
      ),
    );
  for (const [v0, m, last] of blocks.slice(whole)) code.push(...bases(i32.const(0)), ...body(v0, m, last));
  return code;
}

/**
 * A CSR builder's loop over rows: ptr[b] ← nnz and row ← base + b·stride before `body` for each row b,
 * then ptr[rows] ← nnz.
 */
export function csrRows(
  locals: { b: Local<'i32'>; nnz: Local<'i32'>; row: Local<'i32'> },
  rows: Local<'i32'>,
  ptr: Local<'i32'>,
  base: Local<'i32'>,
  stride: number,
  ...body: Stmt[]
): Stmt[] {
  const { b, nnz, row } = locals;
  return [
    forRange(
      b,
      i32.const(0),
      get(rows),
      1,
      i32.store(at(get(ptr), get(b), 4), get(nnz)),
      set(row, at(get(base), get(b), stride)),
      ...body,
    ),
    i32.store(at(get(ptr), get(rows), 4), get(nnz)),
  ];
}

/** Visits the set bits of `mask` (lowest first): bit ← ctz(mask), body, mask ← mask & (mask − 1). */
export function forEachBit(mask: Local<'i32'>, bit: Local<'i32'>, ...body: Stmt[]): Stmt {
  return whileLoop(
    get(mask),
    set(bit, i32.ctz(get(mask))),
    ...body,
    set(mask, i32.and(get(mask), i32.sub(get(mask), i32.const(1)))),
  );
}

/** The scalar parameter p (an f64) as T. */
export const param = <T extends FloatType>(num: Num<T>, p: Local<'f64'>): Expr<T> => num.fromF64(get(p));
