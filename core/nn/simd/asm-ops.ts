/**
 * The instruction tables of the assembler (asm.ts re-exports them): MVP numeric instructions for i32, f32,
 * f64 and the SIMD128 ones the kernels use, each a typed builder (`f32x4.add(a, b)` takes two v128
 * expressions and is one). No relaxed-SIMD instruction is offered.
 */
import {
  bin,
  expr,
  type F32,
  type F64,
  type I32,
  lane,
  load,
  simd,
  sleb,
  store,
  un,
  type V128,
} from './asm-encoding.ts';

export const i32 = {
  const: (n: number): I32 => expr('i32', [0x41], sleb(n)),
  load: load('i32', [0x28], 4),
  load8u: load('i32', [0x2d], 1),
  store: store<'i32'>([0x36], 4),
  store8: store<'i32'>([0x3a], 1),
  eqz: un<'i32', 'i32'>('i32', [0x45]),
  eq: bin<'i32', 'i32'>('i32', [0x46]),
  ne: bin<'i32', 'i32'>('i32', [0x47]),
  ltS: bin<'i32', 'i32'>('i32', [0x48]),
  ltU: bin<'i32', 'i32'>('i32', [0x49]),
  gtS: bin<'i32', 'i32'>('i32', [0x4a]),
  leS: bin<'i32', 'i32'>('i32', [0x4c]),
  geS: bin<'i32', 'i32'>('i32', [0x4e]),
  ctz: un<'i32', 'i32'>('i32', [0x68]),
  popcnt: un<'i32', 'i32'>('i32', [0x69]),
  add: bin<'i32', 'i32'>('i32', [0x6a]),
  sub: bin<'i32', 'i32'>('i32', [0x6b]),
  mul: bin<'i32', 'i32'>('i32', [0x6c]),
  and: bin<'i32', 'i32'>('i32', [0x71]),
  or: bin<'i32', 'i32'>('i32', [0x72]),
  xor: bin<'i32', 'i32'>('i32', [0x73]),
  shl: bin<'i32', 'i32'>('i32', [0x74]),
  shrU: bin<'i32', 'i32'>('i32', [0x76]),
};

const f32Bits = (x: number): number[] => [...new Uint8Array(Float32Array.of(x).buffer)];
const f64Bits = (x: number): number[] => [...new Uint8Array(Float64Array.of(x).buffer)];

export const f32 = {
  const: (x: number): F32 => expr('f32', [0x43], f32Bits(x)),
  load: load('f32', [0x2a], 4),
  store: store<'f32'>([0x38], 4),
  gt: bin<'f32', 'i32'>('i32', [0x5e]),
  ne: bin<'f32', 'i32'>('i32', [0x5c]),
  sqrt: un<'f32', 'f32'>('f32', [0x91]),
  add: bin<'f32', 'f32'>('f32', [0x92]),
  sub: bin<'f32', 'f32'>('f32', [0x93]),
  mul: bin<'f32', 'f32'>('f32', [0x94]),
  div: bin<'f32', 'f32'>('f32', [0x95]),
  max: bin<'f32', 'f32'>('f32', [0x97]),
  fromI32U: un<'i32', 'f32'>('f32', [0xb3]),
  demote: un<'f64', 'f32'>('f32', [0xb6]),
};

export const f64 = {
  const: (x: number): F64 => expr('f64', [0x44], f64Bits(x)),
  load: load('f64', [0x2b], 8),
  store: store<'f64'>([0x39], 8),
  gt: bin<'f64', 'i32'>('i32', [0x64]),
  ne: bin<'f64', 'i32'>('i32', [0x62]),
  sqrt: un<'f64', 'f64'>('f64', [0x9f]),
  add: bin<'f64', 'f64'>('f64', [0xa0]),
  sub: bin<'f64', 'f64'>('f64', [0xa1]),
  mul: bin<'f64', 'f64'>('f64', [0xa2]),
  div: bin<'f64', 'f64'>('f64', [0xa3]),
  max: bin<'f64', 'f64'>('f64', [0xa5]),
  fromI32U: un<'i32', 'f64'>('f64', [0xb8]),
  promote: un<'f32', 'f64'>('f64', [0xbb]),
};

