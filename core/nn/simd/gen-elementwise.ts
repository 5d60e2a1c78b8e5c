/**
 * Generators of the elementwise kernels over `len` contiguous elements: activations (ReLU, leaky ReLU;
 * sigmoid and tanh forward stay in JavaScript, see simd/engine.ts), dropout, the activation backward fused
 * with the dropout mask, and Σx². Buffers are 64-byte aligned arena blocks; the last, partial vector is
 * read whole (arena slack) and stored lane by lane.
 */
import type { Activation } from '../../config.ts';
import {
  type Expr,
  Func,
  f64,
  f64x2,
  get,
  type I32,
  i32,
  ifThen,
  type Local,
  type Stmt,
  seq,
  set,
  type V128,
  v128,
  whileLoop,
} from './asm.ts';
import { inc, param } from './gen-util.ts';
import type { FloatType, Num } from './num.ts';

/** Stores v at addr: whole, or (the partial last vector) only its first `rem` lanes. */
export type VectorStore = (addr: I32, v: V128) => Stmt;

/**
 * Runs `step(o, store, rem)` for o = 0, 16, 32, … over the len elements (o: the byte offset of the vector,
 * a local). Full vectors get rem = null and a whole-vector store; the last vector, when len is not a
 * multiple of the lanes, gets the local rem (its lanes inside [0, len)) and a store of those lanes only.
 */
export function overElements<T extends FloatType>(
  f: Func,
  num: Num<T>,
  len: Local<'i32'>,
  step: (o: Local<'i32'>, store: VectorStore, rem: Local<'i32'> | null) => Stmt[],
): Stmt {
  const o = f.local('i32');
  const end = f.local('i32');
  const rem = f.local('i32');
  const tmp = f.local('v128');
  const whole: VectorStore = (addr, v) => v128.store(addr, v, 0, 16);
  const partial: VectorStore = (addr, v) =>
    seq(
      set(tmp, v),
      ...lanesBelow(num, rem, (k) => [num.store(addr, num.extract(get(tmp), k), k * num.size)]),
    );
  return seq(
    set(end, i32.mul(get(len), i32.const(num.size))),
    set(o, i32.const(0)),
    whileLoop(i32.leS(i32.add(get(o), i32.const(16)), get(end)), ...step(o, whole, null), inc(o, 16)),
    set(rem, i32.shrU(i32.sub(get(end), get(o)), i32.const(Math.log2(num.size)))),
    ifThen(i32.gtS(get(rem), i32.const(0)), step(o, partial, rem)),
  );
}

/** `body(k)` for each lane k < rem (rem < lanes, known only at run time). */
export function lanesBelow<T extends FloatType>(
  num: Num<T>,
  rem: Local<'i32'>,
  body: (k: number) => Stmt[],
): Stmt[] {
  return Array.from({ length: num.lanes - 1 }, (_, k) => ifThen(i32.gtS(get(rem), i32.const(k)), body(k)));
}

/** acc[q] += h² for the f64x2 halves h of v (full vectors of a Σx²). */
export function addSquares<T extends FloatType>(num: Num<T>, acc: Local<'v128'>[], v: V128): Stmt[] {
  return num.toF64x2(v).map((h, q) => set(acc[q]!, f64x2.add(get(acc[q]!), f64x2.mul(h, h))));
}

/** tail += x² for the lanes k < rem of the vector in `v` (the partial vector of a Σx²). */
export function addTailSquares<T extends FloatType>(
  num: Num<T>,
  tail: Local<'f64'>,
  e: Local<'f64'>,
  v: Local<'v128'>,
  rem: Local<'i32'>,
): Stmt[] {
  return lanesBelow(num, rem, (k) => [
    set(e, num.toF64(num.extract(get(v), k))),
    set(tail, f64.add(get(tail), f64.mul(get(e), get(e)))),
  ]);
}

const vload = (base: Local<'i32'>, o: Local<'i32'>): V128 => v128.load(i32.add(get(base), get(o)), 0, 16);
const addr = (base: Local<'i32'>, o: Local<'i32'>): I32 => i32.add(get(base), get(o));

