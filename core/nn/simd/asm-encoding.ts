/**
 * The byte-level layer of the assembler (asm.ts): value types, the rope of encoded bytes, LEB128, and the
 * builders the instruction tables (asm-ops.ts) are made of. Opcodes: WebAssembly Core Specification 2.0
 * §5.4 (binary instructions), SIMD section (0xFD prefix).
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

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

export const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
export const vec = (items: readonly Code[]): number[] => flatten([uleb(items.length), items]);
export const section = (id: number, body: readonly number[]): Code => [id, uleb(body.length), body];

export const expr = <T extends ValType>(type: T, ...parts: Code[]): Expr<T> => ({ type, code: parts });
export const stmt = (...parts: Code[]): Stmt => ({ type: 'void', code: parts });
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** memarg: log2 of the alignment, then the static byte offset. */
const memarg = (align: number, offset: number): Code => [uleb(Math.log2(align)), uleb(offset)];

function checkAlign(align: number, natural: number): void {
  if (!(align >= 1 && align <= natural && Number.isInteger(Math.log2(align))))
    throw new RangeError(`alignment must be a power of two ≤ ${natural}, found ${align}`);
}

export const load =
  <T extends ValType>(type: T, op: number[], natural: number) =>
  (addr: I32, offset = 0, align = natural): Expr<T> => {
    checkAlign(align, natural);
    return expr(type, addr.code, op, memarg(align, offset));
  };
export const store =
  <T extends ValType>(op: number[], natural: number) =>
  (addr: I32, value: Expr<T>, offset = 0, align = natural): Stmt => {
    checkAlign(align, natural);
    return stmt(addr.code, value.code, op, memarg(align, offset));
  };
export const un =
  <A extends ValType, R extends ValType>(r: R, op: number[]) =>
  (a: Expr<A>): Expr<R> =>
    expr(r, a.code, op);
export const bin =
  <A extends ValType, R extends ValType>(r: R, op: number[]) =>
  (a: Expr<A>, b: Expr<A>): Expr<R> =>
    expr(r, a.code, b.code, op);
export const lane =
  <R extends ValType>(r: R, op: number, lanes: number) =>
  (v: V128, i: number): Expr<R> => {
    if (!(Number.isInteger(i) && i >= 0 && i < lanes)) throw new RangeError(`lane must be 0…${lanes - 1}`);
    return expr(r, v.code, simd(op), [i]);
  };
