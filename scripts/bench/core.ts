/**
 * `npm run bench -- core [--json] [--samples N] [--nets 784-128-64-10,784-500-250-100-10] [--batches 64,16]
 *   [--engines simd,scalar] [--impls ours,torch,numpy,numpy-f32,tfjs-wasm,tfjs-cpu] [--repeat R]
 *   [--dtype f32|f64] [--threads T] [--ours-last] [--kernels]`
 * (--kernels: instead, where each engine's epoch goes, kernel by kernel: core-kernels.ts)
 *
 * Training throughput of one epoch (samples/s) of our MLP core against its peers on one protocol: the
 * first N MNIST training digits (/work/shared/data/mnist, or mnist-mini as a fallback), Adam lr 1e-3,
 * ReLU hidden layers, softmax + cross-entropy, shuffled, no validation, one thread, a warm-up epoch over
 * 1,024 digits first; with --repeat R the best of R epochs counts. Peers (core-peers.ts): PyTorch and numpy
 * (float64 as the seed notebooks, and float32) in a child process from .venv/bench, tfjs-wasm and tfjs-cpu
 * in this process. Peers get float32 inputs already scaled to [0, 1]; ours gets u8 pixels and normalises
 * per batch (that is its input format). --threads T adds "ours-threads" (adapters/threads, T threads).
 *
 * One JSON line per (impl, engine, net, batch): samples_per_s by wall clock, cpu_samples_per_s by CPU time
 * of the process, the 1-minute load average when it was measured. Ours also: ratio_vs_<peer> (wall clock,
 * same run) and cpu_ratio_vs_<peer> (CPU time: steadier on a shared machine),
 * gflops = 2 × the products' multiply-adds on nonzeros (Trainer.multiplyAdds) per second, and
 * ceiling_fraction = gflops / the f32x4 mul+add ceiling measured in this run (simd-ceiling.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { threadsEngine } from '../../adapters/threads/index.ts';
import { type Engine, parseTrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { createTrainer } from '../../core/nn/index.ts';
import { kernelProfile } from './core-kernels.ts';
import {
  benchTfjs,
  loadTfjs,
  PYTHON_PEERS,
  type Rate,
  runPythonPeers,
  TFJS_PEERS,
  timed,
} from './core-peers.ts';
import { simdCeilingGflops } from './simd-ceiling.ts';

const MNIST_DIR = new URL('../../../shared/data/mnist/', import.meta.url).pathname;
const WARMUP = 1024;
const PEERS = [...PYTHON_PEERS, ...TFJS_PEERS] as const;

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
}

function idx(path: string): Uint8Array {
  const raw = readFileSync(path);
  const buf = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const dims = buf[3]!;
  return new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * dims, buf.length - 4 - 4 * dims);
}

function loadData(samples: number): { data: Dataset; source: string; mnistDir: string | null } {
  let data: Dataset;
  let source: string;
  let mnistDir: string | null = null;
  if (existsSync(join(MNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
    const images = idx(join(MNIST_DIR, 'train-images-idx3-ubyte.gz'));
    const labels = idx(join(MNIST_DIR, 'train-labels-idx1-ubyte.gz'));
    const split = { images, labels, count: labels.length };
    data = {
      name: 'mnist',
      version: 'idx',
      rows: 28,
      cols: 28,
      classes: 10,
      train: split,
      test: split,
      pixelMean: 0.1307,
      pixelStd: 0.3081,
    };
    source = 'mnist (60k train, /work/shared/data/mnist)';
    mnistDir = MNIST_DIR;
  } else {
    data = loadMnistMini();
    source = 'mnist-mini (fallback)';
  }
  const n = Math.min(samples, data.train.count);
  const train = {
    images: data.train.images.subarray(0, n * 784),
    labels: data.train.labels.subarray(0, n),
    count: n,
  };
  return { data: { ...data, train, test: train }, source, mnistDir };
}

interface OursRate extends Rate {
  /** Multiply-adds per second of the timed epoch (nonzeros counted). */
  madds: number;
}

/** A rate as printed: with the 1-minute load average when it was measured. */
interface Measured extends Rate {
  madds?: number;
  version?: string;
  dtype?: string;
  load: number;
}

/** One epoch of our trainer over data.train after a warm-up trainer on a prefix. */
async function benchOurs(
  layers: number[],
  data: Dataset,
  batch: number,
  engine: Engine,
  repeat: number,
  dtype: 'f32' | 'f64',
  threads = 0,
): Promise<OursRate> {
  const cfg = (epochs: number) => {
    const p = parseTrialConfig({
      layers,
      batch_size: batch,
      optimizer: 'adam',
      learning_rate: 1e-3,
      validation_split: 0,
      epochs,
      engine,
    });
    if (!p.ok) throw new Error(JSON.stringify(p.problems));
    return p.value;
  };
  const warm = { ...data, train: { ...data.train, count: Math.min(WARMUP, data.train.count) } };
  const batchEngine = threads > 0 ? threadsEngine(threads) : undefined;
  const w = createTrainer(cfg(1), warm, { dtype, batchEngine });
  w.runEpoch();
  await w.close?.();
  const t = createTrainer(cfg(repeat), data, { dtype, batchEngine });
  let madds = 0;
  const rate = await timed(data.train.count, repeat, () => {
    const before = t.multiplyAdds;
    const t0 = performance.now();
    t.runEpoch();
    madds = Math.max(madds, (t.multiplyAdds - before) / ((performance.now() - t0) / 1000));
  });
  await t.close?.();
  return { ...rate, madds };
}

const round2 = (x: number) => Number(x.toFixed(2));

