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
import type { Dataset, LoadedDataset } from '../dataset.ts';
import type { AnyTestMetrics, EpochMetrics, TestMetrics } from '../result.ts';
import { type BatchEngine, type EngineProvider, localEngine, outputLoss } from './batch-engine.ts';
import { EVAL_ROWS } from './budget.ts';
import type { Kernels } from './compute.ts';
import { carveValidation } from './data.ts';
import { createKernels } from './engines.ts';
import { DataMismatchError, mismatch } from './fit.ts';
import type { FloatArray } from './kernels.ts';
import { huber, type LossOut } from './losses.ts';
import { TestCollector } from './metrics.ts';
import { type Dtype, Mlp, modelSpec } from './model.ts';
import { learningRateAt, Optimizer } from './optimizers.ts';
import { Xoshiro128ss } from './prng.ts';
import { RegressionCollector, type RegressionErrors, RegressionStats } from './regression.ts';
import { type SplitRows, type TrainingSet, trainingSet } from './rows.ts';
import { encodeSafetensors, mlpTensors } from './safetensors.ts';
import { configHash, decodeState, encodeState, StateMismatchError } from './state.ts';

export { DataMismatchError } from './fit.ts';

export type TrainerStatus = 'running' | 'finished' | 'diverged';

/** A row's output: the softmax row P[o..o+K) and the class id, or the prediction Z[o] and the target. */
type OnRow = (row: number, out: FloatArray, o: number, label: number) => void;
/** Rows between the pauses of evaluateTestAsync (4 eval batches). */
const EVAL_YIELD_ROWS = 1024;

/** Runs a step generator to its end, without pausing. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface Trainer<T extends AnyTestMetrics = AnyTestMetrics> {
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
  /** Test metrics (a regression's `topWrong` is its count of worst rows). */
  evaluateTest(topWrong?: number): T;
  /** The same, awaiting `pause()` every few batches so I/O started before it (an upload) makes progress. */
  evaluateTestAsync(topWrong: number, pause: () => Promise<void>): Promise<T>;
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

/**
 * A batch's mean data loss above EXPLODE_FACTOR × a reference counts as exploding. Cross-entropy: ln K
 * (chance level). Regression: the loss of predicting the training mean for the training target farthest
 * from it (at least one standard deviation away) — a loss 50 times that means predictions far outside
 * anything in the data. (Softmax + MSE is bounded: only non-finite losses count.)
 */
export const EXPLODE_FACTOR = 50;

/** The loss a batch must exceed to count as exploding (Infinity: none). */
function explodeLimit(config: TrialConfig, set: TrainingSet): number {
  if (set.target) {
    const z = Math.max(1, set.target.maxAbs);
    return EXPLODE_FACTOR * (config.loss === 'huber' ? huber(z) : z * z);
  }
  return config.loss === 'cross_entropy' ? EXPLODE_FACTOR * Math.log(set.outputs) : Number.POSITIVE_INFINITY;
}

/** What a trainer's test evaluation gives for a data set: an image set's is a classification's. */
export type TestOf<D extends LoadedDataset> = D extends Dataset ? TestMetrics : AnyTestMetrics;

export function createTrainer<D extends LoadedDataset>(
  config: TrialConfig,
  data: D,
  opts: TrainerOptions = {},
): Trainer<TestOf<D>> {
  return new MlpTrainer(config, data, opts) as Trainer<TestOf<D>>;
}

export function resumeTrainer<D extends LoadedDataset>(
  config: TrialConfig,
  data: D,
  state: Uint8Array,
  opts: TrainerOptions = {},
): Trainer<TestOf<D>> {
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
  return t as Trainer<TestOf<D>>;
}

