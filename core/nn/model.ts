/**
 * The MLP: parameters, gradients and every working buffer, allocated once (no allocation per batch).
 *
 * Legend (l = 0..L−1 over weight layers, n_l = sizes[l+1], k_l = sizes[l], R = rows capacity):
 *   W[l]: [k_l, n_l] (input-major; safetensors exports the transpose [n_l, k_l])   b[l]: [n_l]
 *   A[l]: [R, n_l] activation output of layer l (logits for l = L−1)   P: [R, K] softmax
 *   H[l]: [R, n_l] input of layer l+1 (A[l] ⊙ dropout mask, or A[l] itself)   M[l]: dropout mask
 *   dA[l]: [R, n_l] gradient w.r.t. H[l], turned in place into dZ[l]
 *   input: u8 [R, k_0]   labels: u8 [R]   X[l]: CSR of layer l's input
 *
 * Every buffer comes from the model's Kernels (compute.ts), which also compute the layers: the scalar
 * engine's plain typed arrays, or the SIMD engine's WebAssembly memory. Data-parallel training
 * (adapters/threads) asks for W, b, M, input and labels visible to other threads (`shared`), and worker
 * replicas adopt views of them (`adopt`) while keeping private activations.
 */
import { type Activation, hiddenActivation, hiddenDropout, type TrialConfig } from '../config.ts';
import type { Dtype, Kernels } from './compute.ts';
import type { FloatArray, FloatCtor } from './kernels.ts';
import { type Csr, drawDropoutMask, type Scratch } from './layers.ts';
import type { Param } from './optimizers.ts';
import type { Xoshiro128ss } from './prng.ts';

export type { Dtype } from './compute.ts';

export interface ModelSpec {
  sizes: readonly number[];
  activations: readonly Activation[];
  leakySlope: number;
  dropout: readonly number[];
  /** Input normalisation x = scale·p + offset of the u8 pixels p. */
  scale: number;
  offset: number;
}

/** x = scale·p + offset of the u8 pixels p, per `normalize` (also the first nodes of an ONNX export). */
export function inputNormalization(
  normalize: TrialConfig['normalize'],
  pixelMean: number,
  pixelStd: number,
): { scale: number; offset: number } {
  return normalize === 'scale01'
    ? { scale: 1 / 255, offset: 0 }
    : normalize === 'pm1'
      ? { scale: 2 / 255, offset: -1 }
      : { scale: 1 / (255 * pixelStd), offset: -pixelMean / pixelStd };
}

export function modelSpec(c: TrialConfig, pixelMean: number, pixelStd: number): ModelSpec {
  const hidden = c.layers.length - 2;
  const norm = inputNormalization(c.normalize, pixelMean, pixelStd);
  return {
    sizes: c.layers,
    activations: Array.from({ length: hidden }, (_, i) => hiddenActivation(c, i)),
    leakySlope: c.leaky_slope,
    dropout: Array.from({ length: hidden }, (_, i) => hiddenDropout(c, i)),
    ...norm,
  };
}

/** Buffers a replica takes over instead of allocating (views into shared memory). */
export interface AdoptedBuffers {
  W: FloatArray[];
  b: FloatArray[];
  /** Dropout masks per hidden layer (null where the layer has no dropout), rows of this replica. */
  M: (FloatArray | null)[];
  dW: FloatArray[];
  db: FloatArray[];
  input: Uint8Array;
  labels: Uint8Array;
}

export interface ModelOptions {
  /** Allocate W, b, dW, db, M, input and labels visible to gradient workers. */
  shared?: boolean;
  adopt?: AdoptedBuffers;
}

const csr = (k: Kernels, rows: number, width: number): Csr => ({
  ptr: k.ints(rows + 1),
  idx: k.ints(rows * width),
  val: k.floats(rows * width),
});

export class Mlp {
  readonly L: number;
  readonly ctor: FloatCtor;
  readonly W: FloatArray[] = [];
  readonly b: FloatArray[] = [];
  readonly dW: FloatArray[] = [];
  readonly db: FloatArray[] = [];
  readonly WT: (FloatArray | null)[] = [];
  readonly A: FloatArray[] = [];
  readonly H: FloatArray[] = [];
  readonly M: (FloatArray | null)[] = [];
  readonly dA: FloatArray[] = [];
  readonly X: Csr[] = [];
  readonly P: FloatArray;
  readonly input: Uint8Array;
  readonly labels: Uint8Array;
  readonly dtype: Dtype;
  /** Multiply-adds of the products run so far, nonzeros counted (forward, dW, dX): the work done. */
  multiplyAdds = 0;
  private readonly s: Scratch;