export default async function core(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const oursLast = args.includes('--ours-last');
  const samples = Number(opt(args, 'samples', '10000'));
  const repeat = Number(opt(args, 'repeat', '1'));
  const dtype = opt(args, 'dtype', 'f32') as 'f32' | 'f64';
  const nets = opt(args, 'nets', '784-128-64-10,784-500-250-100-10').split(',');
  const batches = opt(args, 'batches', '64,16').split(',').map(Number);
  const engines = opt(args, 'engines', 'simd,scalar').split(',') as Engine[];
  const impls = opt(args, 'impls', ['ours', ...PEERS].join(',')).split(',');
  const threads = Number(opt(args, 'threads', '0'));
  const { data, source, mnistDir } = loadData(samples);
  const print = (line: Record<string, unknown>) => {
    const full = { suite: 'core', ...line, load_avg: line.load_avg ?? round2(loadavg()[0]!) };
    if (json) console.log(JSON.stringify(full));
    else
      console.log(
        Object.entries(full)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
          .join(' '),
      );
  };
  if (!json) console.log(`core bench: ${data.train.count} samples of ${source}, Adam, best of ${repeat}`);

  const ceiling = simdCeilingGflops();
  print({ impl: 'simd-ceiling', gflops: round2(ceiling), what: 'f32x4 mul+add, registers only, one thread' });
  if (args.includes('--kernels')) {
    await kernelProfile(data, nets, batches, engines, ceiling, print);
    return;
  }

  // Ours runs before tfjs is even imported (unless --ours-last): importing tfjs detaches an ArrayBuffer,
  // which invalidates V8's ArrayBufferDetaching protector for the whole process and slows every
  // typed-array access of the scalar kernels by ~18% — an artefact of sharing the process. The Python peers
  // run right after ours for each (net, batch), so a change of the machine's load hits both alike.
  const results = new Map<string, Measured>();
  const measured = (r: Rate & Partial<Measured>): Measured => ({ ...r, load: round2(loadavg()[0]!) });
  const pythonImpls = PYTHON_PEERS.filter((p) => impls.includes(p));
  const runOursAndPython = async () => {
    for (const net of nets) {
      const layers = net.split('-').map(Number);
      for (const batch of batches) {
        if (impls.includes('ours')) {
          for (const engine of engines) {
            const one = await benchOurs(layers, data, batch, engine, repeat, dtype);
            results.set(`ours ${engine} ${net} ${batch}`, measured(one));
            if (threads > 1) {
              const many = await benchOurs(layers, data, batch, engine, repeat, dtype, threads);
              results.set(`ours-threads ${engine} ${net} ${batch}`, measured(many));
            }
          }
        }
        const py = runPythonPeers(pythonImpls, mnistDir, data.train.count, [net], [batch], repeat);
        if (py.skipped) print({ impl: 'python-peers', net, batch, status: 'skipped', reason: py.skipped });
        for (const [k, v] of py.rates) results.set(k, measured(v));
      }
    }
  };
  if (!oursLast) await runOursAndPython();
  const tfjs = TFJS_PEERS.filter((p) => impls.includes(p));
  if (tfjs.length > 0) {
    const tf = await loadTfjs();
    for (const net of nets) {
      for (const batch of batches) {
        for (const impl of tfjs) {
          const layers = net.split('-').map(Number);
          const backend = impl === 'tfjs-cpu' ? 'cpu' : 'wasm';
          const rate = await benchTfjs(tf, backend, layers, data, batch, WARMUP, repeat);
          results.set(
            `${impl} ${net} ${batch}`,
            measured({ ...rate, version: tf.version.tfjs, dtype: 'f32' }),
          );
        }
      }
    }
  }
  if (oursLast) await runOursAndPython();

  for (const net of nets) {
    for (const batch of batches) {
      for (const impl of PEERS) {
        const p = results.get(`${impl} ${net} ${batch}`);
        if (!p) continue;
        print({
          impl,
          net,
          batch,
          samples: data.train.count,
          samples_per_s: Math.round(p.wall),
          cpu_samples_per_s: Math.round(p.cpu),
          version: p.version,
          dtype: p.dtype,
          threads: 1,
          load_avg: p.load,
        });
      }
      for (const impl of ['ours', 'ours-threads']) {
        for (const engine of engines) {
          const r = results.get(`${impl} ${engine} ${net} ${batch}`);
          if (!r) continue;
          const gflops = (2 * (r.madds ?? 0)) / 1e9;
          const line: Record<string, unknown> = {
            impl,
            engine,
            net,
            batch,
            samples: data.train.count,
            samples_per_s: Math.round(r.wall),
            cpu_samples_per_s: Math.round(r.cpu),
            dtype,
            threads: impl === 'ours-threads' ? threads : 1,
            order: oursLast ? 'after tfjs import' : 'before tfjs import',
          };
          // (Trainer.multiplyAdds counts the trainer thread's rows only: no work figure for threaded runs.)
          if (impl === 'ours') {
            line.gflops = round2(gflops);
            line.ceiling_fraction = Number((gflops / ceiling).toFixed(3));
          }
          const vs = (key: string, name: string, cpu: boolean) => {
            const p = results.get(key);
            if (!p) return;
            line[`ratio_vs_${name}`] = round2(r.wall / p.wall);
            if (cpu) line[`cpu_ratio_vs_${name}`] = round2(r.cpu / p.cpu);
          };
          if (impl === 'ours-threads') vs(`ours ${engine} ${net} ${batch}`, '1_thread', false);
          else {
            for (const peer of PEERS) vs(`${peer} ${net} ${batch}`, peer.replaceAll('-', '_'), true);
            if (engine !== 'scalar') vs(`ours scalar ${net} ${batch}`, 'scalar', true);
          }
          line.load_avg = r.load;
          print(line);
        }
      }
    }
  }
}
