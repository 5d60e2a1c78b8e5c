/**
 * Data-parallel training over worker_threads: `threadsEngine(T)` is an EngineProvider for
 * createTrainer/resumeTrainer (core/nn). Each batch is split in T row blocks of ceil(batch/T) rows; the
 * trainer thread computes block 0, workers 1..T−1 the others, all reading the same weights, masks and
 * inputs from SharedArrayBuffers; the partial gradients are then summed in block order 0, 1, …, T−1
 * and the optimizer steps on the trainer thread. Dropout masks, shuffling and augmentation still come
 * from the trainer's single PRNG in the same order as single-threaded training, so a run is
 * bit-reproducible for a given thread count (and differs from other thread counts only by the
 * floating-point order of the gradient sums).
 *
 * Synchronisation is by Atomics.wait/notify on shared memory (the trainer API is synchronous); no
 * ArrayBuffer is ever transferred (a transfer would slow every typed-array access in the process, see
 * core/nn/README.md). Workers run TypeScript through tsx's ESM API. Call `trainer.close()` when done;
 * the workers are unref'd so a forgotten close does not keep the process alive.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import type { BatchEngine, EngineProvider } from '../../core/nn/engine.ts';
import { forwardBackward } from '../../core/nn/engine.ts';
import { createTrainer, resumeTrainer, type Trainer, type TrainerOptions } from '../../core/nn/index.ts';
import type { LossOut } from '../../core/nn/losses.ts';
import type { Mlp } from '../../core/nn/model.ts';
import { CTRL_SLOTS, DONE, ERROR, type Floats, GEN, ROWS, STOP, type WorkerInit } from './protocol.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);
/**
 * Worker bootstrap: register tsx's ESM hooks inside the worker, then load worker.ts (`--import tsx` in a
 * worker's execArgv is not honoured by Node 20). The tsx API is resolved from this file's location.
 */
const TSX_API = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(
  /\.cjs$/,
  '.mjs',
);
const BOOT = `import(${JSON.stringify(TSX_API)}).then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

function sharedLike(a: Floats): Floats {
  return a instanceof Float32Array
    ? new Float32Array(new SharedArrayBuffer(a.length * 4))
    : new Float64Array(new SharedArrayBuffer(a.length * 8));
}

class ThreadsEngine implements BatchEngine {
  private readonly workers: Worker[] = [];
  private readonly partials: { dW: Floats[]; db: Floats[] }[] = [];
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL_SLOTS));
  private readonly res: Float64Array;
  private readonly mine: LossOut = { sum: 0, correct: 0 };
  private readonly chunk: number;

  constructor(
    private readonly m: Mlp,
    private readonly loss: TrialConfig['loss'],
    batchSize: number,
    private readonly threads: number,
  ) {
    this.chunk = Math.ceil(batchSize / threads);
    this.res = new Float64Array(new SharedArrayBuffer(16 * threads));
    const sizes = m.spec.sizes;
    for (let t = 1; t < threads; t++) {
      const r0 = t * this.chunk;
      const part = { dW: m.dW.map(sharedLike), db: m.db.map(sharedLike) };
      this.partials.push(part);
      const init: WorkerInit = {
        index: t,
        chunk: this.chunk,
        spec: {
          ...m.spec,
          sizes: [...sizes],
          activations: [...m.spec.activations],
          dropout: [...m.spec.dropout],
        },
        dtype: m.dtype,
        loss,
        W: m.W,
        b: m.b,
        M: m.M.map((M, l) => (M ? M.subarray(r0 * sizes[l + 1]!, (r0 + this.chunk) * sizes[l + 1]!) : null)),
        dW: part.dW,
        db: part.db,
        input: m.input.subarray(r0 * sizes[0]!, (r0 + this.chunk) * sizes[0]!),
        labels: m.labels.subarray(r0, r0 + this.chunk),
        ctrl: this.ctrl,
        res: this.res,
      };
      const w = new Worker(BOOT, { eval: true, workerData: init });
      w.unref();
      this.workers.push(w);
    }
  }

  run(B: number, out: LossOut): void {
    const ctrl = this.ctrl;
    const m = this.m;
    Atomics.store(ctrl, ROWS, B);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    forwardBackward(m, this.loss, Math.min(B, this.chunk), 1 / B, this.mine);
    const want = this.threads - 1;
    for (;;) {
      const d = Atomics.load(ctrl, DONE);
      if (d >= want) break;
      Atomics.wait(ctrl, DONE, d, 1000);
    }
    if (Atomics.load(ctrl, ERROR) === 1) throw new Error('a gradient worker failed (see stderr)');
    let sum = this.mine.sum;
    let correct = this.mine.correct;
    for (let t = 1; t < this.threads; t++) {
      if (t * this.chunk >= B) break; // no rows, no gradient
      const p = this.partials[t - 1]!;
      for (let l = 0; l < m.L; l++) {
        addInto(m.dW[l]!, p.dW[l]!);
        addInto(m.db[l]!, p.db[l]!);
      }
      sum += this.res[2 * t]!;
      correct += this.res[2 * t + 1]!;
    }
    out.sum = sum;
    out.correct = correct;
  }

  async close(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function addInto(a: Floats, b: Floats): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
}

/** EngineProvider running each batch over `threads` threads (this one included); 1 = no workers. */
export function threadsEngine(threads: number): EngineProvider {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, found ${threads}`);
  return {
    shared: true,
    create: (m, loss, batchSize) => new ThreadsEngine(m, loss, batchSize, Math.min(threads, batchSize)),
  };
}

export function createParallelTrainer(
  config: TrialConfig,
  data: Dataset,
  opts: TrainerOptions & { threads: number },
): Trainer {
  return createTrainer(config, data, { ...opts, engine: threadsEngine(opts.threads) });
}

export function resumeParallelTrainer(
  config: TrialConfig,
  data: Dataset,
  state: Uint8Array,
  opts: TrainerOptions & { threads: number },
): Trainer {
  return resumeTrainer(config, data, state, { ...opts, engine: threadsEngine(opts.threads) });
}