  constructor(
    readonly spec: ModelSpec,
    readonly kernels: Kernels,
    /** Largest number of rows a forward/backward pass handles. */
    readonly rows: number,
    opts: ModelOptions = {},
  ) {
    const k = kernels;
    this.dtype = k.dtype;
    this.ctor = k.ctor;
    const shared = opts.shared ?? false;
    const sh = (n: number) => k.floats(n, shared);
    const ad = opts.adopt;
    const sz = spec.sizes;
    this.L = sz.length - 1;
    const widest = Math.max(...sz);
    for (let l = 0; l < this.L; l++) {
      const kin = sz[l]!;
      const n = sz[l + 1]!;
      this.W.push(ad ? ad.W[l]! : sh(kin * n));
      this.b.push(ad ? ad.b[l]! : sh(n));
      this.dW.push(ad ? ad.dW[l]! : sh(kin * n));
      this.db.push(ad ? ad.db[l]! : sh(n));
      this.WT.push(l > 0 ? k.floats(kin * n) : null);
      const A = k.floats(rows * n);
      this.A.push(A);
      const p = l < this.L - 1 ? spec.dropout[l]! : 0;
      this.M.push(p > 0 ? (ad ? ad.M[l]! : sh(rows * n)) : null);
      this.H.push(p > 0 ? k.floats(rows * n) : A);
      this.dA.push(k.floats(rows * n));
      this.X.push(csr(k, rows, kin));
    }
    this.P = k.floats(rows * sz[this.L]!);
    this.input = ad ? ad.input : k.bytes(rows * sz[0]!, shared);
    this.labels = ad ? ad.labels : k.bytes(rows, shared);
    this.s = {
      csc: { ptr: k.ints(widest + 1), idx: k.ints(rows * widest), val: k.floats(rows * widest) },
      dz: csr(k, rows, widest),
      vec: k.floats(widest),
      bias: k.floats(widest),
    };
  }

  /** Weights and biases with their gradients, in order W0, b0, W1, b1, … */
  params(): Param[] {
    const out: Param[] = [];
    for (let l = 0; l < this.L; l++) {
      out.push({ w: this.W[l]!, g: this.dW[l]!, isWeight: true });
      out.push({ w: this.b[l]!, g: this.db[l]!, isWeight: false });
    }
    return out;
  }

  /** glorot_uniform: U(±√(6/(k+n))); he_normal: N(0, 2/k) (untruncated, as PyTorch). Biases 0. Row-major draws. */
  init(kind: TrialConfig['init'], rng: Xoshiro128ss): void {
    for (let l = 0; l < this.L; l++) {
      const k = this.spec.sizes[l]!;
      const n = this.spec.sizes[l + 1]!;
      const W = this.W[l]!;
      if (kind === 'glorot_uniform') {
        const lim = Math.sqrt(6 / (k + n));
        for (let i = 0; i < W.length; i++) W[i] = (2 * rng.nextFloat() - 1) * lim;
      } else {
        const sd = Math.sqrt(2 / k);
        for (let i = 0; i < W.length; i++) W[i] = rng.normal() * sd;
      }
      this.b[l]!.fill(0);
    }
  }

  /** Draws the dropout masks of B rows, hidden layer by hidden layer, row-major. */
  drawMasks(B: number, rng: Xoshiro128ss): void {
    for (let l = 0; l < this.L - 1; l++) {
      const M = this.M[l];
      if (M) drawDropoutMask(this.spec.dropout[l]!, M, B * this.spec.sizes[l + 1]!, rng);
    }
  }

  /**
   * Forward pass over the first B rows of `input`; returns the logits A[L−1]. With `dropout` the masks
   * M (drawn by drawMasks) are applied; without, hidden outputs pass unchanged (evaluation).
   */
  forward(B: number, dropout: boolean): FloatArray {
    const { sizes, scale, offset } = this.spec;
    for (let l = 0; l < this.L; l++) {
      const k = sizes[l]!;
      const n = sizes[l + 1]!;
      const A = this.A[l]!;
      const K = this.kernels;
      if (l === 0)
        K.inputLinearForward(
          this.input,
          scale,
          offset,
          B,
          k,
          n,
          this.W[0]!,
          this.b[0]!,
          A,
          this.X[0]!,
          this.s,
        );
      else K.linearForward(this.H[l - 1]!, B, k, n, this.W[l]!, this.b[l]!, A, this.X[l]!);
      this.multiplyAdds += this.X[l]!.ptr[B]! * n;
      if (l === this.L - 1) break;
      K.activationForward(this.spec.activations[l]!, this.spec.leakySlope, A, A, B * n);
      const M = this.M[l];
      if (M) {
        if (dropout) K.dropoutForward(A, M, this.H[l]!, B * n);
        else this.H[l]!.set(A.subarray(0, B * n));
      }
    }
    return this.A[this.L - 1]!;
  }

  /** Backward pass of the last training forward; dA[L−1] must hold dLoss/dlogits. Fills dW, db. */
  backward(B: number): void {
    const sizes = this.spec.sizes;
    for (let l = this.L - 1; l >= 0; l--) {
      const k = sizes[l]!;
      const n = sizes[l + 1]!;
      const dX = l > 0 ? this.dA[l - 1]! : null;
      const off = l === 0 ? this.spec.offset : 0;
      this.kernels.linearBackward(
        this.X[l]!,
        off,
        this.dA[l]!,
        B,
        k,
        n,
        this.W[l]!,
        this.dW[l]!,
        this.db[l]!,
        dX,
        this.WT[l]!,
        this.s,
      );
      this.multiplyAdds += this.X[l]!.ptr[B]! * n + (dX ? this.s.dz.ptr[B]! * k : 0);
      if (dX) {
        const act = this.spec.activations[l - 1]!;
        this.kernels.activationBackward(
          act,
          this.spec.leakySlope,
          this.A[l - 1]!,
          dX,
          this.M[l - 1] ?? null,
          B * k,
        );
      }
    }
  }
}
