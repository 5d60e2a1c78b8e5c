/**
 * Test helper: a seeded synthetic sweep with realistic TrialResults (no Math.random). Accuracy is a
 * smooth function of the hyperparameters (a learning-rate optimum per optimizer, capacity, activation) plus
 * seeded noise; too-large learning rates diverge, weak trials get pruned by an ASHA-like rule, a few fail
 * or are skipped. Confidently-wrong images come from a real data set when one is given.
 */
import { parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { base64Encode } from '../../core/report/png.ts';
import type { ReportSweep } from '../../core/report/types.ts';
import type {
  ClassReport,
  ConfidentlyWrong,
  EpochMetrics,
  TestMetrics,
  TrialResult,
} from '../../core/result.ts';
import type { TrialState } from '../../core/trial-state.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Real MNIST test-set class supports. */
const SUPPORT = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
/** The classic confusions (true → predicted). */
const CONFUSE: Record<number, number[]> = {
  0: [6, 5],
  1: [7, 8],
  2: [7, 8],
  3: [5, 8],
  4: [9, 6],
  5: [3, 8],
  6: [0, 5],
  7: [2, 9],
  8: [3, 5],
  9: [4, 7],
};

function classReport(confusion: number[][]): TestMetrics['report'] {
  const k = confusion.length;
  const perClass: ClassReport[] = [];
  let total = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const row = confusion[c]!;
    const support = row.reduce((s, x) => s + x, 0);
    const tp = row[c]!;
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r]![c]!;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support });
    total += support;
    correct += tp;
  }
  const avg = (w: (c: ClassReport) => number): ClassReport => {
    const ws = perClass.map(w);
    const sw = ws.reduce((s, x) => s + x, 0);
    const m = (f: (c: ClassReport) => number) => perClass.reduce((s, c, i) => s + f(c) * ws[i]!, 0) / sw;
    return {
      precision: m((c) => c.precision),
      recall: m((c) => c.recall),
      f1: m((c) => c.f1),
      support: total,
    };
  };
  return { perClass, accuracy: correct / total, macro: avg(() => 1), weighted: avg((c) => c.support) };
}

/** A ring-shaped stand-in digit when no data set is given. */
function fakeDigit(label: number): Uint8Array {
  const px = new Uint8Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const d = Math.hypot(x - 14, y - 14);
      if (Math.abs(d - 6 - (label % 3)) < 1.6) px[y * 28 + x] = 230;
    }
  return px;
}

export interface SyntheticOptions {
  trials: number;
  seed?: number;
  /** Source of real pixels for the confidently-wrong images. */
  dataset?: Dataset;
  epochs?: number;
  /** Share of trials that fail / are skipped (default .03 / .02). */
  failRate?: number;
  skipRate?: number;
}

