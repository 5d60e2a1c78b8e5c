/**
 * The peers of the core bench, on our protocol (bench/core.ts): PyTorch and numpy from the project's bench
 * venv (.venv/bench, `npm run bench:peers`) as a child process running scripts/bench/peers.py, and
 * @tensorflow/tfjs (cpu backend) / @tensorflow/tfjs-backend-wasm (SIMD, one thread) in this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from '../../core/dataset.ts';

export interface Rate {
  /** samples / wall-clock second */
  wall: number;
  /** samples / CPU second of the process (user + system): less sensitive to other load on the machine */
  cpu: number;
}

export const PYTHON_PEERS = ['torch', 'numpy', 'numpy-f32'] as const;
export const TFJS_PEERS = ['tfjs-wasm', 'tfjs-cpu'] as const;

const REPO = new URL('../../', import.meta.url).pathname;
const VENV_PYTHON = join(REPO, '.venv/bench/bin/python');

export interface PythonRun {
  /** Rates by `${impl} ${net} ${batch}`. */
  rates: Map<string, Rate & { version: string; dtype: string }>;
  /** Why the Python peers did not run (null when they did). */
  skipped: string | null;
}

/** Runs peers.py for the given impls, nets and batch sizes on the first `samples` digits of mnistDir. */
export function runPythonPeers(
  impls: readonly string[],
  mnistDir: string | null,
  samples: number,
  nets: readonly string[],
  batches: readonly number[],
  repeat: number,
): PythonRun {
  const rates: PythonRun['rates'] = new Map();
  if (impls.length === 0) return { rates, skipped: null };
  if (!existsSync(VENV_PYTHON))
    return { rates, skipped: 'no .venv/bench (run `npm run bench:peers` to create it)' };
  if (!mnistDir) return { rates, skipped: 'the MNIST IDX files are not here (the Python peers read them)' };
  const r = spawnSync(
    VENV_PYTHON,
    [
      join(REPO, 'scripts/bench/peers.py'),
      '--mnist',
      mnistDir,
      '--samples',
      String(samples),
      '--nets',
      nets.join(','),
      '--batches',
      batches.join(','),
      '--impls',
      impls.join(','),
      '--repeat',
      String(repeat),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0)
    return { rates, skipped: `peers.py failed (${r.status}): ${(r.stderr ?? '').trim().slice(-400)}` };
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line) as {
      impl: string;
      net: string;
      batch: number;
      samples_per_s: number;
      cpu_samples_per_s: number;
      version: string;
      dtype: string;
    };
    rates.set(`${j.impl} ${j.net} ${j.batch}`, {
      wall: j.samples_per_s,
      cpu: j.cpu_samples_per_s,
      version: j.version,
      dtype: j.dtype,
    });
  }
  return { rates, skipped: null };
}

type Tf = typeof import('@tensorflow/tfjs');

/** Best rates over `repeat` runs of fn, which processes n samples. */
export async function timed(n: number, repeat: number, fn: () => Promise<void> | void): Promise<Rate> {
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

export async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setThreadsCount(1);
  wasm.setWasmPaths(
    `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  );
  return tf;
}

/** One epoch of a tfjs Sequential model (ReLU hidden layers, softmax, Adam 1e-3) after a warm-up. */
export async function benchTfjs(
  tf: Tf,
  backend: 'cpu' | 'wasm',
  layers: number[],
  data: Dataset,
  batch: number,
  warmup: number,
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
  const w = Math.min(warmup, n);
  const xw = x.slice([0, 0], [w, 784]);
  const yw = y.slice([0, 0], [w, 10]);
  await model.fit(xw, yw, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
  const best = await timed(n, repeat, async () => {
    await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
  });
  tf.dispose([x, y, xw, yw]);
  model.dispose();
  return best;
}
