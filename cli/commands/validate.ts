/**
 * `sweep validate <file> [--json] [--max-trials N] [--backend …]`: parse a sweep file (ours or W&B, JSON or
 * YAML) and report the number of trials, the estimated compute and cost, and warnings and notices (exit 0);
 * or every problem, errors first, one per line on stderr as `path: message (expected …, found …)` (exit 2).
 *
 * The data set: a built-in one's shape is checked while parsing; one prepared from the user's own files is
 * read from the store (its manifest's shape): `--backend` names the store, else the local one
 * (`.sweep/store`, what `sweep run` uses) is looked at.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { datasetProblems } from '../../core/app/dataset-fit.ts';
import { resolveDatasetVersion } from '../../core/app/datasets.ts';
import { getJson } from '../../core/app/json.ts';
import type { Problem } from '../../core/config.ts';
import { keys } from '../../core/layout.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../../core/service-spec.ts';
import {
  BUILTIN_DATASETS,
  type Estimate,
  estimateSweep,
  parseSweep,
  problemLine,
  type Sweep,
} from '../../core/sweep/index.ts';
import { type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { errorsFirst, MAX_TRIALS_HELP, type OverrideFlags, withOverrides } from '../ui/sweep-text.ts';

interface ValidateOptions extends OverrideFlags, BackendFlags {
  json?: boolean;
  samplesPerSecond?: string;
  memoryMb?: string;
  trainCount?: string;
}

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} expects a positive number, found ${JSON.stringify(v)}`);
  return n;
}

function estimateOptions(opts: ValidateOptions) {
  const out: { samplesPerSecond?: number; memoryMb?: number; trainCount?: number } = {};
  const sps = positive('samples-per-second', opts.samplesPerSecond);
  const mem = positive('memory-mb', opts.memoryMb);
  const train = positive('train-count', opts.trainCount);
  if (sps !== undefined) out.samplesPerSecond = sps;
  if (mem !== undefined) out.memoryMb = mem;
  if (train !== undefined) out.trainCount = train;
  return out;
}

/**
 * The data set in a store: the one `--backend` names, else the local store for a data set that is not built
 * in (built-in ones are prepared on demand by run/submit, and their shapes are known). With the problems,
 * its training and test rows when it is prepared (the estimate's sizes: a table is not MNIST).
 */
async function storeProblems(
  sweep: Sweep,
  opts: ValidateOptions,
): Promise<{ problems: Problem[]; counts?: { trainCount: number; testCount: number } }> {
  const builtin = sweep.dataset.name in BUILTIN_DATASETS;
  if (!opts.backend && builtin) return { problems: [] };
  const b = await openFromFlags({ ...opts, backend: opts.backend ?? 'local' });
  const where = opts.backend ? b.where : `${b.where} (--backend localstack|aws checks another store)`;
  const problems = await datasetProblems(b.store, sweep, { where, builtinsOnDemand: true });
  const version = problems.length === 0 ? await resolveDatasetVersion(b.store, sweep.dataset) : undefined;
  type Counts = { train?: { count: number }[]; test?: { count: number }[] };
  const m = version ? await getJson<Counts>(b.store, keys.manifest(sweep.dataset.name, version)) : undefined;
  const sum = (e: { count: number }[] | undefined) => (e ?? []).reduce((s, x) => s + x.count, 0);
  return m?.train ? { problems, counts: { trainCount: sum(m.train), testCount: sum(m.test) } } : { problems };
}

function printSummary(out: Out, file: string, sweep: Sweep, est: Estimate): void {
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

function refuse(out: Out, opts: ValidateOptions, file: string, problems: Problem[]): number {
  for (const p of errorsFirst(problems)) out.stderr(problemLine(p));
  if (opts.json) out.stdout(JSON.stringify({ ok: false, file, problems }));
  return 2;
}

export async function validateFile(file: string, opts: ValidateOptions, out: Out): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    out.stderr(`${file}: cannot read the sweep file: ${(e as Error).message}`);
    if (opts.json)
      out.stdout(JSON.stringify({ ok: false, problems: [{ path: '$', message: 'cannot read file' }] }));
    return 2;
  }
  let estimateOpts: ReturnType<typeof estimateOptions>;
  try {
    estimateOpts = estimateOptions(opts);
    text = withOverrides(text, file, opts);
  } catch (e) {
    out.stderr((e as Error).message);
    return 2;
  }
  const parsed = parseSweep(text, { filename: file });
  if (!parsed.ok) return refuse(out, opts, file, parsed.problems);
  const sweep = parsed.value;
  let est: Estimate;
  let dataProblems: Problem[];
  try {
    const stored = await storeProblems(sweep, opts);
    dataProblems = stored.problems;
    est = estimateSweep(sweep, { ...stored.counts, ...estimateOpts });
  } catch (e) {
    out.stderr(`${file}: ${(e as Error).message}`);
    return 1;
  }
  if (dataProblems.length > 0) return refuse(out, opts, file, [...dataProblems, ...parsed.warnings]);
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
  } else printSummary(out, file, sweep, est);
  for (const w of parsed.warnings) out.stderr(problemLine(w));
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
    .option('--max-trials <n>', MAX_TRIALS_HELP)
    .option('--dataset <name>', "check against this data set instead of the sweep file's")
    .option(
      '--backend <kind>',
      'check a data set prepared from your own files in this store: local|localstack|aws (default: the local store)',
    )
    .option('--store-dir <dir>', 'local backend: store directory', '.sweep/store')
    .option('--endpoint <url>', 'localstack backend: endpoint (default http://127.0.0.1:4566)')
    .option('--stack-name <name>', 'aws backend: CloudFormation stack (default MlpSweepStack)')
    .option('--region <region>', 'aws backend: region (default from the environment)')
    .option(
      '--samples-per-second <n>',
      'training throughput of the default 784-128-64-10 net, for the estimate',
    )
    .option('--memory-mb <n>', `worker memory for the estimate (default ${DEFAULT_WORKER_MEMORY_MB})`)
    .option('--train-count <n>', "training samples (default: the prepared data set's, else 60000)")
    .action(async (file: string, opts: ValidateOptions) => {
      process.exitCode = await validateFile(file, opts, {
        stdout: (s) => process.stdout.write(`${s}\n`),
        stderr: (s) => process.stderr.write(`${s}\n`),
      });
    });
}