export function syntheticSweep(opts: SyntheticOptions): { sweep: ReportSweep; results: TrialResult[] } {
  const rnd = mulberry32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const epochs = opts.epochs ?? 8;
  const failRate = opts.failRate ?? 0.03;
  const skipRate = opts.skipRate ?? 0.02;
  const sweepId = `synthetic-${opts.trials}`;
  const t0 = Date.parse('2025-06-01T12:00:00Z');
  const concurrency = 50;
  const ds = opts.dataset;
  const byLabel: number[][] = Array.from({ length: 10 }, () => []);
  if (ds) for (let i = 0; i < ds.test.count; i++) byLabel[ds.test.labels[i]!]!.push(i);

  const results: TrialResult[] = [];
  let lastFinish = t0;
  for (let i = 0; i < opts.trials; i++) {
    const logLr = -4 + rnd() * 3.3;
    const optimizer = pick(['adam', 'sgd', 'rmsprop'] as const);
    const layers = pick([
      [784, 64, 10],
      [784, 128, 64, 10],
      [784, 256, 128, 10],
    ]);
    const activation = pick(['relu', 'tanh'] as const);
    const batch = pick([32, 64, 128, 256]);
    const dropout = pick([0, 0.2]);
    const parsed = parseTrialConfig({
      layers,
      activation,
      optimizer,
      learning_rate: Number((10 ** logLr).toPrecision(3)),
      batch_size: batch,
      dropout,
      epochs,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config: TrialConfig = parsed.value;
    const best = optimizer === 'sgd' ? -1.3 : -2.9;
    const capacity = layers[1] === 64 ? -0.012 : layers[1] === 128 ? -0.003 : 0;
    const quality = Math.min(
      0.992,
      0.985 - 0.045 * (logLr - best) ** 2 + capacity - (activation === 'tanh' ? 0.006 : 0) + 0.003 * gauss(),
    );
    const finalAcc = Math.max(0.11, quality);
    const diverges = logLr - best > 1.25;
    const u = rnd();
    let state: TrialState = 'completed';
    let reason: string | undefined;
    let runEpochs = epochs;
    if (u < failRate) {
      state = 'failed';
      runEpochs = Math.floor(rnd() * 3);
      reason = pick([
        'Task timed out after 900.00 seconds (3 continuations exhausted)',
        'Runtime exited with error: signal: killed (out of memory at 2048 MB)',
        'S3 GetObject datasets/mnist/v1/shard-00003.bin: <Error>SlowDown</Error> after 5 retries',
      ]);
    } else if (u < failRate + skipRate) {
      state = 'skipped';
      runEpochs = 0;
      reason = 'sweep cancelled before the trial started';
    } else if (diverges) {
      state = 'diverged';
      runEpochs = 1 + Math.floor(rnd() * 2);
      reason = `loss became NaN at epoch ${runEpochs} (learning_rate ${config.learning_rate})`;
    } else if (finalAcc < 0.95 && rnd() < 0.8) {
      state = 'pruned';
      runEpochs = rnd() < 0.6 ? 2 : 4;
      reason = `ASHA rung ${runEpochs === 2 ? 0 : 1}: val_accuracy below the top third of its rung`;
    }

    const sps = Math.round(
      (layers[1] === 64 ? 42000 : layers[1] === 128 ? 21000 : 9500) *
        (0.55 + batch / 512) *
        (0.9 + 0.2 * rnd()),
    );
    const trainN = 54000;
    const history: EpochMetrics[] = [];
    const w0 = layers.slice(1).map((n, l) => Math.sqrt((layers[l]! * n * 2) / (layers[l]! + n)) * 0.55);
    const speed = 0.45 + 0.35 * rnd();
    for (let ep = 1; ep <= runEpochs; ep++) {
      const nan = state === 'diverged' && ep === runEpochs;
      const acc = nan
        ? 0.098
        : finalAcc - (finalAcc - 0.62) * Math.exp(-speed * (ep + 0.4)) + 0.002 * gauss();
      const valAcc = Math.min(0.995, Math.max(0.05, acc));
      const valLoss = nan ? Number.NaN : 0.035 + (1 - valAcc) * 2.6 * (1 + 0.05 * gauss());
      history.push({
        epoch: ep,
        train_loss: nan ? Number.NaN : valLoss * 0.85,
        train_accuracy: Math.min(0.999, valAcc + 0.006),
        val_loss: valLoss,
        val_accuracy: valAcc,
        learning_rate: config.learning_rate,
        wall_s: trainN / sps,
        samples_per_s: sps,
        weight_norms: w0.map((w) => w * (1 + 0.25 * Math.log1p(ep) * (1 + logLr / 5))),
        grad_norms: w0.map((_, l) =>
          nan ? 1e6 : (0.9 / (l + 1)) * Math.exp(-0.35 * ep) * (1 + 0.1 * rnd()),
        ),
      });
    }
    const wall =
      state === 'skipped' ? 0 : history.reduce((s, e) => s + e.wall_s, 0) + (state === 'failed' ? 30 : 2);
    const billedMs = state === 'skipped' ? 0 : Math.ceil(wall * 1000 + 350);
    const memoryMb = 2048;
    const invocations = state === 'skipped' ? 0 : 1 + Math.floor(wall / 900);
    const cost = (billedMs / 1000) * (memoryMb / 1024) * 0.0000133334 + invocations * 0.0000002;
    const start = t0 + Math.floor(i / concurrency) * 75_000 + Math.floor(rnd() * 5000);
    const finish = start + Math.round(wall * 1000);
    lastFinish = Math.max(lastFinish, finish);
    const last = history[history.length - 1];

    let test: TestMetrics | undefined;
    if (state === 'completed') {
      const confusion = SUPPORT.map((n, c) => {
        const row = new Array<number>(10).fill(0);
        const classAcc = Math.min(
          0.998,
          Math.max(0.05, finalAcc + (c === 1 || c === 0 ? 0.008 : c === 8 || c === 9 ? -0.01 : 0)),
        );
        const correct = Math.round(n * classAcc);
        row[c] = correct;
        let wrong = n - correct;
        const [a, b] = CONFUSE[c]!;
        const wa = Math.round(wrong * 0.45);
        const wb = Math.round(wrong * 0.25);
        row[a!] = row[a!]! + wa;
        row[b!] = row[b!]! + wb;
        wrong -= wa + wb;
        while (wrong > 0) {
          const j = Math.floor(rnd() * 10);
          if (j === c) continue;
          row[j] = row[j]! + 1;
          wrong--;
        }
        return row;
      });
      const report = classReport(confusion);
      const wrongs: ConfidentlyWrong[] = [];
      for (let k = 0; k < 12; k++) {
        const label = pick([4, 9, 7, 2, 3, 5, 8, 6]);
        const predicted = CONFUSE[label]![k % 2]!;
        const pool = byLabel[label]!;
        const index = pool.length > 0 ? pool[Math.floor(rnd() * pool.length)]! : i * 12 + k;
        const px = ds ? ds.test.images.subarray(index * 784, (index + 1) * 784) : fakeDigit(label);
        wrongs.push({
          index,
          label,
          predicted,
          probability: 0.999 - k * 0.012 - 0.01 * rnd(),
          pixels_b64: base64Encode(px),
        });
      }
      test = {
        accuracy: report.accuracy,
        loss: 0.03 + (1 - report.accuracy) * 2.5,
        confusion,
        report,
        confidently_wrong: wrongs,
      };
    }
    const r: TrialResult = {
      sweep_id: sweepId,
      trial_id: `t${String(i).padStart(4, '0')}`,
      index: i,
      config,
      state,
      epochs_run: runEpochs,
      history,
      wall_s: wall,
      samples_per_s: state === 'skipped' ? 0 : sps,
      billed_ms: billedMs,
      memory_mb: memoryMb,
      cost_usd: cost,
      invocations,
      started_at: new Date(start).toISOString(),
      finished_at: new Date(finish).toISOString(),
      worker: `worker-${i % concurrency}`,
    };
    if (reason !== undefined) r.reason = reason;
    if (last) {
      r.train_accuracy = last.train_accuracy;
      r.val_accuracy = last.val_accuracy;
      r.val_loss = last.val_loss;
    }
    if (test) {
      r.test = test;
      r.test_accuracy = test.accuracy;
      r.test_loss = test.loss;
    }
    if (state === 'completed' || state === 'pruned')
      r.weights_key = `sweeps/${sweepId}/trials/${r.trial_id}/weights.safetensors`;
    results.push(r);
  }
  const sweep: ReportSweep = {
    sweep_id: sweepId,
    name: `Synthetic MNIST sweep (${opts.trials} trials)`,
    metric: { name: 'val_accuracy', goal: 'maximize' },
    parameters: {
      learning_rate: { distribution: 'log_uniform', min: 1e-4, max: 0.2 },
      optimizer: ['adam', 'sgd', 'rmsprop'],
      layers: ['784-64-10', '784-128-64-10', '784-256-128-10'],
      activation: ['relu', 'tanh'],
      batch_size: [32, 64, 128, 256],
      dropout: [0, 0.2],
    },
    started_at: new Date(t0).toISOString(),
    finished_at: new Date(lastFinish).toISOString(),
    dataset: { name: 'mnist', version: 'v1' },
  };
  return { sweep, results };
}

/** A minimal hand-made result for exact tests: config defaults + overrides, metrics as given. */
export function makeResult(
  p: {
    trial_id: string;
    index?: number;
    state?: TrialState;
    val_accuracy?: number;
    val_loss?: number;
    test_accuracy?: number;
    cost_usd?: number;
    wall_s?: number;
    reason?: string;
    epochs_run?: number;
    history?: EpochMetrics[];
  },
  config: Record<string, unknown> = {},
): TrialResult {
  const parsed = parseTrialConfig(config);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const r: TrialResult = {
    sweep_id: 's1',
    trial_id: p.trial_id,
    index: p.index ?? 0,
    config: parsed.value,
    state: p.state ?? 'completed',
    epochs_run: p.epochs_run ?? p.history?.length ?? 5,
    history: p.history ?? [],
    wall_s: p.wall_s ?? 10,
    samples_per_s: 5000,
    billed_ms: 10_000,
    memory_mb: 2048,
    cost_usd: p.cost_usd ?? 0.001,
    invocations: 1,
    started_at: '2025-06-01T12:00:00.000Z',
    finished_at: '2025-06-01T12:00:10.000Z',
  };
  if (p.val_accuracy !== undefined) r.val_accuracy = p.val_accuracy;
  if (p.val_loss !== undefined) r.val_loss = p.val_loss;
  if (p.test_accuracy !== undefined) r.test_accuracy = p.test_accuracy;
  if (p.reason !== undefined) r.reason = p.reason;
  return r;
}

/** One epoch of history with the given validation metrics (other fields plausible). */
export function epoch(n: number, val_accuracy: number, val_loss: number, layers = 2): EpochMetrics {
  return {
    epoch: n,
    train_loss: val_loss * 0.9,
    train_accuracy: val_accuracy,
    val_loss,
    val_accuracy,
    learning_rate: 0.001,
    wall_s: 2,
    samples_per_s: 20000,
    weight_norms: Array.from({ length: layers }, (_, i) => 5 + n + i),
    grad_norms: Array.from({ length: layers }, (_, i) => 1 / (n + i)),
  };
}
