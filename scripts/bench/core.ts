/**
 * `npm run bench -- core [--json] [--samples N] [--nets 784-128-64-10,784-500-250-100-10]
 *   [--impls tfjs-cpu,tfjs-wasm,ours] [--repeat R] [--dtype f32|f64] [--ours-last] [--threads T]`
 * (--threads T adds "ours-threads": the data-parallel engine of adapters/threads with T threads)
 *
 * Training throughput of one epoch (samples/s) of our MLP core against @tensorflow/tfjs (cpu backend)
 * and @tensorflow/tfjs-backend-wasm (SIMD, one thread), same process, same data (the first N MNIST
 * training digits from /work/shared/data/mnist, or mnist-mini as a fallback), same config: batch 64,
 * Adam lr 1e-3, ReLU hidden layers, softmax + cross-entropy, shuffled, no validation. Each
 * implementation gets a short warm-up (JIT / wasm compile) before the timed epoch; with --repeat R the
 * best of R epochs counts. Peers get float32 inputs already scaled to [0,1]; ours gets u8 pixels and
 * normalises per batch (that is its input format). One JSON line per (impl, net), ours with ratios, by
 * wall clock (samples_per_s) and by CPU time of the process (cpu_samples_per_s: robust to other load).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { threadsEngine } from '../../adapters/threads/index.ts';
import { parseTrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { createTrainer } from '../../core/nn/index.ts';

const MNIST_DIR = new URL('../../../shared/data/mnist/', import.meta.url).pathname;
const BATCH = 64;
const WARMUP = 1024;

type Impl = 'tfjs-cpu' | 'tfjs-wasm' | 'ours' | 'ours-threads';

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

function loadData(samples: number): { data: Dataset; source: string } {
  let data: Dataset;
  let source: string;
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
  return { data: { ...data, train, test: train }, source };
}

interface Rate {
  /** samples / wall-clock second */
  wall: number;
  /** samples / CPU second of this process (user + system): less sensitive to other load on the machine */
  cpu: number;
}

/** Best (highest) rates over `repeat` runs of fn, which processes n samples. */
async function timed(n: number, repeat: number, fn: () => Promise<void>): Promise<Rate> {
  const best: Rate = { wall: 0, cpu: 0 };
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    best.wall = Math.max(best.wall, n / ((performance.now() - t0) / 1000));
    best.cpu = Math.max(best.cpu, n / ((c.user + c.system) / 1e6));
  }
  return best;
}

/** Samples/s of one epoch of our trainer over data.train (after a warm-up trainer on a prefix). */
async function benchOurs(
  layers: number[],
  data: Dataset,
  repeat: number,
  dtype: 'f32' | 'f64',
  threads = 0,
): Promise<Rate> {
  const cfg = (epochs: number) => {
    const p = parseTrialConfig({
      layers,
      batch_size: BATCH,
      optimizer: 'adam',
      learning_rate: 1e-3,
      validation_split: 0,
      epochs,
    });
    if (!p.ok) throw new Error(JSON.stringify(p.problems));
    return p.value;
  };
  const warm = { ...data, train: { ...data.train, count: Math.min(WARMUP, data.train.count) } };
  const engine = threads > 0 ? threadsEngine(threads) : undefined;
  const w = createTrainer(cfg(1), warm, { dtype, batchEngine: engine });
  w.runEpoch();
  await w.close?.();
  const t = createTrainer(cfg(repeat), data, { dtype, batchEngine: engine });
  const rate = await timed(data.train.count, repeat, async () => {
    t.runEpoch();
  });
  await t.close?.();
  return rate;
}

type Tf = typeof import('@tensorflow/tfjs');

async function benchTfjs(
  tf: Tf,
  backend: 'cpu' | 'wasm',
  layers: number[],
  data: Dataset,
  repeat: number,
): Promise<Rate> {
  await tf.setBackend(backend);
  await tf.ready();
  const n = data.train.count;
  const x = tf.tidy(() => tf.tensor2d(data.train.images, [n, 784], 'int32').toFloat().div(255));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(data.train.labels, 'int32'), 10).toFloat());
  const model = tf.sequential();
  for (let l = 1; l < layers.length; l++) {
    model.add(
      tf.layers.dense({
        units: layers[l]!,
        activation: l === layers.length - 1 ? 'softmax' : 'relu',
        ...(l === 1 ? { inputShape: [784] } : {}),
      }),
    );
  }
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const w = Math.min(WARMUP, n);
  const xw = x.slice([0, 0], [w, 784]);
  const yw = y.slice([0, 0], [w, 10]);
  await model.fit(xw, yw, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
  const best = await timed(n, repeat, async () => {
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
  });
  tf.dispose([x, y, xw, yw]);
  model.dispose();
  return best;
}