export const v128 = {
  load: load('v128', simd(0x00), 16),
  /** 8 bytes zero-extended to 8 × u16. */
  load8x8u: load('v128', simd(0x02), 8),
  load32Splat: load('v128', simd(0x09), 4),
  load64Splat: load('v128', simd(0x0a), 8),
  store: store<'v128'>(simd(0x0b), 16),
  const: (bytes: readonly number[]): V128 => {
    if (bytes.length !== 16) throw new RangeError('v128.const takes 16 bytes');
    return expr('v128', simd(0x0c), bytes);
  },
  zero: (): V128 => v128.const(new Array<number>(16).fill(0)),
  not: un<'v128', 'v128'>('v128', simd(0x4d)),
  and: bin<'v128', 'v128'>('v128', simd(0x4e)),
  andnot: bin<'v128', 'v128'>('v128', simd(0x4f)),
  or: bin<'v128', 'v128'>('v128', simd(0x50)),
  xor: bin<'v128', 'v128'>('v128', simd(0x51)),
  /** Lanes of a where mask bits are 1, of b elsewhere. */
  bitselect: (a: V128, b: V128, mask: V128): V128 => expr('v128', a.code, b.code, mask.code, simd(0x52)),
  anyTrue: un<'v128', 'i32'>('i32', simd(0x53)),
};

/** i8x16.shuffle: byte i of the result is byte lanes[i] of a‖b (0…15 from a, 16…31 from b). */
export function shuffle(a: V128, b: V128, lanes: readonly number[]): V128 {
  if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31))
    throw new RangeError('shuffle takes 16 byte lanes in 0…31');
  return expr('v128', a.code, b.code, simd(0x0d), lanes);
}

/** A 32-bit-lane shuffle of a‖b (lanes 0…3 from a, 4…7 from b), as its byte shuffle. */
export const shuffle32 = (a: V128, b: V128, lanes: readonly [number, number, number, number]): V128 =>
  shuffle(
    a,
    b,
    lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  );

/** A 64-bit-lane shuffle of a‖b (lanes 0…1 from a, 2…3 from b). */
export const shuffle64 = (a: V128, b: V128, lanes: readonly [number, number]): V128 =>
  shuffle(
    a,
    b,
    lanes.flatMap((l) => [
      8 * l,
      8 * l + 1,
      8 * l + 2,
      8 * l + 3,
      8 * l + 4,
      8 * l + 5,
      8 * l + 6,
      8 * l + 7,
    ]),
  );

export const i8x16 = {
  splat: un<'i32', 'v128'>('v128', simd(0x0f)),
  /** Byte i of the result is byte idx[i] of a (0 where idx[i] ≥ 16). */
  swizzle: bin<'v128', 'v128'>('v128', simd(0x0e)),
  eq: bin<'v128', 'v128'>('v128', simd(0x23)),
  ne: bin<'v128', 'v128'>('v128', simd(0x24)),
  bitmask: un<'v128', 'i32'>('i32', simd(0x64)),
};

export const i16x8 = {
  extendLowU8: un<'v128', 'v128'>('v128', simd(0x89)),
  extendHighU8: un<'v128', 'v128'>('v128', simd(0x8a)),
};

