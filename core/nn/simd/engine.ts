/**
 * The SIMD engine (`engine: simd`): the Kernels of one model as WebAssembly SIMD128, generated for its
 * layer sizes (module.ts) and run over one shared memory (arena.ts) that holds every buffer they touch.
 * A gradient worker builds the same engine over the same memory from `handle` (adapters/threads).
 *
 * In JavaScript on the same buffers (as the scalar engine computes them): the sigmoid and tanh forward
 * activations (they need Math.exp / Math.tanh, which WebAssembly lacks; V8's are the same on every CPU),
 * the bias adjustment of layer 0 for a normalisation offset (n additions), and everything outside the
 * Kernels (softmax and loss, dropout masks, batch gathering).
 */
import { ACTIVATIONS, type Activation } from '../../config.ts';
import { activationForward as scalarActivationForward } from '../activations.ts';
import type { Dtype, Kernels, KernelsHandle } from '../compute.ts';
import type { FloatArray, FloatCtor } from '../kernels.ts';
import type { Csr, Scratch } from '../layers.ts';
import { COEF, COEF_SLOTS, RULES, type UpdateRule } from '../optimizers.ts';
import { Arena } from './arena.ts';
import { compactionTables, TABLE_BYTES } from './gen-csr.ts';
import { compiledModule } from './module.ts';
import { type WasmMemory, wasm } from './wasm-api.ts';

type Kernel = (...args: number[]) => number;

const addr = (a: ArrayBufferView): number => a.byteOffset;

/** The exports named `<prefix><key><suffix>`, by key (so a call looks a kernel up without building a name). */
function byKey<K extends string | number>(
  fn: Record<string, Kernel>,
  prefix: string,
  keys: readonly K[],
  suffix = '',
): Map<K, Kernel> {
  const out = new Map<K, Kernel>();
  for (const k of keys) {
    const f = fn[`${prefix}${k}${suffix}`];
    if (f) out.set(k, f);
  }
  return out;
}

function get<K>(m: Map<K, Kernel>, key: K, what: string): Kernel {
  const f = m.get(key);
  if (!f) throw new Error(`SIMD engine: no ${what} kernel for ${String(key)} in this model's module`);
  return f;
}

export class SimdKernels implements Kernels {
  readonly engine = 'simd';
  readonly ctor: FloatCtor;
  readonly handle: KernelsHandle;
  private readonly arena: Arena;
  private readonly size: number;
  private readonly coef: Float64Array;
  /** Address of the CSR builders' compaction shuffles. */
  private readonly tables: number;
  private readonly u8csr: Kernel;
  private readonly csc: Kernel;
  private readonly dropout: Kernel;
  private readonly accumulateKernel: Kernel;
  private readonly sumsq: Kernel;
  /** By row length n. */
  private readonly csr: Map<number, Kernel>;
  private readonly fwd: Map<number, Kernel>;
  private readonly acc: Map<number, Kernel>;
  private readonly accOff: Map<number, Kernel>;
  private readonly colsum: Map<number, Kernel>;
  /** Transposes of [k, n] weight matrices, keyed by k·65536 + n. */
  private readonly tr = new Map<number, Kernel>();
  private readonly actFwd: Map<string, Kernel>;
  private readonly actBwd: Map<string, Kernel>;
  private readonly actBwdMasked: Map<string, Kernel>;
  private readonly upd: Map<UpdateRule, Kernel>;
  private readonly updDecay: Map<UpdateRule, Kernel>;

  /** A new engine with a fresh memory, or (memory given) a worker's twin over the trainer's memory. */
  constructor(
    readonly dtype: Dtype,
    sizes: readonly number[],
    memory?: WasmMemory,
  ) {
    this.ctor = dtype === 'f32' ? Float32Array : Float64Array;
    this.size = dtype === 'f32' ? 4 : 8;
    this.arena = new Arena(memory);
    const instance = new wasm.Instance(compiledModule(dtype, sizes), { env: { memory: this.arena.memory } });
    const fn = instance.exports as Record<string, Kernel>;
    this.handle = { engine: 'simd', dtype, sizes: [...sizes], memory: this.arena.memory };
    this.coef = this.arena.floats64(COEF_SLOTS);
    const tables = this.arena.bytes(TABLE_BYTES);
    tables.set(compactionTables());
    this.tables = tables.byteOffset;
    const one = (name: string): Kernel => get(byKey(fn, name, ['']), '', name);
    this.u8csr = one('u8csr');
    this.csc = one('csc');
    this.dropout = one('dropout');
    this.accumulateKernel = one('accumulate');
    this.sumsq = one('sumsq');
    const widths = [...new Set(sizes)];
    this.csr = byKey(fn, 'csr_', widths);
    this.fwd = byKey(fn, 'fwd_', widths);
    this.acc = byKey(fn, 'acc_', widths);
    this.accOff = byKey(fn, 'acc_off_', widths);
    this.colsum = byKey(fn, 'colsum_', widths);
    for (let l = 1; l + 1 < sizes.length; l++) {
      const f = fn[`tr_${sizes[l]}_${sizes[l + 1]}`];
      if (f) this.tr.set(sizes[l]! * 65536 + sizes[l + 1]!, f);
    }
    this.actFwd = byKey(fn, '', ['relu', 'leaky_relu']);
    this.actBwd = byKey(fn, 'bwd_', ACTIVATIONS);
    this.actBwdMasked = byKey(fn, 'bwd_', ACTIVATIONS, '_m');
    this.upd = byKey(fn, 'upd_', RULES);
    this.updDecay = byKey(fn, 'upd_', RULES, '_wd');
  }

