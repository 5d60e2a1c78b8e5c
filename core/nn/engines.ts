/** The two Kernels implementations behind the config's `engine` (compute.ts). */
import type { Engine } from '../config.ts';
import type { Dtype, Kernels, KernelsHandle } from './compute.ts';
import { ScalarKernels } from './scalar.ts';
import { SimdKernels } from './simd/engine.ts';
import type { WasmMemory } from './simd/wasm-api.ts';

/** Fresh kernels (and, for SIMD, a fresh memory) for a model with these layer sizes. */
export function createKernels(engine: Engine, dtype: Dtype, sizes: readonly number[]): Kernels {
  return engine === 'simd' ? new SimdKernels(dtype, sizes) : new ScalarKernels(dtype, sizes);
}

/** A gradient worker's twin of the trainer's kernels: same engine, and for SIMD the same memory. */
export function kernelsFromHandle(h: KernelsHandle): Kernels {
  return h.engine === 'simd'
    ? new SimdKernels(h.dtype, h.sizes, h.memory as WasmMemory)
    : new ScalarKernels(h.dtype, h.sizes);
}
