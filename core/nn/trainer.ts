/**
 * The training loop: seeded validation split, per-epoch shuffle, mini-batch SGD-family updates,
 * per-epoch metrics, divergence detection, test evaluation, state save/restore.
 *
 * Determinism: everything random comes from one xoshiro128** stream (see prng.ts) in a fixed order;
 * all reductions run in a fixed order; so the same config, seed and data give bit-identical weights and
 * metrics (wall_s / samples_per_s aside). Math.exp/log/tanh are V8's (fdlibm ports); another JS engine
 * could in theory differ in the last bit.
 */
import type { TrialConfig } from '../config.ts';
import type { Dataset, Split } from '../dataset.ts';
import type { EpochMetrics, TestMetrics } from '../result.ts';
import { type BatchEngine, type EngineProvider, localEngine } from './batch-engine.ts';
import { EVAL_ROWS } from './budget.ts';
import type { Kernels } from './compute.ts';
import { carveValidation, gatherBatch } from './data.ts';
import { createKernels } from './engines.ts';
import type { FloatArray } from './kernels.ts';
import { type LossOut, lossForwardBackward } from './losses.ts';
import { TestCollector } from './metrics.ts';
import { type Dtype, Mlp, modelSpec } from './model.ts';
import { learningRateAt, Optimizer } from './optimizers.ts';
import { Xoshiro128ss } from './prng.ts';
import { encodeSafetensors, mlpTensors } from './safetensors.ts';
import { configHash, decodeState, encodeState, StateMismatchError } from './state.ts';

export type TrainerStatus = 'running' | 'finished' | 'diverged';

type OnRow = (row: number, P: FloatArray, o: number, label: number) => void;
/** Rows between the pauses of evaluateTestAsync (4 eval batches). */
const EVAL_YIELD_ROWS = 1024;

/** Runs a step generator to its end, without pausing. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface Trainer {
  readonly epochsDone: number;
  readonly status: TrainerStatus;
  readonly divergedReason?: string;
  readonly history: readonly EpochMetrics[];
  /**
   * Multiply-adds of the matrix products this trainer's model ran, nonzeros counted (what the sparse
   * kernels actually did; in a threaded run, the trainer thread's rows only).
   */
  readonly multiplyAdds: number;
  runEpoch(): EpochMetrics;
  /** Releases worker threads of a parallel engine (no-op otherwise). */
  close?(): Promise<void>;
  evaluateTest(topWrong?: number): TestMetrics;
  /** The same, awaiting `pause()` every few batches so I/O started before it (an upload) makes progress. */
  evaluateTestAsync(topWrong: number, pause: () => Promise<void>): Promise<TestMetrics>;
  serialize(): Uint8Array;
  safetensors(): Uint8Array;
}

export interface TrainerOptions {
  /** Clock in ms for wall_s / samples_per_s (default performance.now). */
  now?: () => number;
  /** Float32 (default, production) or Float64 (gradient checks, reference runs). */
  dtype?: Dtype;
  /**
   * Who runs each batch's kernels (default: this thread; adapters/threads: data-parallel workers). Which
   * kernels run is the config's `engine`.
   */
  batchEngine?: EngineProvider;
  /**
   * The kernels to train with instead of fresh ones of the config's engine (benchmarks that time them);
   * they must be of the config's engine and dtype, and serve this trainer only.
   */
  kernels?: Kernels;
}

/** Thrown when the data set's shape does not fit the config's input/output layer. */
export class DataMismatchError extends Error {
  readonly code = 'DATA_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'DataMismatchError';
  }
}

/** Mean cross-entropy of a batch above EXPLODE_FACTOR·ln(K) counts as exploding (chance level is ln K). */
export const EXPLODE_FACTOR = 50;

export function createTrainer(config: TrialConfig, data: Dataset, opts: TrainerOptions = {}): Trainer {
  return new MlpTrainer(config, data, opts);
}

