/**
 * The machine's WebAssembly SIMD ceiling for the core bench: GFLOP/s of f32x4 multiply + add (acc ← acc·x + y,
 * 8 flops per pair) over independent accumulator chains held in registers, no memory traffic — the most
 * the SIMD engine's products (a multiply and an add per lane, no FMA in SIMD128) could reach on this core.
 * Best over 8, 10 and 12 chains (enough to hide the mul + add latency), best of `repeat` timings.
 */
import { encodeModule, type F32, Func, f32, f32x4, forRange, get, i32, set } from '../../core/nn/simd/asm.ts';
import { wasm } from '../../core/nn/simd/wasm-api.ts';

function chainsKernel(chains: number): Func {
  const f = new Func(`ceiling_${chains}`, ['i32'] as const, 'f32');
  const [iters] = f.params;
  const i = f.local('i32');
  const x = f.local('v128');
  const y = f.local('v128');
  const acc = Array.from({ length: chains }, () => f.local('v128'));
  let sum: F32 = f32x4.extractLane(get(acc[0]!), 0);
  for (const a of acc.slice(1)) sum = f32.add(sum, f32x4.extractLane(get(a), 0));
  return f
    .body(
      set(x, f32x4.splat(f32.const(0.999))),
      set(y, f32x4.splat(f32.const(0.001))),
      ...acc.map((a, k) => set(a, f32x4.splat(f32.const(k)))),
      forRange(
        i,
        i32.const(0),
        get(iters),
        1,
        ...acc.map((a) => set(a, f32x4.add(f32x4.mul(get(a), get(x)), get(y)))),
      ),
    )
    .returns(sum);
}

/** GFLOP/s of the best chain count (wall clock of this thread). */
export function simdCeilingGflops(repeat = 5): number {
  const CHAINS = [8, 10, 12];
  const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
  const module = new wasm.Module(
    encodeModule({ minPages: 1, maxPages: 1, shared: true }, CHAINS.map(chainsKernel)),
  );
  const exports = new wasm.Instance(module, { env: { memory } }).exports;
  let best = 0;
  for (const chains of CHAINS) {
    const run = exports[`ceiling_${chains}`] as (iters: number) => number;
    run(1e6); // warm-up: optimised tier
    const iters = 1e7;
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      run(iters);
      const s = (performance.now() - t0) / 1000;
      best = Math.max(best, (iters * chains * 8) / s / 1e9);
    }
  }
  return best;
}
