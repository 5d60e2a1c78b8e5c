/**
 * Data-parallel training over worker_threads: `threadsEngine(T)` is an EngineProvider for
 * createTrainer/resumeTrainer (core/nn). Each batch is split in T row blocks of ceil(batch/T) rows; the
 * trainer thread computes block 0, workers 1..T−1 the others, all reading the same weights, masks and
 * inputs from SharedArrayBuffers and writing partial gradients into their own shared buffers. The
 * optimizer step is parallel too: thread t owns a fixed slice of every parameter tensor (sliceOf), sums
 * the partial gradients of that slice in replica order 0, 1, …, T−1 and applies the (elementwise)
 * update to it; Σ g² for the grad norms is added over the slices in thread order. Dropout masks,
 * shuffling and augmentation still come from the trainer's single PRNG in the same order as
 * single-threaded training, so a run is bit-reproducible for a given thread count (and differs from
 * other thread counts only by the floating-point order of the gradient sums).
 *
 * Synchronisation is by Atomics.wait/notify on shared memory (the trainer API is synchronous), two
 * generations per batch (GRAD, STEP), with a short spin before sleeping; no ArrayBuffer is ever
 * transferred (a transfer would slow every typed-array access in the process, see core/nn/README.md).
 * Workers are pooled per process: `close()` hands them back (warm, JIT-compiled) for the next engine
 * instead of terminating them; each job is handed over by one postMessage of shared views. Workers run
 * TypeScript through tsx's ESM API and are unref'd, so idle pooled workers (or a forgotten close) do not
 * keep the process alive.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import type { BatchEngine, EngineProvider } from '../../core/nn/batch-engine.ts';
import { forwardBackward } from '../../core/nn/batch-engine.ts';
import { createTrainer, resumeTrainer, type Trainer, type TrainerOptions } from '../../core/nn/index.ts';
import type { LossOut } from '../../core/nn/losses.ts';
import type { Mlp } from '../../core/nn/model.ts';
import type { Optimizer } from '../../core/nn/optimizers.ts';
import {
  CMD,
  CMD_GRAD,
  CMD_STEP,
  CMD_STOP,
  CTRL_SLOTS,
  DONE,
  ERROR,
  type Floats,
  GEN,
  LR,
  numSlots,
  RES,
  ROWS,
  SPINS,
  STEP_T,
  sqOffset,
  stepSlice,
  type WorkerInit,
  waitAtLeast,
} from './protocol.ts';

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

/** Idle workers of this process, reused by the next engine. */
const pool: Worker[] = [];

function takeWorker(): Worker {
  const w = pool.pop();
  if (w) return w;
  const fresh = new Worker(BOOT, { eval: true });
  fresh.unref();
  return fresh;
}

