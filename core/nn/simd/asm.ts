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
 * Files: asm-encoding.ts (value types, byte ropes, LEB128), asm-ops.ts (the instruction tables, re-exported
 * here), this one (locals, control flow, functions, modules).
 */

import {
  type Code,
  type Expr,
  expr,
  flatten,
  type I32,
  type Local,
  type Stmt,
  section,
  stmt,
  uleb,
  utf8,
  VALTYPE,
  type ValType,
  vec,
} from './asm-encoding.ts';
import { i32 } from './asm-ops.ts';

export * from './asm-encoding.ts';
export * from './asm-ops.ts';

// ---- locals and control -----------------------------------------------------------------------------

export const get = <T extends ValType>(l: Local<T>): Expr<T> => expr(l.type, 0x20, l.leb);
export const set = <T extends ValType>(l: Local<T>, e: Expr<T>): Stmt => stmt(e.code, 0x21, l.leb);
export const tee = <T extends ValType>(l: Local<T>, e: Expr<T>): Expr<T> => expr(l.type, e.code, 0x22, l.leb);

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
