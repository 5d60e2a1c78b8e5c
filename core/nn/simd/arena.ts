/**
 * The SIMD engine's memory: one shared WebAssembly memory per model, from which every buffer the kernels
 * touch is carved (weights, gradients, moments, activations, CSR scratch, the batch's pixels and labels).
 * A kernel addresses a buffer by its view's `byteOffset`.
 *
 * Shared (SharedArrayBuffer-backed) for two reasons: gradient workers (adapters/threads) instantiate the
 * same kernels over the same memory, and growing a shared memory never detaches its buffer — detaching
 * one would slow every typed-array access in the process (see core/nn/README.md). Allocation is a bump
 * pointer kept in the memory itself (bytes 0–3) and advanced with Atomics, so a worker can allocate its
 * private buffers beside the trainer's while both run. Every block starts on a 64-byte line and is followed
 * by at least 16 spare bytes that belong to no other block: kernels may read a vector past a buffer's end,
 * and the CSR builders write one there (gen-csr.ts). Nothing is freed: the memory lives as long as the
 * model.
 */
import { PAGE, type WasmMemory, wasm } from './wasm-api.ts';

/** 4 GiB: the whole 32-bit address space (reserved, not committed: pages are touched as they are used). */
export const MAX_PAGES = 65536;
const HEADER = 64;
const LINE = 64;
/** Readable bytes after every block (one v128). */
export const SLACK = 16;

export class Arena {
  private readonly top: Int32Array;

  /** A fresh memory, or (in a gradient worker) the trainer's. */
  constructor(
    readonly memory: WasmMemory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }),
  ) {
    if (!(memory.buffer instanceof SharedArrayBuffer))
      throw new Error('the SIMD arena needs a shared memory');
    this.top = new Int32Array(memory.buffer, 0, 1);
    Atomics.compareExchange(this.top, 0, 0, HEADER);
  }

  /** Byte offset of a fresh, zeroed, 64-byte aligned block of `bytes` bytes. */
  allocate(bytes: number): number {
    const size = Math.ceil((bytes + SLACK) / LINE) * LINE;
    const start = Atomics.add(this.top, 0, size) >>> 0;
    this.ensure(start + size);
    return start;
  }

  /** Grows the memory now so that `bytes` more bytes can be allocated without growing it. */
  reserve(bytes: number): void {
    this.ensure(this.used + bytes);
  }

  private ensure(end: number): void {
    if (end > MAX_PAGES * PAGE) throw new RangeError(`the model needs more than ${MAX_PAGES * PAGE} bytes`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
  }

  /** Bytes allocated so far (header included). */
  get used(): number {
    return Atomics.load(this.top, 0) >>> 0;
  }

  floats32(n: number): Float32Array {
    const at = this.allocate(4 * n);
    return new Float32Array(this.memory.buffer, at, n);
  }

  floats64(n: number): Float64Array {
    const at = this.allocate(8 * n);
    return new Float64Array(this.memory.buffer, at, n);
  }

  ints(n: number): Int32Array {
    const at = this.allocate(4 * n);
    return new Int32Array(this.memory.buffer, at, n);
  }

  bytes(n: number): Uint8Array {
    const at = this.allocate(n);
    return new Uint8Array(this.memory.buffer, at, n);
  }
}
