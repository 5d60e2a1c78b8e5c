/**
 * A small typed assembler for WebAssembly (MVP + SIMD128, no relaxed-SIMD): kernels are written as
 * TypeScript expressions that TypeScript type-checks (an `Expr<'v128'>` cannot be stored where an i32 is
 * expected), and `encodeModule` turns them into the bytes `WebAssembly.Module` compiles. Generated at run
 * time, so kernels are specialised to a model's layer sizes (loop bounds and offsets are constants) and no
 * build step or `.wasm` file exists.
 *
 * Model: an expression is the encoded instructions that leave one value of its type on the stack; a
 * statement leaves nothing. Control flow is structured only (`block`, `loop`, `if`, and the `forRange` /
 * `whileLoop` helpers); branches count enclosing labels as WebAssembly does (`br(0)` = innermost).
 * Every memory access names a static byte offset and the alignment it may assume (natural by default).
 *
 * Opcodes: WebAssembly Core Specification 2.0 §5.4 (binary instructions), SIMD section (0xFD prefix).
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/**
 * Encoded bytes as a tree (a rope): building an expression from its operands links their trees instead of
 * copying their bytes, and `flatten` writes the whole function once.
 */
export type Code = number | readonly Code[];

/** Instructions leaving one value of type T on the stack. */
export interface Expr<T extends ValType> {
  readonly type: T;
  readonly code: Code;
}

/** Instructions leaving the stack as they found it. */
export interface Stmt {
  readonly type: 'void';
  readonly code: Code;
}

/** Appends the bytes of `c` to `out` in order. */
export function flatten(c: Code, out: number[] = []): number[] {
  if (typeof c === 'number') out.push(c);
  else for (const x of c) flatten(x, out);
  return out;
}

export interface Local<T extends ValType> {
  readonly type: T;
  readonly index: number;
  /** The encoded index (LEB128), computed once. */
  readonly leb: readonly number[];
}

export type I32 = Expr<'i32'>;
export type F32 = Expr<'f32'>;
export type F64 = Expr<'f64'>;
export type V128 = Expr<'v128'>;

// ---- encoding helpers -------------------------------------------------------------------------------

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`uleb: expected a non-negative integer, found ${n}`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 32)
    throw new RangeError(`sleb: expected a 32-bit integer, found ${n}`);
  let v = n | 0;
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: readonly Code[]): number[] => flatten([uleb(items.length), items]);
const section = (id: number, body: readonly number[]): Code => [id, uleb(body.length), body];

const expr = <T extends ValType>(type: T, ...parts: Code[]): Expr<T> => ({ type, code: parts });
const stmt = (...parts: Code[]): Stmt => ({ type: 'void', code: parts });
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** memarg: log2 of the alignment, then the static byte offset. */
const memarg = (align: number, offset: number): Code => [uleb(Math.log2(align)), uleb(offset)];

function checkAlign(align: number, natural: number): void {
  if (!(align >= 1 && align <= natural && Number.isInteger(Math.log2(align))))
    throw new RangeError(`alignment must be a power of two ≤ ${natural}, found ${align}`);
}

const load =
  <T extends ValType>(type: T, op: number[], natural: number) =>
  (addr: I32, offset = 0, align = natural): Expr<T> => {
    checkAlign(align, natural);
    return expr(type, addr.code, op, memarg(align, offset));
  };
const store =
  <T extends ValType>(op: number[], natural: number) =>
  (addr: I32, value: Expr<T>, offset = 0, align = natural): Stmt => {
    checkAlign(align, natural);
    return stmt(addr.code, value.code, op, memarg(align, offset));
  };
const un =
  <A extends ValType, R extends ValType>(r: R, op: number[]) =>
  (a: Expr<A>): Expr<R> =>
    expr(r, a.code, op);
const bin =
  <A extends ValType, R extends ValType>(r: R, op: number[]) =>
  (a: Expr<A>, b: Expr<A>): Expr<R> =>
    expr(r, a.code, b.code, op);
const lane =
  <R extends ValType>(r: R, op: number, lanes: number) =>
  (v: V128, i: number): Expr<R> => {
    if (!(Number.isInteger(i) && i >= 0 && i < lanes)) throw new RangeError(`lane must be 0…${lanes - 1}`);
    return expr(r, v.code, simd(op), [i]);
  };

// ---- locals and control -----------------------------------------------------------------------------

export const get = <T extends ValType>(l: Local<T>): Expr<T> => expr(l.type, [0x20, ...uleb(l.index)]);
export const set = <T extends ValType>(l: Local<T>, e: Expr<T>): Stmt =>
  stmt(e.code, [0x21, ...uleb(l.index)]);
export const tee = <T extends ValType>(l: Local<T>, e: Expr<T>): Expr<T> =>
  expr(l.type, e.code, [0x22, ...uleb(l.index)]);

const body = (stmts: readonly Stmt[]): Code => stmts.map((s) => s.code);
/** `block … end` (no result): `br(d)` inside jumps past its end. */
export const block = (...stmts: Stmt[]): Stmt => stmt([0x02, 0x40], body(stmts), [0x0b]);
/** `loop … end` (no result): `br(d)` inside jumps back to its start. */
export const loop = (...stmts: Stmt[]): Stmt => stmt([0x03, 0x40], body(stmts), [0x0b]);
export const br = (depth: number): Stmt => stmt(0x0c, uleb(depth));
export const brIf = (depth: number, cond: I32): Stmt => stmt(cond.code, 0x0d, uleb(depth));
export const ifThen = (cond: I32, then: Stmt[], otherwise: Stmt[] = []): Stmt =>
  stmt(cond.code, [0x04, 0x40], body(then), otherwise.length ? [0x05, body(otherwise)] : [], [0x0b]);