export function resumeTrainer(
  config: TrialConfig,
  data: Dataset,
  state: Uint8Array,
  opts: TrainerOptions = {},
): Trainer {
  const { header, tensors } = decodeState(state);
  if (header.dtype !== 'f32' && header.dtype !== 'f64')
    throw new StateMismatchError(`unknown dtype ${String(header.dtype)}`);
  // States written before the engine was recorded were all trained by the scalar kernels.
  const saved = typeof header.engine === 'string' ? header.engine : 'scalar';
  if (saved !== config.engine) {
    throw new StateMismatchError(
      `engine: the checkpoint was trained with engine "${saved}" but this trial's config asks for "${config.engine}"; ` +
        `the engines round differently, so a resumed run would not continue the same training — resume with engine "${saved}", or start the trial afresh`,
    );
  }
  const t = new MlpTrainer(config, data, { ...opts, dtype: header.dtype as Dtype });
  t.restore(header, tensors);
  return t;
}

const dataFingerprint = (d: Dataset) => `${d.name}@${d.version}:${d.train.count}/${d.test.count}`;

class MlpTrainer implements Trainer {
  epochsDone = 0;
  status: TrainerStatus = 'running';
  divergedReason?: string;
  history: EpochMetrics[] = [];
  private readonly now: () => number;
  private readonly rng: Xoshiro128ss;
  private readonly kernels: Kernels;
  private readonly model: Mlp;
  private readonly opt: Optimizer;
  private readonly trainIdx: Uint32Array;
  private readonly valIdx: Uint32Array;
  private readonly order: Uint32Array;
  private readonly engine: BatchEngine;
  private readonly lossOut: LossOut = { sum: 0, correct: 0 };
  private readonly hash: string;
  /** Σ g² per param of the last step (W0, b0, W1, …). */
  private readonly gradSq: Float64Array;

  constructor(
    readonly config: TrialConfig,
    readonly data: Dataset,
    opts: TrainerOptions,
  ) {
    const sizes = config.layers;
    if (sizes[0] !== data.rows * data.cols) {
      throw new DataMismatchError(
        `layers[0] is ${sizes[0]} but ${data.name} has ${data.rows}×${data.cols} = ${data.rows * data.cols} inputs`,
      );
    }
    if (sizes[sizes.length - 1] !== data.classes) {
      throw new DataMismatchError(
        `the output layer has ${sizes[sizes.length - 1]} units but ${data.name} has ${data.classes} classes`,
      );
    }
    this.now = opts.now ?? (() => performance.now());
    this.hash = configHash(config);
    this.rng = new Xoshiro128ss(config.seed);
    const split = carveValidation(data.train.count, config.validation_split, this.rng);
    this.trainIdx = split.train;
    this.valIdx = split.val;
    this.order = new Uint32Array(this.trainIdx.length);
    const rows = Math.max(config.batch_size, EVAL_ROWS);
    const batches = opts.batchEngine ?? localEngine;
    const dtype = opts.dtype ?? 'f32';
    this.kernels = opts.kernels ?? createKernels(config.engine, dtype, sizes);
    if (this.kernels.engine !== config.engine || this.kernels.dtype !== dtype)
      throw new Error(
        `kernels: expected ${config.engine} ${dtype} kernels (the config's engine), found ${this.kernels.engine} ${this.kernels.dtype}`,
      );
    this.model = new Mlp(modelSpec(config, data.pixelMean, data.pixelStd), this.kernels, rows, {
      shared: batches.shared,
    });
    this.model.init(config.init, this.rng);
    this.opt = new Optimizer(config, this.model.params(), this.kernels, { shared: batches.shared });
    this.engine = batches.create(this.model, config.loss, config.batch_size, this.opt);
    this.gradSq = new Float64Array(2 * this.model.L);
  }