export const i32x4 = {
  splat: un<'i32', 'v128'>('v128', simd(0x11)),
  extractLane: lane('i32', 0x1b, 4),
  bitmask: un<'v128', 'i32'>('i32', simd(0xa4)),
  extendLowU16: un<'v128', 'v128'>('v128', simd(0xa9)),
  extendHighU16: un<'v128', 'v128'>('v128', simd(0xaa)),
  add: bin<'v128', 'v128'>('v128', simd(0xae)),
  mul: bin<'v128', 'v128'>('v128', simd(0xb5)),
  /** (a, a+1, a+2, a+3) as a constant. */
  iota: (a: number): V128 => v128.const([...new Uint8Array(Int32Array.of(a, a + 1, a + 2, a + 3).buffer)]),
};

export const i64x2 = {
  bitmask: un<'v128', 'i32'>('i32', simd(0xc4)),
};

export const f32x4 = {
  splat: un<'f32', 'v128'>('v128', simd(0x13)),
  extractLane: lane('f32', 0x1f, 4),
  eq: bin<'v128', 'v128'>('v128', simd(0x41)),
  ne: bin<'v128', 'v128'>('v128', simd(0x42)),
  lt: bin<'v128', 'v128'>('v128', simd(0x43)),
  gt: bin<'v128', 'v128'>('v128', simd(0x44)),
  abs: un<'v128', 'v128'>('v128', simd(0xe0)),
  neg: un<'v128', 'v128'>('v128', simd(0xe1)),
  sqrt: un<'v128', 'v128'>('v128', simd(0xe3)),
  add: bin<'v128', 'v128'>('v128', simd(0xe4)),
  sub: bin<'v128', 'v128'>('v128', simd(0xe5)),
  mul: bin<'v128', 'v128'>('v128', simd(0xe6)),
  div: bin<'v128', 'v128'>('v128', simd(0xe7)),
  min: bin<'v128', 'v128'>('v128', simd(0xe8)),
  max: bin<'v128', 'v128'>('v128', simd(0xe9)),
  /** b < a ? b : a (x86 minps semantics, no NaN canonicalisation). */
  pmin: bin<'v128', 'v128'>('v128', simd(0xea)),
  /** a < b ? b : a (x86 maxps semantics). */
  pmax: bin<'v128', 'v128'>('v128', simd(0xeb)),
  fromI32x4U: un<'v128', 'v128'>('v128', simd(0xfb)),
  /** The two f64 lanes rounded to f32 in lanes 0–1; lanes 2–3 zero. */
  demoteF64x2Zero: un<'v128', 'v128'>('v128', simd(0x5e)),
};

export const f64x2 = {
  splat: un<'f64', 'v128'>('v128', simd(0x14)),
  extractLane: lane('f64', 0x21, 2),
  eq: bin<'v128', 'v128'>('v128', simd(0x47)),
  ne: bin<'v128', 'v128'>('v128', simd(0x48)),
  lt: bin<'v128', 'v128'>('v128', simd(0x49)),
  gt: bin<'v128', 'v128'>('v128', simd(0x4a)),
  abs: un<'v128', 'v128'>('v128', simd(0xec)),
  neg: un<'v128', 'v128'>('v128', simd(0xed)),
  sqrt: un<'v128', 'v128'>('v128', simd(0xef)),
  add: bin<'v128', 'v128'>('v128', simd(0xf0)),
  sub: bin<'v128', 'v128'>('v128', simd(0xf1)),
  mul: bin<'v128', 'v128'>('v128', simd(0xf2)),
  div: bin<'v128', 'v128'>('v128', simd(0xf3)),
  min: bin<'v128', 'v128'>('v128', simd(0xf4)),
  max: bin<'v128', 'v128'>('v128', simd(0xf5)),
  pmin: bin<'v128', 'v128'>('v128', simd(0xf6)),
  pmax: bin<'v128', 'v128'>('v128', simd(0xf7)),
  /** The two low i32 lanes, unsigned, as f64. */
  fromLowI32x4U: un<'v128', 'v128'>('v128', simd(0xff)),
  /** Lanes 0–1 of an f32x4, exactly, as f64. */
  promoteLowF32x4: un<'v128', 'v128'>('v128', simd(0x5f)),
};