/** A = f(Z) for relu / leaky_relu. Params: Z, A, len, slope (f64). */
export function activationForward<T extends FloatType>(
  num: Num<T>,
  name: string,
  kind: 'relu' | 'leaky_relu',
): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'f64'] as const);
  const [Z, A, len, slope] = f.params;
  const z = f.local('v128');
  const sv = f.local('v128');
  const zero = f.local('v128');
  const code = overElements(f, num, len, (o, store) => [
    set(z, vload(Z, o)),
    store(
      addr(A, o),
      kind === 'relu'
        ? num.vmax(get(z), get(zero))
        : v128.bitselect(get(z), num.vmul(get(sv), get(z)), num.vgt(get(z), get(zero))),
    ),
  ]);
  return f.body(set(sv, num.splat(param(num, slope))), set(zero, v128.zero()), code);
}

/** dst ← dst + src. Params: dst, src, len. */
export function accumulate<T extends FloatType>(num: Num<T>, name: string): Func {
  const f = new Func(name, ['i32', 'i32', 'i32'] as const);
  const [dst, src, len] = f.params;
  const code = overElements(f, num, len, (o, store) => [
    store(addr(dst, o), num.vadd(vload(dst, o), vload(src, o))),
  ]);
  return f.body(code);
}

/** H = A ⊙ M. Params: A, M, H, len. */
export function dropoutForward<T extends FloatType>(num: Num<T>, name: string): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32'] as const);
  const [A, M, H, len] = f.params;
  const code = overElements(f, num, len, (o, store) => [
    store(addr(H, o), num.vmul(vload(A, o), vload(M, o))),
  ]);
  return f.body(code);
}

/**
 * dZ = (dX ⊙ M) ⊙ f'(A) in place in dX (M only when `masked`), f' from the activation's output A as
 * activations.ts: relu [a>0], leaky a>0 ? 1 : slope, sigmoid a(1−a), tanh 1−a². Params: A, dX, M, len,
 * slope (f64).
 */
export function activationBackward<T extends FloatType>(
  num: Num<T>,
  name: string,
  kind: Activation,
  masked: boolean,
): Func {
  const f = new Func(name, ['i32', 'i32', 'i32', 'i32', 'f64'] as const);
  const [A, dX, M, len, slope] = f.params;
  const a = f.local('v128');
  const d = f.local('v128');
  const sv = f.local('v128');
  const zero = f.local('v128');
  const one = f.local('v128');
  const grad = (): V128 => {
    switch (kind) {
      case 'relu':
        return v128.and(get(d), num.vgt(get(a), get(zero)));
      case 'leaky_relu':
        return v128.bitselect(get(d), num.vmul(get(sv), get(d)), num.vgt(get(a), get(zero)));
      case 'sigmoid':
        return num.vmul(num.vmul(get(d), get(a)), num.vsub(get(one), get(a)));
      case 'tanh':
        return num.vmul(get(d), num.vsub(get(one), num.vmul(get(a), get(a))));
    }
  };
  const code = overElements(f, num, len, (o, store) => [
    set(a, vload(A, o)),
    set(d, masked ? num.vmul(vload(dX, o), vload(M, o)) : vload(dX, o)),
    store(addr(dX, o), grad()),
  ]);
  return f.body(
    set(sv, num.splat(param(num, slope))),
    set(zero, v128.zero()),
    set(one, num.splat(num.const(1))),
    code,
  );
}

/**
 * Σ x² over len elements in f64 (squares of T values are exact in f64), summed in f64x2 lanes and then in
 * a fixed order. Params: x, len; returns f64.
 */
export function sumSquares<T extends FloatType>(num: Num<T>, name: string): Func {
  const f = new Func(name, ['i32', 'i32'] as const, 'f64');
  const [x, len] = f.params;
  const acc = Array.from({ length: num.lanes / 2 }, () => f.local('v128'));
  const tail = f.local('f64');
  const e = f.local('f64');
  const v = f.local('v128');
  const code = overElements(f, num, len, (o, _store, rem) => [
    set(v, vload(x, o)),
    ...(rem ? addTailSquares(num, tail, e, v, rem) : addSquares(num, acc, get(v))),
  ]);
  return f.body(code).returns(horizontal(acc, get(tail)));
}

/** ((a0[0] + a0[1]) + (a1[0] + a1[1]) + …) + tail. */
export function horizontal(acc: Local<'v128'>[], tail: Expr<'f64'>): Expr<'f64'> {
  let s: Expr<'f64'> | null = null;
  for (const a of acc) {
    const pair = f64.add(f64x2.extractLane(get(a), 0), f64x2.extractLane(get(a), 1));
    s = s ? f64.add(s, pair) : pair;
  }
  return s ? f64.add(s, tail) : tail;
}