/** An expression whose value is dropped. */
export const drop = (e: Expr<ValType>): Stmt => stmt(e.code, [0x1a]);
export const seq = (...stmts: Stmt[]): Stmt => stmt(body(stmts));

/**
 * `for (i = from; i < to; i += step) body` over i32 (signed compare). The body runs inside a block and a
 * loop, so a `br` in it counts two extra labels; `continue` is not offered.
 */
export function forRange(i: Local<'i32'>, from: I32, to: I32, step: number, ...stmts: Stmt[]): Stmt {
  return seq(
    set(i, from),
    block(loop(brIf(1, i32.geS(get(i), to)), ...stmts, set(i, i32.add(get(i), i32.const(step))), br(0))),
  );
}

/** `while (cond) body`, with the same two enclosing labels as forRange. */
export const whileLoop = (cond: I32, ...stmts: Stmt[]): Stmt =>
  block(loop(brIf(1, i32.eqz(cond)), ...stmts, br(0)));

// ---- numeric instructions ---------------------------------------------------------------------------

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

// ---- functions and modules --------------------------------------------------------------------------

type LocalsOf<P extends readonly ValType[]> = { [K in keyof P]: Local<P[K]> };

/** A function under construction: its parameters, the locals it declares, then its body. */
export class Func<P extends readonly ValType[] = readonly ValType[]> {
  readonly params: LocalsOf<P>;
  private readonly extra: ValType[] = [];
  private code: Stmt[] = [];
  private result: Expr<ValType> | null = null;

  constructor(
    readonly name: string,
    readonly paramTypes: P,
    /** The type of the value the function returns (its body's `returns` expression), or none. */
    readonly resultType: ValType | null = null,
  ) {
    this.params = paramTypes.map((type, index) => ({
      type,
      index,
      leb: uleb(index),
    })) as unknown as LocalsOf<P>;
  }

  /** A fresh local of the given type (zero-initialised on entry, as WebAssembly does). */
  local<T extends ValType>(type: T): Local<T> {
    this.extra.push(type);
    const index = this.paramTypes.length + this.extra.length - 1;
    return { type, index, leb: uleb(index) };
  }

  body(...stmts: Stmt[]): this {
    this.code = stmts;
    return this;
  }

  /** The value left on the stack at the end of the body (the function's result). */
  returns(e: Expr<ValType>): this {
    if (e.type !== this.resultType)
      throw new TypeError(`${this.name} returns ${this.resultType ?? 'nothing'}, not ${e.type}`);
    this.result = e;
    return this;
  }

  /** Signature key: params, then the result type. */
  signature(): string {
    return `${this.paramTypes.join(',')}:${this.resultType ?? ''}`;
  }

  /** The encoded function body (locals declaration + code + end). */
  encode(): number[] {
    const groups: (readonly number[])[] = [];
    for (let i = 0; i < this.extra.length; ) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      groups.push([...uleb(j - i), VALTYPE[this.extra[i]!]]);
      i = j;
    }
    if (this.resultType && !this.result) throw new TypeError(`${this.name} has no result expression`);
    const b = flatten([vec(groups), body(this.code), this.result?.code ?? [], 0x0b]);
    return flatten([uleb(b.length), b]);
  }
}

export interface MemoryImport {
  /** Imported as env.memory; pages of 64 KiB. */
  minPages: number;
  maxPages?: number;
  shared: boolean;
}

/** A module importing one linear memory (env.memory) and exporting every function under its name. */
export function encodeModule(memory: MemoryImport, funcs: readonly Func[]): Uint8Array {
  const types: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = f.signature();
    const i = types.indexOf(key);
    if (i >= 0) return i;
    types.push(key);
    return types.length - 1;
  });
  const typeSec = vec(
    types.map((key) => {
      const [params, result] = key.split(':') as [string, string];
      const ps = params ? (params.split(',') as ValType[]) : [];
      const rs = result ? [[VALTYPE[result as ValType]]] : [];
      return [0x60, ...vec(ps.map((p) => [VALTYPE[p]])), ...vec(rs)];
    }),
  );
  if (memory.shared && memory.maxPages === undefined) throw new Error('a shared memory needs maxPages');
  const limits =
    memory.maxPages === undefined
      ? [0x00, ...uleb(memory.minPages)]
      : [memory.shared ? 0x03 : 0x01, ...uleb(memory.minPages), ...uleb(memory.maxPages)];
  const imp = [...uleb(3), ...utf8('env'), ...uleb(6), ...utf8('memory'), 0x02, ...limits];
  const funcSec = vec(typeOf.map((t) => uleb(t)));
  const exportSec = vec(
    funcs.map((f, i) => [...uleb(utf8(f.name).length), ...utf8(f.name), 0x00, ...uleb(i)]),
  );
  const codeSec = vec(funcs.map((f) => f.encode()));
  // Custom section "name", subsection 1 (function names): profilers and stack traces show kernel names.
  const names = vec(funcs.map((f, i) => [...uleb(i), ...uleb(utf8(f.name).length), ...utf8(f.name)]));
  const nameSec = [...uleb(4), ...utf8('name'), 0x01, ...uleb(names.length), ...names];
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return Uint8Array.from(
    flatten([
      magicAndVersion,
      section(1, typeSec),
      section(2, vec([imp])),
      section(3, funcSec),
      section(7, exportSec),
      section(10, codeSec),
      section(0, nameSec),
    ]),
  );
}
