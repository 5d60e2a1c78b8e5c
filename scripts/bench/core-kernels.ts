/**
 * `npm run bench -- core --kernels [--samples N] [--nets …] [--batches …] [--engines simd,scalar]`
 *
 * Where an epoch's time goes, kernel by kernel, on each engine: the trainer runs with its Kernels wrapped
 * in a timer (every call of the Kernels port, compute.ts), three epochs after a warm-up; each kernel's
 * figure is its least time over the three (a shared machine preempts some calls). One JSON line per
 * (engine, net, batch, kernel): µs per batch, share of the epoch, calls per batch; for the products
 * (forward, backward) the GFLOP/s on the work done (2 × multiply-adds on nonzeros) and its fraction of the
 * f32x4 mul+add ceiling measured in the same run. "other" is the epoch's time outside the kernels
 * (batch gathering, dropout masks, softmax + loss, bookkeeping). Timing each call costs ≈ 0.1 µs.
 */
import type { Engine } from '../../core/config.ts';
import { parseTrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import type { Kernels } from '../../core/nn/compute.ts';
import { createKernels } from '../../core/nn/engines.ts';
import { createTrainer } from '../../core/nn/index.ts';
import type { Csr, Scratch } from '../../core/nn/layers.ts';

interface Tally {
  us: number;
  calls: number;
  madds: number;
}

type Method = (...args: unknown[]) => unknown;

/** The name a call is tallied under, and the multiply-adds it did (read after the call). */
function describe(method: string, a: unknown[]): [string, () => number] {
  const n = (i: number) => a[i] as number;
  const csr = (i: number) => a[i] as Csr;
  const none = () => 0;
  switch (method) {
    case 'inputLinearForward': // (P, scale, offset, B, k, n, W, b, Z, X, s)
      return [`forward ${n(4)}→${n(5)} (u8)`, () => csr(9).ptr[n(3)]! * n(5)];
    case 'linearForward': // (Xd, B, k, n, W, b, Z, X)
      return [`forward ${n(2)}→${n(3)}`, () => csr(7).ptr[n(1)]! * n(3)];
    case 'linearBackward': {
      // (X, offset, dZ, B, k, n, W, dW, db, dX, WT, s)
      const dX = a[9] !== null;
      const s = a[11] as Scratch;
      const madds = () => csr(0).ptr[n(3)]! * n(5) + (dX ? s.dz.ptr[n(3)]! * n(4) : 0);
      return [`backward ${n(4)}→${n(5)}${dX ? ' (dW, dX)' : ' (dW)'}`, madds];
    }
    case 'activationForward':
      return [`activation ${String(a[0])}`, none];
    case 'activationBackward':
      return [`activation backward ${String(a[0])}${a[4] ? ' + dropout' : ''}`, none];
    case 'update':
      return [`optimizer ${String(a[0])}`, none];
    default:
      return [method, none];
  }
}

const TIMED = new Set([
  'inputLinearForward',
  'linearForward',
  'linearBackward',
  'activationForward',
  'dropoutForward',
  'activationBackward',
  'sumSquares',
  'accumulate',
  'update',
]);

/** k with every computing method timed into `tally`. */
function timed(k: Kernels, tally: Map<string, Tally>): Kernels {
  return new Proxy(k, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !TIMED.has(prop) || typeof v !== 'function') {
        return typeof v === 'function' ? (v as Method).bind(target) : v;
      }
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const r = (v as Method).apply(target, args);
        const us = (performance.now() - t0) * 1000;
        const [name, madds] = describe(prop, args);
        const t = tally.get(name) ?? { us: 0, calls: 0, madds: 0 };
        t.us += us;
        t.calls++;
        t.madds += madds();
        tally.set(name, t);
        return r;
      };
    },
  });
}

export async function kernelProfile(
  data: Dataset,
  nets: readonly string[],
  batches: readonly number[],
  engines: readonly Engine[],
  ceiling: number,
  print: (line: Record<string, unknown>) => void,
): Promise<void> {
  for (const net of nets) {
    const layers = net.split('-').map(Number);
    for (const batch of batches) {
      for (const engine of engines) {
        const p = parseTrialConfig({ layers, batch_size: batch, validation_split: 0, epochs: 4, engine });
        if (!p.ok) throw new Error(JSON.stringify(p.problems));
        const tally = new Map<string, Tally>();
        const kernels = timed(createKernels(engine, 'f32', layers), tally);
        const t = createTrainer(p.value, data, { kernels });
        t.runEpoch(); // warm-up: JIT / wasm tier-up
        const least = new Map<string, Tally>();
        let epochUs = Number.POSITIVE_INFINITY;
        for (let e = 0; e < 3; e++) {
          tally.clear();
          const t0 = performance.now();
          t.runEpoch();
          epochUs = Math.min(epochUs, (performance.now() - t0) * 1000);
          for (const [k, x] of tally)
            if (x.us < (least.get(k)?.us ?? Number.POSITIVE_INFINITY)) least.set(k, { ...x });
        }
        const nb = Math.ceil(data.train.count / batch);
        let inKernels = 0;
        for (const [kernel, x] of [...least.entries()].sort((a, b) => b[1].us - a[1].us)) {
          inKernels += x.us;
          const line: Record<string, unknown> = {
            kernels: true,
            engine,
            net,
            batch,
            kernel,
            us_per_batch: Math.round(x.us / nb),
            share: Number((x.us / epochUs).toFixed(3)),
            calls_per_batch: Number((x.calls / nb).toFixed(2)),
          };
          if (x.madds > 0) {
            const gflops = (2 * x.madds) / (x.us * 1000);
            line.gflops = Number(gflops.toFixed(2));
            line.ceiling_fraction = Number((gflops / ceiling).toFixed(3));
          }
          print(line);
        }
        print({
          kernels: true,
          engine,
          net,
          batch,
          kernel: 'other',
          us_per_batch: Math.round((epochUs - inKernels) / nb),
          share: Number(((epochUs - inKernels) / epochUs).toFixed(3)),
          epoch_samples_per_s: Math.round(data.train.count / (epochUs / 1e6)),
        });
      }
    }
  }
}
