/**
 * The compute port: the kernels one model runs, chosen by the trial config's `engine` —
 * `scalar` (TypeScript, scalar.ts: the reference) or `simd` (WebAssembly SIMD128 generated at run time for
 * the model's layer sizes, simd/engine.ts). The Mlp, the optimizer and the trainer decide what to compute;
 * a Kernels object computes it.
 *
 * Contract (every implementation):
 *  - Buffers passed to a kernel come from the same Kernels' allocators (`floats`, `ints`, `bytes`): the SIMD
 *    engine addresses them by `byteOffset` in its own WebAssembly memory. Buffers are zeroed when allocated.
 *  - Kernels never allocate, and never keep a reference to their arguments between calls.
 *  - Deterministic: the same inputs give the same output bytes on every CPU (no relaxed SIMD, no FMA,
 *    reduction orders fixed by the code, not by the data's sparsity pattern).
 *  - The two engines compute the same functions up to floating-point rounding (the SIMD engine's reduction
 *    orders differ, and its optimizer computes in the element type, not in float64): tests/core/simd.test.ts
 *    checks every kernel against the scalar engine with the tolerance stated there.
 *  - CSR/CSC buffers (layers.ts's Csr) hold plain column / row indices in both engines.
 *
 * Where the next kernels go (issue 20): a dense float32 layer-0 input is `linearForward` with the input
 * matrix in place of `Xd` (both engines already take a dense float input there; only the trainer's batch
 * gathering and the u8 path of `inputLinearForward` are pixel-specific); a regression output (linear
 * layer, MSE or Huber) is a new loss beside losses.ts's softmax losses — the loss writes dZ of the last
 * layer and the rest of the backward pass is unchanged; any number of classes needs nothing here.
 */
import type { Activation, Engine } from '../config.ts';
import type { FloatArray, FloatCtor } from './kernels.ts';
import type { Csr, Scratch } from './layers.ts';
import type { UpdateRule } from './optimizers.ts';

export type Dtype = 'f32' | 'f64';

/** What a gradient worker needs to build the same kernels over the same memory (structured-cloneable). */
export interface KernelsHandle {
  engine: Engine;
  dtype: Dtype;
  /** The model's layer sizes (the SIMD engine's kernels are specialised to them). */
  sizes: readonly number[];
  /** SIMD: the shared WebAssembly.Memory every buffer lives in; scalar: none. */
  memory: unknown;
}

export interface Kernels {
  readonly engine: Engine;
  readonly dtype: Dtype;
  readonly ctor: FloatCtor;
  readonly handle: KernelsHandle;

  /** A zeroed float buffer; `shared`: gradient workers will read or write it (scalar: SharedArrayBuffer). */
  floats(n: number, shared?: boolean): FloatArray;
  ints(n: number): Int32Array;
  bytes(n: number, shared?: boolean): Uint8Array;
  /** Bytes allocated so far (SIMD: of its memory; scalar: not tracked, 0). */
  readonly allocatedBytes: number;
  /**
   * Makes room for `bytes` more bytes that other threads will allocate (gradient workers build their
   * twins' private buffers in the same memory): afterwards no allocation of that size grows the memory,
   * so no thread's kernels can meet a size another thread grew to but it has not yet seen.
   */
  reserve(bytes: number): void;

  /** Layer 0: Z = (scale·P + offset)·W + b for u8 pixels P [B, k]; fills X with the CSR of scale·P. */
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
  ): void;
  /** Z = X·W + b for a dense X [B, k]; fills X's CSR. */
  linearForward(
    Xd: FloatArray,
    B: number,
    k: number,
    n: number,
    W: FloatArray,
    b: FloatArray,
    Z: FloatArray,
    X: Csr,
  ): void;
  /**
   * db = Σ_b dZ, dW = Xᵀ·dZ (+ offset·(1 ⊗ db) for layer 0) and, when dX is given, dX = dZ·Wᵀ (through
   * WT = Wᵀ). Same arguments as layers.ts's linearBackward.
   */
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
  ): void;
  /** A = f(Z) over len entries (A === Z allowed). */
  activationForward(kind: Activation, slope: number, Z: FloatArray, A: FloatArray, len: number): void;
  /** H = A ⊙ M over len entries. */
  dropoutForward(A: FloatArray, M: FloatArray, H: FloatArray, len: number): void;
  /** In place: dX ← (dX ⊙ M) ⊙ f'(A) over len entries (M null: no dropout on that layer). */
  activationBackward(
    kind: Activation,
    slope: number,
    A: FloatArray,
    dX: FloatArray,
    M: FloatArray | null,
    len: number,
  ): void;
  /** dst[i] ← dst[i] + src[i] for i in [i0, i1) (summing gradient workers' partials; i0 a multiple of 16). */
  accumulate(dst: FloatArray, src: FloatArray, i0: number, i1: number): void;
  /** Σ x² over the first len entries (float64 sum). */
  sumSquares(x: FloatArray, len: number): number;
  /**
   * One optimizer update of elements [i0, i1) with the coefficients `coef` (optimizers.ts's COEF layout);
   * returns Σ g² over the range (the scalar engine only when wantSq). i0 is a multiple of 16.
   */
  update(
    rule: UpdateRule,
    w: FloatArray,
    g: FloatArray,
    m: FloatArray | null,
    v: FloatArray | null,
    i0: number,
    i1: number,
    coef: Float64Array,
    wantSq: boolean,
  ): number;
}
