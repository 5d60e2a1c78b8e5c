/**
 * The scalar engine (`engine: scalar`): the TypeScript kernels of kernels.ts, layers.ts, activations.ts
 * and optimizers.ts, which V8 compiles to scalar code. The reference every SIMD kernel is tested against.
 */
import type { Activation } from '../config.ts';
import { activationBackward, activationForward } from './activations.ts';
import type { Dtype, Kernels, KernelsHandle } from './compute.ts';
import { type FloatArray, type FloatCtor, sumSquares } from './kernels.ts';
import {
  dropoutBackward,
  dropoutForward,
  inputLinearForward,
  linearBackward,
  linearForward,
} from './layers.ts';
import { scalarUpdate } from './optimizers.ts';

export class ScalarKernels implements Kernels {
  readonly engine = 'scalar';
  readonly ctor: FloatCtor;
  readonly handle: KernelsHandle;

  constructor(
    readonly dtype: Dtype,
    sizes: readonly number[],
  ) {
    this.ctor = dtype === 'f32' ? Float32Array : Float64Array;
    this.handle = { engine: 'scalar', dtype, sizes: [...sizes], memory: null };
  }

  floats(n: number, shared = false): FloatArray {
    if (!shared) return new this.ctor(n);
    if (this.ctor === Float32Array) return new Float32Array(new SharedArrayBuffer(n * 4));
    return new Float64Array(new SharedArrayBuffer(n * 8));
  }

  ints(n: number): Int32Array {
    return new Int32Array(n);
  }

  readonly allocatedBytes = 0;

  reserve(): void {}

  bytes(n: number, shared = false): Uint8Array {
    return shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  }

  readonly inputLinearForward = inputLinearForward;
  readonly linearForward = linearForward;
  readonly linearBackward = linearBackward;
  readonly activationForward = activationForward;
  readonly dropoutForward = dropoutForward;

  activationBackward(
    kind: Activation,
    slope: number,
    A: FloatArray,
    dX: FloatArray,
    M: FloatArray | null,
    len: number,
  ): void {
    if (M) dropoutBackward(M, dX, len);
    activationBackward(kind, slope, A, dX, dX, len);
  }

  accumulate(dst: FloatArray, src: FloatArray, i0: number, i1: number): void {
    for (let i = i0; i < i1; i++) dst[i] = dst[i]! + src[i]!;
  }

  sumSquares(x: FloatArray, len: number): number {
    return sumSquares(x, len);
  }

  readonly update = scalarUpdate;
}