  runEpoch(): EpochMetrics {
    if (this.status !== 'running') throw new Error(`cannot run an epoch: trainer is ${this.status}`);
    const c = this.config;
    const m = this.model;
    const L = m.L;
    const K = c.layers[L]!;
    const e = this.epochsDone;
    const lr = learningRateAt(c, e);
    const t0 = this.now();
    const hasDropout = m.M.some((x) => x !== null);
    const explodeAt = EXPLODE_FACTOR * Math.log(K);
    this.order.set(this.trainIdx);
    this.rng.shuffle(this.order);
    const n = this.order.length;
    const gradSums = new Array<number>(L).fill(0);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batches = 0;
    for (let start = 0, batch = 1; start < n; start += c.batch_size, batch++) {
      const B = Math.min(c.batch_size, n - start);
      gatherBatch(
        this.data.train,
        this.order,
        start,
        B,
        this.data.rows,
        this.data.cols,
        c.augment_shift,
        this.rng,
        m.input,
        m.labels,
      );
      if (hasDropout) m.drawMasks(B, this.rng);
      this.engine.run(B, this.lossOut);
      const dataLoss = this.lossOut.sum / B;
      let penalty = 0;
      if (c.l2 > 0) for (let l = 0; l < L; l++) penalty += 0.5 * c.l2 * this.normSq(m.W[l]!);
      lossSum += (dataLoss + penalty) * B;
      correct += this.lossOut.correct;
      seen += B;
      if (!Number.isFinite(dataLoss) || (c.loss === 'cross_entropy' && dataLoss > explodeAt)) {
        this.diverge(
          Number.isFinite(dataLoss)
            ? `loss exploded to ${dataLoss.toPrecision(4)} (> ${explodeAt.toPrecision(4)}) at epoch ${e + 1} batch ${batch}`
            : `loss is ${dataLoss} at epoch ${e + 1} batch ${batch}`,
        );
        break;
      }
      if (this.engine.step) this.engine.step(lr, this.gradSq);
      else this.opt.step(lr, this.gradSq);
      for (let l = 0; l < L; l++) gradSums[l]! += Math.sqrt(this.gradSq[2 * l]!);
      batches++;
    }
    const val =
      this.valIdx.length > 0
        ? this.evaluate(this.data.train, this.valIdx, null)
        : { loss: Number.NaN, accuracy: Number.NaN };
    const weightNorms = m.W.map((w) => Math.sqrt(this.normSq(w)));
    if (this.status === 'running' && !weightNorms.every(Number.isFinite)) {
      this.diverge(`weights are not finite after epoch ${e + 1}`);
    }
    const wall = (this.now() - t0) / 1000;
    const metrics: EpochMetrics = {
      epoch: e + 1,
      train_loss: seen ? lossSum / seen : Number.NaN,
      train_accuracy: seen ? correct / seen : Number.NaN,
      val_loss: val.loss,
      val_accuracy: val.accuracy,
      learning_rate: lr,
      wall_s: wall,
      samples_per_s: wall > 0 ? seen / wall : 0,
      weight_norms: weightNorms,
      grad_norms: gradSums.map((s) => (batches ? s / batches : 0)),
    };
    this.history.push(metrics);
    this.epochsDone++;
    if (this.status === 'running' && this.epochsDone >= c.epochs) this.status = 'finished';
    return metrics;
  }

  async close(): Promise<void> {
    await this.engine.close?.();
  }

  get multiplyAdds(): number {
    return this.model.multiplyAdds;
  }

  private normSq(x: FloatArray): number {
    return this.kernels.sumSquares(x, x.length);
  }

  private diverge(reason: string): void {
    this.status = 'diverged';
    this.divergedReason = reason;
  }

  /** Mean data loss and accuracy over split[idx] (all of split when idx is null), in eval mode. */
  private evaluate(split: Split, idx: Uint32Array | null, onRow: OnRow | null) {
    return drain(this.evaluateSteps(split, idx, onRow));
  }

