/**
 * `npm run bench -- memory [--json] [--net 784-500-250-100-10] [--epochs 1] [--batch 64] [--samples N]
 *   [--engine simd|scalar]` (default: the config's default engine)
 *
 * Worker peak RSS while training: a child process (the worker's situation: one process, one trial) loads
 * full MNIST (60,000 training + 10,000 test digits from /work/shared/data/mnist via `loadIdxDirectory`,
 * else mnist-mini with a notice), trains the net with Adam for --epochs, evaluates the test set, and
 * reports `process.resourceUsage().maxRSS` (KB) at the end. Goal: ≤ 400 MB for 784-500-250-100-10. The
 * line also carries the trainer's own estimate (`estimateTrainingBytes`) + the data set's bytes, for
 * comparison, and the child's baseline RSS after loading the modules and the data.
 *
 * Child mode (also used to run a single long config, e.g. the mnist-best run in BENCHMARKS.md):
 *   node --import tsx scripts/bench/memory.ts --child --config '<trial config JSON>' [--data-dir DIR]
 *     [--samples N] [--progress]
 * prints one JSON line: config, per-epoch history (val accuracy, wall), test accuracy/loss, wall_s,
 * max_rss_kb, baseline_rss_kb.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadIdxDirectory } from '../../adapters/data/idx-files.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { parseTrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { createTrainer, estimateTrainingBytes } from '../../core/nn/index.ts';

const MNIST_DIR = fileURLToPath(new URL('../../../shared/data/mnist/', import.meta.url));
const GOAL_MB = 400;

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function loadData(dir: string, samples?: number): Promise<{ data: Dataset; source: string }> {
  let data: Dataset;
  let source: string;
  if (existsSync(dir)) {
    data = await loadIdxDirectory(dir, { name: 'mnist' });
    source = `mnist (${data.train.count} train / ${data.test.count} test, ${dir})`;
  } else {
    data = loadMnistMini();
    source = `mnist-mini (${data.train.count} train / ${data.test.count} test) — NOTICE: ${dir} not found, figures are not full-MNIST figures`;
  }
  if (samples !== undefined && samples < data.train.count) {
    const n = samples;
    data = {
      ...data,
      train: {
        images: data.train.images.subarray(0, n * 784),
        labels: data.train.labels.subarray(0, n),
        count: n,
      },
    };
  }
  return { data, source };
}

/** The child: train one config, print one JSON line. */
async function child(args: string[]): Promise<void> {
  const cfgText = opt(args, 'config') ?? '{}';
  const parsed = parseTrialConfig(JSON.parse(cfgText));
  if (!parsed.ok) {
    console.error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    process.exitCode = 2;
    return;
  }
  const config = parsed.value;
  const samples = opt(args, 'samples');
  const progress = args.includes('--progress');
  const t0 = performance.now();
  const { data, source } = await loadData(
    opt(args, 'data-dir') ?? MNIST_DIR,
    samples ? Number(samples) : undefined,
  );
  const loadS = (performance.now() - t0) / 1000;
  const baselineKb = Math.round(process.memoryUsage().rss / 1024);
  const trainer = createTrainer(config, data);
  const history: { epoch: number; val_accuracy: number; train_loss: number; wall_s: number }[] = [];
  const t1 = performance.now();
  while (trainer.status === 'running') {
    const m = trainer.runEpoch();
    history.push({
      epoch: m.epoch,
      val_accuracy: m.val_accuracy,
      train_loss: m.train_loss,
      wall_s: m.wall_s,
    });
    if (progress)
      console.error(
        `epoch ${m.epoch}/${config.epochs}: val_acc ${m.val_accuracy.toFixed(4)} loss ${m.train_loss.toFixed(4)} ${m.wall_s.toFixed(1)} s`,
      );
  }
  const test = trainer.status === 'finished' ? trainer.evaluateTest(0) : undefined;
  const wall = (performance.now() - t1) / 1000;
  const dataBytes =
    data.train.images.byteLength + data.test.images.byteLength + data.train.count + data.test.count;
  console.log(
    JSON.stringify({
      source,
      config,
      status: trainer.status,
      history,
      test_accuracy: test?.accuracy ?? null,
      test_loss: test?.loss ?? null,
      load_s: loadS,
      train_wall_s: wall,
      max_rss_kb: process.resourceUsage().maxRSS,
      baseline_rss_kb: baselineKb,
      estimate_bytes: estimateTrainingBytes(config, data.train.count, data.test.count) + dataBytes,
    }),
  );
}

export interface ChildReport {
  source: string;
  config: { engine: string };
  status: string;
  test_accuracy: number | null;
  train_wall_s: number;
  load_s: number;
  max_rss_kb: number;
  baseline_rss_kb: number;
  estimate_bytes: number;
  history: { epoch: number; val_accuracy: number; wall_s: number }[];
}

/** Runs the child mode in a fresh Node process and returns its report. */
export function runChild(config: Record<string, unknown>, extra: string[] = []): Promise<ChildReport> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', self, '--child', '--config', JSON.stringify(config), ...extra],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`child exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildReport);
    });
  });
}

export default async function memory(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const net = opt(args, 'net') ?? '784-500-250-100-10';
  const epochs = Number(opt(args, 'epochs') ?? '1');
  const batch = Number(opt(args, 'batch') ?? '64');
  const samples = opt(args, 'samples');
  const engine = opt(args, 'engine');
  const config = {
    layers: net,
    optimizer: 'adam',
    batch_size: batch,
    epochs,
    learning_rate: 0.001,
    ...(engine ? { engine } : {}),
  };
  if (!json)
    console.log(
      `memory bench: training ${net} (Adam, batch ${batch}, ${epochs} epoch(s)) in a child process…`,
    );
  const r = await runChild(config, samples ? ['--samples', samples] : []);
  const peakMb = r.max_rss_kb / 1024;
  const line = {
    suite: 'memory',
    net,
    engine: r.config.engine,
    source: r.source,
    epochs,
    batch,
    peak_rss_mb: Math.round(peakMb * 10) / 10,
    baseline_rss_mb: Math.round((r.baseline_rss_kb / 1024) * 10) / 10,
    estimate_mb: Math.round((r.estimate_bytes / 2 ** 20) * 10) / 10,
    goal_mb: GOAL_MB,
    ratio_to_goal: Math.round((peakMb / GOAL_MB) * 1000) / 1000,
    meets_goal: peakMb <= GOAL_MB,
    train_wall_s: Math.round(r.train_wall_s * 10) / 10,
    status: r.status,
  };
  if (json) console.log(JSON.stringify(line));
  else {
    console.log(`  data:      ${r.source}`);
    console.log(
      `  peak RSS:  ${line.peak_rss_mb} MB (goal ≤ ${GOAL_MB} MB: ${line.meets_goal ? 'met' : 'MISSED'}, ratio ${line.ratio_to_goal})`,
    );
    console.log(
      `  baseline:  ${line.baseline_rss_mb} MB after modules + data; trainer estimate + data ${line.estimate_mb} MB`,
    );
  }
}

if (
  process.argv.includes('--child') &&
  process.argv[1] &&
  fileURLToPath(import.meta.url) === process.argv[1]
) {
  await child(process.argv.slice(2));
}