const dataFingerprint = (d: TrainingSet) => `${d.name}@${d.version}:${d.train.count}/${d.test.count}`;

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
  private readonly set: TrainingSet;
  private readonly explodeAt: number;
  private readonly lossOut: LossOut = { sum: 0, correct: 0 };
  private readonly hash: string;
  /** Σ g² per param of the last step (W0, b0, W1, …). */
  private readonly gradSq: Float64Array;

  constructor(
    readonly config: TrialConfig,
    data: LoadedDataset,
    opts: TrainerOptions,
  ) {
    const sizes = config.layers;
    this.set = trainingSet(data);
    const problem = mismatch(config, this.set);
    if (problem) throw new DataMismatchError(problem);
    this.explodeAt = explodeLimit(config, this.set);
    this.now = opts.now ?? (() => performance.now());
    this.hash = configHash(config);
    this.rng = new Xoshiro128ss(config.seed);
    const split = carveValidation(this.set.train.count, config.validation_split, this.rng);
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
    this.model = new Mlp(modelSpec(config, this.set.shape), this.kernels, rows, {
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
    const e = this.epochsDone;
    const lr = learningRateAt(c, e);
    const t0 = this.now();
    const hasDropout = m.M.some((x) => x !== null);
    const explodeAt = this.explodeAt;
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
      this.set.train.gather(m, this.order, start, B, c.augment_shift, this.rng);
      if (hasDropout) m.drawMasks(B, this.rng);
      this.engine.run(B, this.lossOut);
      const dataLoss = this.lossOut.sum / B;
      let penalty = 0;
      if (c.l2 > 0) for (let l = 0; l < L; l++) penalty += 0.5 * c.l2 * this.normSq(m.W[l]!);
      lossSum += (dataLoss + penalty) * B;
      correct += this.lossOut.correct;
      seen += B;
      if (!Number.isFinite(dataLoss) || dataLoss > explodeAt) {
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
        ? this.evaluate(this.set.train, this.valIdx, null)
        : {
            loss: Number.NaN,
            accuracy: Number.NaN,
            errors: this.set.target ? new RegressionStats().errors(1) : undefined,
          };
    const weightNorms = m.W.map((w) => Math.sqrt(this.normSq(w)));
    if (this.status === 'running' && !weightNorms.every(Number.isFinite)) {
      this.diverge(`weights are not finite after epoch ${e + 1}`);
    }
    const wall = (this.now() - t0) / 1000;
    const metrics: EpochMetrics = {
      epoch: e + 1,
      train_loss: seen ? lossSum / seen : Number.NaN,
      train_accuracy: seen && !this.set.target ? correct / seen : Number.NaN,
      val_loss: val.loss,
      val_accuracy: val.accuracy,
      ...(val.errors ? { val_rmse: val.errors.rmse, val_mae: val.errors.mae, val_r2: val.errors.r2 } : {}),
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

  /**
   * Mean data loss and accuracy (a regression: NaN, and its errors in the target's units) over split[idx]
   * (all of split when idx is null), in eval mode.
   */
  private evaluate(split: SplitRows, idx: Uint32Array | null, onRow: OnRow | null) {
    return drain(this.evaluateSteps(split, idx, onRow));
  }

  /** `evaluate` as a generator that yields after every EVAL_YIELD_ROWS rows. */
  private *evaluateSteps(split: SplitRows, idx: Uint32Array | null, onRow: OnRow | null) {
    const m = this.model;
    const K = this.config.layers[m.L]!;
    const target = this.set.target;
    const stats = target ? new RegressionStats() : null;
    const ids = idx ?? Uint32Array.from({ length: split.count }, (_, i) => i);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < ids.length; start += m.rows) {
      const B = Math.min(m.rows, ids.length - start);
      split.gather(m, ids, start, B, 0, null);
      const z = m.forward(B, false);
      outputLoss(m, this.config.loss, z, B, null, 1, this.lossOut);
      loss += this.lossOut.sum;
      correct += this.lossOut.correct;
      // A regression has one output (mismatch() checked): row r's prediction is z[r], its target targets[r].
      const t = m.targets;
      if (stats && t) for (let r = 0; r < B; r++) stats.add(z[r]!, t[r]!);
      if (onRow) {
        if (t) for (let r = 0; r < B; r++) onRow(start + r, z, r, t[r]!);
        else for (let r = 0; r < B; r++) onRow(start + r, m.P, r * K, m.labels[r]!);
      }
      if ((start + B) % EVAL_YIELD_ROWS < B) yield;
    }
    const n = ids.length;
    const errors: RegressionErrors | undefined = stats && target ? stats.errors(target.std) : undefined;
    return { loss: loss / n, accuracy: stats ? Number.NaN : correct / n, errors };
  }

  evaluateTest(topWrong = 10): AnyTestMetrics {
    return drain(this.testSteps(topWrong));
  }

  async evaluateTestAsync(topWrong: number, pause: () => Promise<void>): Promise<AnyTestMetrics> {
    const steps = this.testSteps(topWrong);
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) return r.value;
      await pause();
    }
  }

  /** The test pass, collected by task, as a generator (yields as evaluateSteps does). */
  private *testSteps(topWrong: number): Generator<void, AnyTestMetrics> {
    const set = this.set;
    if (set.target) {
      const c = new RegressionCollector(set.test.count, set.target);
      const { loss } = yield* this.evaluateSteps(set.test, null, c.onRow);
      return c.finish(loss, topWrong);
    }
    const c = new TestCollector(set.test.count, this.config.layers[this.model.L]!);
    const done = yield* this.evaluateSteps(set.test, null, c.onRow);
    return c.finish(done, topWrong, set.testPixels, set.classNames);
  }

  safetensors(): Uint8Array {
    const c = this.config;
    const t = this.set.target;
    return encodeSafetensors(mlpTensors(c.layers, this.model.W, this.model.b), {
      format: 'pt',
      layers: c.layers.join('-'),
      activation: Array.isArray(c.activation) ? c.activation.join(',') : c.activation,
      output: t ? 'linear' : 'softmax',
      // Images: how pixels become inputs; tables: their inputs are the prepared features (the manifest's recipe).
      ...(this.set.kind === 'image' ? { normalize: c.normalize } : { input: 'prepared features' }),
      // A regression predicts the standardised target: y = output·target_std + target_mean.
      ...(t ? { target: t.name, target_mean: String(t.mean), target_std: String(t.std) } : {}),
      config_sha256: this.hash,
      epochs: String(this.epochsDone),
    });
  }

  serialize(): Uint8Array {
    const m = this.model;
    return encodeState(
      {
        config_hash: this.hash,
        data: dataFingerprint(this.set),
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
    if (h.data !== dataFingerprint(this.set)) {
      throw new StateMismatchError(
        `state was saved for data ${String(h.data)}, not ${dataFingerprint(this.set)}`,
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