  get allocatedBytes(): number {
    return this.arena.used;
  }

  reserve(bytes: number): void {
    this.arena.reserve(bytes);
  }

  floats(n: number): FloatArray {
    return this.dtype === 'f32' ? this.arena.floats32(n) : this.arena.floats64(n);
  }

  ints(n: number): Int32Array {
    return this.arena.ints(n);
  }

  bytes(n: number): Uint8Array {
    return this.arena.bytes(n);
  }

  inputLinearForward(
    P: Uint8Array,
    scale: number,
    offset: number,
    B: number,
    k: number,
    n: number,
    W: FloatArray,
    b: FloatArray,
    Z: FloatArray,
    X: Csr,
    s: Scratch,
  ): void {
    this.u8csr(addr(P), B, addr(X.ptr), addr(X.idx), addr(X.val), this.tables, scale);
    let bias = b;
    if (offset !== 0) {
      get(this.colsum, n, 'column sum')(addr(W), k, addr(s.vec));
      for (let j = 0; j < n; j++) s.bias[j] = b[j]! + offset * s.vec[j]!;
      bias = s.bias;
    }
    get(this.fwd, n, 'forward')(B, addr(X.ptr), addr(X.idx), addr(X.val), addr(W), addr(Z), addr(bias), 0, 0);
  }

  linearForward(
    Xd: FloatArray,
    B: number,
    k: number,
    n: number,
    W: FloatArray,
    b: FloatArray,
    Z: FloatArray,
    X: Csr,
  ): void {
    get(this.csr, k, 'CSR')(addr(Xd), B, addr(X.ptr), addr(X.idx), addr(X.val), this.tables);
    get(this.fwd, n, 'forward')(B, addr(X.ptr), addr(X.idx), addr(X.val), addr(W), addr(Z), addr(b), 0, 0);
  }

  linearBackward(
    X: Csr,
    offset: number,
    dZ: FloatArray,
    B: number,
    k: number,
    n: number,
    W: FloatArray,
    dW: FloatArray,
    db: FloatArray,
    dX: FloatArray | null,
    WT: FloatArray | null,
    s: Scratch,
  ): void {
    get(this.colsum, n, 'column sum')(addr(dZ), B, addr(db));
    const c = s.csc;
    this.csc(B, k, addr(X.ptr), addr(X.idx), addr(X.val), addr(c.ptr), addr(c.idx), addr(c.val));
    const acc = offset !== 0 ? get(this.accOff, n, 'offset gradient') : get(this.acc, n, 'gradient');
    acc(k, addr(c.ptr), addr(c.idx), addr(c.val), addr(dZ), addr(dW), 0, addr(db), offset);
    if (dX && WT) {
      get(this.tr, k * 65536 + n, 'transpose')(addr(W), addr(WT));
      const d = s.dz;
      get(this.csr, n, 'CSR')(addr(dZ), B, addr(d.ptr), addr(d.idx), addr(d.val), this.tables);
      get(this.acc, k, 'gradient')(B, addr(d.ptr), addr(d.idx), addr(d.val), addr(WT), addr(dX), 0, 0, 0);
    }
  }

  activationForward(kind: Activation, slope: number, Z: FloatArray, A: FloatArray, len: number): void {
    const f = this.actFwd.get(kind);
    if (f) f(addr(Z), addr(A), len, slope);
    else scalarActivationForward(kind, slope, Z, A, len);
  }

  dropoutForward(A: FloatArray, M: FloatArray, H: FloatArray, len: number): void {
    this.dropout(addr(A), addr(M), addr(H), len);
  }

  activationBackward(
    kind: Activation,
    slope: number,
    A: FloatArray,
    dX: FloatArray,
    M: FloatArray | null,
    len: number,
  ): void {
    if (M) get(this.actBwdMasked, kind, 'activation backward')(addr(A), addr(dX), addr(M), len, slope);
    else get(this.actBwd, kind, 'activation backward')(addr(A), addr(dX), 0, len, slope);
  }

  accumulate(dst: FloatArray, src: FloatArray, i0: number, i1: number): void {
    const o = i0 * this.size;
    this.accumulateKernel(addr(dst) + o, addr(src) + o, i1 - i0);
  }

  sumSquares(x: FloatArray, len: number): number {
    return this.sumsq(addr(x), len);
  }

  update(
    rule: UpdateRule,
    w: FloatArray,
    g: FloatArray,
    m: FloatArray | null,
    v: FloatArray | null,
    i0: number,
    i1: number,
    coef: Float64Array,
    _wantSq: boolean,
  ): number {
    this.coef.set(coef);
    const o = i0 * this.size;
    const f = coef[COEF.decay]! > 0 ? get(this.updDecay, rule, 'update') : get(this.upd, rule, 'update');
    return f(addr(w) + o, addr(g) + o, m ? addr(m) + o : 0, v ? addr(v) + o : 0, i1 - i0, addr(this.coef));
  }
}
