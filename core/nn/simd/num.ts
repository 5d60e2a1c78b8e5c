/**
 * One element type for the kernel generators: f32 (4 lanes per v128) or f64 (2 lanes). A generator written
 * against `Num<T>` produces the Float32 engine's kernels and the Float64 ones (gradient checks, reference
 * runs) from the same code, with TypeScript checking that scalars of type T and vectors never mix.
 *
 * Scalar parameters of kernels (learning rate, scale, …) arrive as f64 (a JavaScript number) and are
 * rounded to T once, where the kernel starts (`fromF64`).
 */
import {
  type Expr,
  type F64 as F64Expr,
  f32,
  f32x4,
  f64,
  f64x2,
  type I32,
  i32x4,
  i64x2,
  type Stmt,
  shuffle64,
  type V128,
} from './asm.ts';

export type FloatType = 'f32' | 'f64';

export interface Num<T extends FloatType> {
  readonly type: T;
  /** Bytes per element. */
  readonly size: 4 | 8;
  /** Elements per v128. */
  readonly lanes: 4 | 2;
  const(x: number): Expr<T>;
  load(addr: I32, offset?: number, align?: number): Expr<T>;
  store(addr: I32, v: Expr<T>, offset?: number): Stmt;
  add(a: Expr<T>, b: Expr<T>): Expr<T>;
  mul(a: Expr<T>, b: Expr<T>): Expr<T>;
  fromF64(e: F64Expr): Expr<T>;
  toF64(e: Expr<T>): F64Expr;
  /** An unsigned i32 as T (exact below 2^24). */
  fromU32(e: I32): Expr<T>;
  splat(e: Expr<T>): V128;
  extract(v: V128, lane: number): Expr<T>;
  vadd(a: V128, b: V128): V128;
  vsub(a: V128, b: V128): V128;
  vmul(a: V128, b: V128): V128;
  vdiv(a: V128, b: V128): V128;
  vsqrt(a: V128): V128;
  /** IEEE maximum (NaN propagates, max(−0, +0) = +0), as Math.max. */
  vmax(a: V128, b: V128): V128;
  /** All-ones lanes where a > b. */
  vgt(a: V128, b: V128): V128;
  /** One bit per lane, lane 0 lowest: set where the lane is not ±0 (NaN counts as nonzero). */
  nonzeroBits(v: V128): I32;
  /** The lanes as f64x2 vectors (one for f64, two for f32), exactly. */
  toF64x2(v: V128): V128[];
}

export const F32: Num<'f32'> = {
  type: 'f32',
  size: 4,
  lanes: 4,
  const: f32.const,
  load: f32.load,
  store: f32.store,
  add: f32.add,
  mul: f32.mul,
  fromF64: f32.demote,
  toF64: f64.promote,
  fromU32: f32.fromI32U,
  splat: f32x4.splat,
  extract: f32x4.extractLane,
  vadd: f32x4.add,
  vsub: f32x4.sub,
  vmul: f32x4.mul,
  vdiv: f32x4.div,
  vsqrt: f32x4.sqrt,
  vmax: f32x4.max,
  vgt: f32x4.gt,
  nonzeroBits: (v) => i32x4.bitmask(f32x4.ne(v, f32x4.splat(f32.const(0)))),
  toF64x2: (v) => [f64x2.promoteLowF32x4(v), f64x2.promoteLowF32x4(shuffle64(v, v, [1, 1]))],
};

export const F64: Num<'f64'> = {
  type: 'f64',
  size: 8,
  lanes: 2,
  const: f64.const,
  load: f64.load,
  store: f64.store,
  add: f64.add,
  mul: f64.mul,
  fromF64: (e) => e,
  toF64: (e) => e,
  fromU32: f64.fromI32U,
  splat: f64x2.splat,
  extract: f64x2.extractLane,
  vadd: f64x2.add,
  vsub: f64x2.sub,
  vmul: f64x2.mul,
  vdiv: f64x2.div,
  vsqrt: f64x2.sqrt,
  vmax: f64x2.max,
  vgt: f64x2.gt,
  nonzeroBits: (v) => i64x2.bitmask(f64x2.ne(v, f64x2.splat(f64.const(0)))),
  toF64x2: (v) => [v],
};