class ThreadsEngine implements BatchEngine {
  private readonly workers: Worker[] = [];
  /** Gradient buffers per replica in params order (W0, b0, W1, b1, …); [0] = the trainer's dW/db. */
  private readonly grads: Floats[][] = [];
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL_SLOTS));
  private readonly num: Float64Array;
  private readonly mine: LossOut = { sum: 0, correct: 0 };
  private readonly chunk: number;
  private rows = 0;
  private closed = false;

  constructor(
    private readonly m: Mlp,
    private readonly loss: TrialConfig['loss'],
    batchSize: number,
    private readonly opt: Optimizer,
    private readonly threads: number,
  ) {
    this.chunk = Math.ceil(batchSize / threads);
    const P = opt.params.length;
    this.num = new Float64Array(new SharedArrayBuffer(8 * numSlots(threads, P)));
    const sizes = m.spec.sizes;
    this.grads.push(opt.params.map((p) => p.g));
    // Every replica's gradients come from the model's kernels (SIMD: the shared memory its workers address).
    for (let t = 1; t < threads; t++)
      this.grads.push(opt.params.map((p) => m.kernels.floats(p.g.length, true)));
    // A replica's private buffers are fewer than the whole model's: room for all of them, grown here.
    m.kernels.reserve((threads - 1) * m.kernels.allocatedBytes);
    const c = opt.cfg;
    for (let t = 1; t < threads; t++) {
      const r0 = t * this.chunk;
      const init: WorkerInit = {
        index: t,
        threads,
        chunk: this.chunk,
        spec: {
          ...m.spec,
          sizes: [...sizes],
          activations: [...m.spec.activations],
          dropout: [...m.spec.dropout],
        },
        kernels: m.kernels.handle,
        loss,
        opt: {
          optimizer: c.optimizer,
          momentum: c.momentum,
          nesterov: c.nesterov,
          beta1: c.beta1,
          beta2: c.beta2,
          epsilon: c.epsilon,
          rho: c.rho,
          l2: c.l2,
          weight_decay: c.weight_decay,
        },
        W: m.W,
        b: m.b,
        M: m.M.map((M, l) => (M ? M.subarray(r0 * sizes[l + 1]!, (r0 + this.chunk) * sizes[l + 1]!) : null)),
        grads: this.grads,
        m: opt.m,
        v: opt.v,
        input: m.input.subarray(r0 * sizes[0]!, (r0 + this.chunk) * sizes[0]!),
        labels: m.labels.subarray(r0, r0 + this.chunk),
        ctrl: this.ctrl,
        num: this.num,
      };
      const w = takeWorker();
      w.postMessage(init); // shared views only: nothing is copied in bulk, nothing transferred
      this.workers.push(w);
    }
  }

  /** Starts generation `cmd` on the workers. */
  private start(cmd: number): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, CMD, cmd);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
  }

  private finish(): void {
    waitAtLeast(this.ctrl, DONE, this.threads - 1, SPINS);
    if (Atomics.load(this.ctrl, ERROR) === 1) throw new Error('a gradient worker failed (see stderr)');
  }

  run(B: number, out: LossOut): void {
    this.rows = B;
    Atomics.store(this.ctrl, ROWS, B);
    this.start(CMD_GRAD);
    forwardBackward(this.m, this.loss, Math.min(B, this.chunk), 1 / B, this.mine);
    this.finish();
    let sum = this.mine.sum;
    let correct = this.mine.correct;
    for (let t = 1; t < this.threads; t++) {
      if (t * this.chunk >= B) break; // no rows, no gradient
      sum += this.num[RES + 2 * t]!;
      correct += this.num[RES + 2 * t + 1]!;
    }
    out.sum = sum;
    out.correct = correct;
  }

  step(lr: number, gradSq: Float64Array): void {
    const opt = this.opt;
    const T = this.threads;
    opt.t++;
    this.num[LR] = lr;
    Atomics.store(this.ctrl, STEP_T, opt.t);
    this.start(CMD_STEP);
    stepSlice(opt, this.grads, 0, T, this.chunk, this.rows, lr, opt.t, this.num);
    this.finish();
    const P = opt.params.length;
    const sq = sqOffset(T);
    for (let p = 0; p < P; p++) {
      let s = this.num[sq + p]!;
      for (let t = 1; t < T; t++) s += this.num[sq + t * P + p]!;
      gradSq[p] = s;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.start(CMD_STOP);
    // Workers leave their job within one generation; wait (bounded) before pooling them again.
    const ctrl = this.ctrl;
    const deadline = performance.now() + 5000;
    for (;;) {
      const d = Atomics.load(ctrl, DONE);
      if (d >= this.threads - 1 || performance.now() > deadline) break;
      Atomics.wait(ctrl, DONE, d, 100);
    }
    const healthy = Atomics.load(ctrl, DONE) >= this.threads - 1 && Atomics.load(ctrl, ERROR) === 0;
    if (healthy) pool.push(...this.workers);
    else await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** EngineProvider running each batch over `threads` threads (this one included); 1 = no workers. */
export function threadsEngine(threads: number): EngineProvider {
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, found ${threads}`);
  return {
    shared: true,
    create: (m, loss, batchSize, opt) => {
      const T = Math.min(threads, batchSize);
      if (T === 1) return { run: (B, out) => forwardBackward(m, loss, B, 1 / B, out) };
      return new ThreadsEngine(m, loss, batchSize, opt, T);
    },
  };
}

export function createParallelTrainer(
  config: TrialConfig,
  data: Dataset,
  opts: TrainerOptions & { threads: number },
): Trainer {
  return createTrainer(config, data, { ...opts, batchEngine: threadsEngine(opts.threads) });
}

export function resumeParallelTrainer(
  config: TrialConfig,
  data: Dataset,
  state: Uint8Array,
  opts: TrainerOptions & { threads: number },
): Trainer {
  return resumeTrainer(config, data, state, { ...opts, batchEngine: threadsEngine(opts.threads) });
}
