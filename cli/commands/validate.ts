/**
 * `sweep validate <file> [--json]`: parse a sweep file (ours or W&B, JSON or YAML) and report the number of
 * trials, the estimated compute and cost, and warnings (exit 0); or every problem, one per line on stderr as
 * `path: message (expected …, found …)` (exit 2).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_WORKER_MEMORY_MB } from '../../core/service-spec.ts';
import { type Estimate, estimateSweep, formatProblem, parseSweep } from '../../core/sweep/index.ts';

interface ValidateOptions {
  json?: boolean;
  samplesPerSecond?: string;
  memoryMb?: string;
  trainCount?: string;
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} expects a positive number, found ${JSON.stringify(v)}`);
  return n;
}

export async function validateFile(
  file: string,
  opts: ValidateOptions,
  out: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    out.stderr(`${file}: cannot read the sweep file: ${(e as Error).message}`);
    if (opts.json)
      out.stdout(JSON.stringify({ ok: false, problems: [{ path: '$', message: 'cannot read file' }] }));
    return 2;
  }
  let estimateOpts: { samplesPerSecond?: number; memoryMb?: number; trainCount?: number };
  try {
    estimateOpts = {};
    const sps = positive('samples-per-second', opts.samplesPerSecond);
    const mem = positive('memory-mb', opts.memoryMb);
    const train = positive('train-count', opts.trainCount);
    if (sps !== undefined) estimateOpts.samplesPerSecond = sps;
    if (mem !== undefined) estimateOpts.memoryMb = mem;
    if (train !== undefined) estimateOpts.trainCount = train;
  } catch (e) {
    out.stderr((e as Error).message);
    return 2;
  }
  const parsed = parseSweep(text, { filename: file });
  if (!parsed.ok) {
    for (const p of parsed.problems)
      out.stderr(`${p.severity === 'warning' ? 'warning: ' : ''}${formatProblem(p)}`);
    if (opts.json) out.stdout(JSON.stringify({ ok: false, file, problems: parsed.problems }));
    return 2;
  }
  const sweep = parsed.value;
  let est: Estimate;
  try {
    est = estimateSweep(sweep, estimateOpts);
  } catch (e) {
    out.stderr(`${file}: ${(e as Error).message}`);
    return 1;
  }
  if (opts.json) {
    out.stdout(
      JSON.stringify({
        ok: true,
        file,
        name: sweep.name,
        method: sweep.method,
        source_format: sweep.source_format,
        trials: est.trials,
        epochs: est.epochs,
        compute_s: est.compute_s,
        cost_usd: est.cost_usd,
        assumptions: est.assumptions,
        warnings: parsed.warnings,
        sweep,
      }),
    );
  } else {
    const fmt = sweep.source_format === 'wandb' ? ' (W&B format)' : '';
    out.stdout(`${file}: valid${fmt}: "${sweep.name}", ${sweep.method} search`);
    out.stdout(
      `  trials:   ${est.trials.toLocaleString('en-US')} (${est.epochs.toLocaleString('en-US')} epochs)`,
    );
    out.stdout(
      `  compute:  ~${(est.compute_s / 60).toFixed(1)} min of worker time (${est.compute_s.toFixed(0)} s)`,
    );
    out.stdout(`  cost:     ~$${est.cost_usd.toFixed(4)}`);
    out.stdout(`  assuming: ${est.assumptions}`);
  }
  for (const w of parsed.warnings) out.stderr(`warning: ${formatProblem(w)}`);
  return 0;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Check a sweep file (ours or W&B, JSON or YAML): trials, estimated compute and cost, or every error',
    )
    .argument('<file>', 'sweep file (.json, .yaml, .yml)')
    .option('--json', 'machine-readable output on stdout')
    .option(
      '--samples-per-second <n>',
      'training throughput of the default 784-128-64-10 net, for the estimate',
    )
    .option('--memory-mb <n>', `worker memory for the estimate (default ${DEFAULT_WORKER_MEMORY_MB})`)
    .option('--train-count <n>', 'training images (default 60000)')
    .action(async (file: string, opts: ValidateOptions) => {
      process.exitCode = await validateFile(file, opts, {
        stdout: (s) => process.stdout.write(`${s}\n`),
        stderr: (s) => process.stderr.write(`${s}\n`),
      });
    });
}
