/**
 * The part of the JavaScript WebAssembly API the SIMD engine uses, typed here because the project's
 * TypeScript libs (ES2023 + @types/node) declare no `WebAssembly` value. Available in Node ≥ 16 and every
 * browser; SIMD128 in Node ≥ 16.4 (V8 9.1).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds `pages` pages; returns the previous size in pages. */
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmModule {
  readonly _brand?: 'WebAssembly.Module';
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: { env: { memory: WasmMemory } }) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes of one WebAssembly page. */
export const PAGE = 65536;
