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
import type { Activation } from '../../config.ts';
import { activationForward as scalarActivationForward } from '../activations.ts';
import type { Dtype, Kernels, KernelsHandle } from '../compute.ts';
import type { FloatArray, FloatCtor } from '../kernels.ts';
import type { Csr, Scratch } from '../layers.ts';
import { COEF_SLOTS, type UpdateRule } from '../optimizers.ts';
import { Arena } from './arena.ts';
import { compiledModule } from './module.ts';
import { type WasmMemory, wasm } from './wasm-api.ts';

type Kernel = (...args: number[]) => number;

const addr = (a: ArrayBufferView): number => a.byteOffset;

export class SimdKernels implements Kernels {
  readonly engine = 'simd';
  readonly ctor: FloatCtor;
  readonly handle: KernelsHandle;
  private readonly arena: Arena;
  private readonly fn: Record<string, Kernel>;
  private readonly size: number;
  private readonly coef: Float64Array;

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
    this.fn = instance.exports as Record<string, Kernel>;
    this.handle = { engine: 'simd', dtype, sizes: [...sizes], memory: this.arena.memory };
    this.coef = this.arena.floats64(COEF_SLOTS);
  }

  /** Bytes of the engine's memory in use. */
  get usedBytes(): number {
    return this.arena.used;
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

  private kernel(name: string): Kernel {
    const k = this.fn[name];
    if (!k) throw new Error(`SIMD engine: no kernel ${name} for this model's shape`);
    return k;
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
    this.kernel('u8csr')(addr(P), B, addr(X.ptr), addr(X.idx), addr(X.val), scale);
    let bias = b;
    if (offset !== 0) {
      this.kernel(`colsum_${n}`)(addr(W), k, addr(s.vec));
      for (let j = 0; j < n; j++) s.bias[j] = b[j]! + offset * s.vec[j]!;
      bias = s.bias;
    }
    this.kernel(`fwd_${n}`)(B, addr(X.ptr), addr(X.idx), addr(X.val), addr(W), addr(Z), addr(bias), 0, 0);
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
    this.kernel(`csr_${k}`)(addr(Xd), B, addr(X.ptr), addr(X.idx), addr(X.val));
    this.kernel(`fwd_${n}`)(B, addr(X.ptr), addr(X.idx), addr(X.val), addr(W), addr(Z), addr(b), 0, 0);
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
    this.kernel(`colsum_${n}`)(addr(dZ), B, addr(db));
    const c = s.csc;
    this.kernel('csc')(B, k, addr(X.ptr), addr(X.idx), addr(X.val), addr(c.ptr), addr(c.idx), addr(c.val));
    const acc = offset !== 0 ? this.kernel(`acc_off_${n}`) : this.kernel(`acc_${n}`);
    acc(k, addr(c.ptr), addr(c.idx), addr(c.val), addr(dZ), addr(dW), 0, addr(db), offset);
    if (dX && WT) {
      this.kernel(`tr_${k}_${n}`)(addr(W), addr(WT));
      const d = s.dz;
      this.kernel(`csr_${n}`)(addr(dZ), B, addr(d.ptr), addr(d.idx), addr(d.val));
      this.kernel(`acc_${k}`)(B, addr(d.ptr), addr(d.idx), addr(d.val), addr(WT), addr(dX), 0, 0, 0);
    }
  }

  activationForward(kind: Activation, slope: number, Z: FloatArray, A: FloatArray, len: number): void {
    if (kind === 'relu' || kind === 'leaky_relu') this.kernel(kind)(addr(Z), addr(A), len, slope);
    else scalarActivationForward(kind, slope, Z, A, len);
  }

  dropoutForward(A: FloatArray, M: FloatArray, H: FloatArray, len: number): void {
    this.kernel('dropout')(addr(A), addr(M), addr(H), len);
  }

  activationBackward(
    kind: Activation,
    slope: number,
    A: FloatArray,
    dX: FloatArray,
    M: FloatArray | null,
    len: number,
  ): void {
    if (M) this.kernel(`bwd_${kind}_m`)(addr(A), addr(dX), addr(M), len, slope);
    else this.kernel(`bwd_${kind}`)(addr(A), addr(dX), 0, len, slope);
  }

  sumSquares(x: FloatArray, len: number): number {
    return this.kernel('sumsq')(addr(x), len);
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
    const name = coef[2]! > 0 ? `upd_${rule}_wd` : `upd_${rule}`;
    return this.kernel(name)(
      addr(w) + o,
      addr(g) + o,
      m ? addr(m) + o : 0,
      v ? addr(v) + o : 0,
      i1 - i0,
      addr(this.coef),
    );
  }
}