  /** `evaluate` as a generator that yields after every EVAL_YIELD_ROWS rows. */
  private *evaluateSteps(split: Split, idx: Uint32Array | null, onRow: OnRow | null) {
    const m = this.model;
    const K = this.config.layers[m.L]!;
    const ids = idx ?? Uint32Array.from({ length: split.count }, (_, i) => i);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < ids.length; start += m.rows) {
      const B = Math.min(m.rows, ids.length - start);
      gatherBatch(split, ids, start, B, this.data.rows, this.data.cols, 0, null, m.input, m.labels);
      const logits = m.forward(B, false);
      lossForwardBackward(this.config.loss, logits, m.labels, B, K, m.P, null, 1, this.lossOut);
      loss += this.lossOut.sum;
      correct += this.lossOut.correct;
      if (onRow) for (let r = 0; r < B; r++) onRow(start + r, m.P, r * K, m.labels[r]!);
      if ((start + B) % EVAL_YIELD_ROWS < B) yield;
    }
    return { loss: loss / ids.length, accuracy: correct / ids.length };
  }

  evaluateTest(topWrong = 10): TestMetrics {
    const c = new TestCollector(this.data.test.count, this.config.layers[this.model.L]!);
    return c.finish(drain(this.evaluateSteps(this.data.test, null, c.onRow)), topWrong, this.testPixels);
  }

  async evaluateTestAsync(topWrong: number, pause: () => Promise<void>): Promise<TestMetrics> {
    const c = new TestCollector(this.data.test.count, this.config.layers[this.model.L]!);
    const steps = this.evaluateSteps(this.data.test, null, c.onRow);
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) return c.finish(r.value, topWrong, this.testPixels);
      await pause();
    }
  }

  private readonly testPixels = (i: number): Uint8Array => {
    const D = this.data.rows * this.data.cols;
    return this.data.test.images.slice(i * D, (i + 1) * D);
  };

  safetensors(): Uint8Array {
    const c = this.config;
    return encodeSafetensors(mlpTensors(c.layers, this.model.W, this.model.b), {
      format: 'pt',
      layers: c.layers.join('-'),
      activation: Array.isArray(c.activation) ? c.activation.join(',') : c.activation,
      output: 'softmax',
      normalize: c.normalize,
      config_sha256: this.hash,
      epochs: String(this.epochsDone),
    });
  }

  serialize(): Uint8Array {
    const m = this.model;
    return encodeState(
      {
        config_hash: this.hash,
        data: dataFingerprint(this.data),
        engine: this.kernels.engine,
        dtype: m.dtype,
        epochs_done: this.epochsDone,
        status: this.status,
        diverged_reason: this.divergedReason ?? null,
        step: this.opt.t,
        prng: this.rng.getState(),
        history: this.history,
      },
      [...m.W, ...m.b, ...this.opt.stateTensors()],
    );
  }

  /** Loads a decoded state into this freshly constructed trainer. */
  restore(h: Record<string, unknown>, tensors: FloatArray[]): void {
    if (h.config_hash !== this.hash)
      throw new StateMismatchError('state was saved for a different config (config hash differs)');
    if (h.data !== dataFingerprint(this.data)) {
      throw new StateMismatchError(
        `state was saved for data ${String(h.data)}, not ${dataFingerprint(this.data)}`,
      );
    }
    const m = this.model;
    const targets = [...m.W, ...m.b, ...this.opt.stateTensors()];
    if (tensors.length !== targets.length || tensors.some((t, i) => t.length !== targets[i]!.length)) {
      throw new StateMismatchError('state tensors do not match the model shape');
    }
    targets.forEach((t, i) => {
      t.set(tensors[i]!);
    });
    this.opt.t = h.step as number;
    const s = h.prng as [number, number, number, number];
    this.rng.setState(s);
    this.epochsDone = h.epochs_done as number;
    this.status = h.status as TrainerStatus;
    if (typeof h.diverged_reason === 'string') this.divergedReason = h.diverged_reason;
    this.history = h.history as EpochMetrics[];
  }
}