async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setThreadsCount(1);
  wasm.setWasmPaths(
    `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  );
  return tf;
}

export default async function core(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const oursLast = args.includes('--ours-last');
  const samples = Number(opt(args, 'samples', '60000'));
  const repeat = Number(opt(args, 'repeat', '1'));
  const dtype = opt(args, 'dtype', 'f32') as 'f32' | 'f64';
  const nets = opt(args, 'nets', '784-128-64-10,784-500-250-100-10').split(',');
  const impls = opt(args, 'impls', 'tfjs-cpu,tfjs-wasm,ours').split(',') as Impl[];
  const threads = Number(opt(args, 'threads', '0'));
  if (threads > 1 && impls.includes('ours')) impls.push('ours-threads');
  const { data, source } = loadData(samples);
  if (!json)
    console.log(
      `core bench: ${data.train.count} samples of ${source}, batch ${BATCH}, Adam, best of ${repeat}`,
    );
  // Ours runs before tfjs is even imported (unless --ours-last): importing tfjs detaches an ArrayBuffer,
  // which invalidates V8's ArrayBufferDetaching protector for the whole process and slows every
  // typed-array access of our kernels by ~18% — an artefact of sharing the process, not of our code.
  const rates = new Map<string, Rate>();
  const runOurs = async () => {
    if (!impls.includes('ours')) return;
    for (const net of nets) {
      const layers = net.split('-').map(Number);
      rates.set(`ours ${net}`, await benchOurs(layers, data, repeat, dtype));
      if (threads > 1)
        rates.set(`ours-threads ${net}`, await benchOurs(layers, data, repeat, dtype, threads));
    }
  };
  if (!oursLast) await runOurs();
  const peers = impls.filter((i) => i.startsWith('tfjs'));
  if (peers.length > 0) {
    const tf = await loadTfjs();
    for (const net of nets) {
      for (const impl of peers) {
        rates.set(
          `${impl} ${net}`,
          await benchTfjs(tf, impl === 'tfjs-cpu' ? 'cpu' : 'wasm', net.split('-').map(Number), data, repeat),
        );
      }
    }
  }
  if (oursLast) await runOurs();
  for (const net of nets) {
    for (const impl of impls) {
      const rate = rates.get(`${impl} ${net}`)!;
      const line: Record<string, unknown> = {
        suite: 'core',
        impl,
        net,
        samples: data.train.count,
        batch: BATCH,
        samples_per_s: Math.round(rate.wall),
        cpu_samples_per_s: Math.round(rate.cpu),
      };
      if (impl === 'ours-threads') {
        line.threads = threads;
        const single = rates.get(`ours ${net}`);
        if (single) line.speedup_vs_1_thread = Number((rate.wall / single.wall).toFixed(2));
      }
      if (impl === 'ours') {
        line.dtype = dtype;
        line.order = oursLast ? 'after tfjs import' : 'before tfjs import';
        for (const peer of ['tfjs-wasm', 'tfjs-cpu'] as const) {
          const p = rates.get(`${peer} ${net}`);
          if (!p) continue;
          const key = peer.replace('-', '_');
          line[`ratio_vs_${key}`] = Number((rate.wall / p.wall).toFixed(2));
          line[`cpu_ratio_vs_${key}`] = Number((rate.cpu / p.cpu).toFixed(2));
        }
      }
      if (json) console.log(JSON.stringify(line));
      else {
        const ratios = Object.entries(line)
          .filter(([k]) => k.includes('ratio'))
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        console.log(
          `${impl.padEnd(10)} ${net.padEnd(20)} ${line.samples_per_s} samples/s (${line.cpu_samples_per_s} per CPU-s) ${ratios}`,
        );
      }
    }
  }
}
