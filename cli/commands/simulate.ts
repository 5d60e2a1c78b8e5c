/**
 * `sweep simulate [--trials 1000] [--concurrency 1000] [--trial-seconds s [--epochs e] | --from file]
 *   [--mode standard|provisioned] [--shards n] [--min-pollers n] [--cold-start s] [--json]`
 *
 * Projects the wall time and cost of a sweep on Lambda behind SQS with the scale model of core/sim (the
 * event source's documented scale-up, account concurrency, cold starts, 15-minute invocations with
 * continuations). Trial durations come from `--trial-seconds` (measured), a leaderboard JSON of a finished
 * sweep (`--from leaderboard.json`: each row's wall_s, resampled cyclically to --trials), or a sweep file
 * (`--from sweep.json`: estimated from --samples-per-second, as `sweep validate` does). `--shards` is the
 * number of trial queue shards, i.e. event source mappings on the worker, each ramping on its own (default:
 * the stack's default, core/service-spec.ts); `--concurrency` is the total over them, split as the stack does.
 * Exit 0 ok, 2 invalid input.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  DEFAULT_TRIAL_QUEUE_SHARDS,
  DEFAULT_WORKER_MEMORY_MB,
  MAX_TRIAL_QUEUE_SHARDS,
} from '../../core/service-spec.ts';
import {
  resampleTrials,
  SimInputError,
  type SimOptions,
  type SimResult,
  type SimTrial,
  simulate,
  trialsFromLeaderboard,
  trialsFromSweep,
  uniformTrials,
} from '../../core/sim/index.ts';
import { DEFAULT_SAMPLES_PER_SECOND } from '../../core/sweep/cost.ts';
import { formatProblem, parseSweep } from '../../core/sweep/index.ts';

export interface SimulateOptions {
  trials?: string;
  concurrency?: string;
  trialSeconds?: string;
  epochs?: string;
  from?: string;
  samplesPerSecond?: string;
  mode?: string;
  shards?: string;
  minPollers?: string;
  coldStart?: string;
  accountConcurrency?: string;
  sweepMaxConcurrency?: string;
  memoryMb?: string;
  arch?: string;
  json?: boolean;
}

interface Out {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

function num(
  name: string,
  v: string | undefined,
  o: { int?: boolean; min?: number } = {},
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const min = o.min ?? 0;
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (o.int && !Number.isInteger(n)))
    throw new SimInputError(
      `--${name} expects ${o.int ? 'an integer' : 'a number'} ≥ ${min}, found ${JSON.stringify(v)}`,
    );
  return n;
}

/** Reads the trial durations the options name; `source` says where they came from. */
async function loadTrials(o: SimulateOptions): Promise<{ trials: SimTrial[]; source: string }> {
  const count = num('trials', o.trials, { int: true, min: 1 });
  if (o.from !== undefined && o.trialSeconds !== undefined)
    throw new SimInputError('give either --trial-seconds or --from, not both');
  if (o.from === undefined) {
    const s = num('trial-seconds', o.trialSeconds, { min: 0 });
    if (s === undefined)
      throw new SimInputError('give --trial-seconds <s> (a measured trial duration) or --from <file>');
    const epochs = num('epochs', o.epochs, { int: true, min: 1 }) ?? Math.max(1, Math.ceil(s / 60));
    return {
      trials: uniformTrials(count ?? 1000, s, epochs),
      source: `--trial-seconds ${s} (${epochs} epochs)`,
    };
  }
  let text: string;
  try {
    text = await readFile(o.from, 'utf8');
  } catch (e) {
    throw new SimInputError(`${o.from}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined; // YAML sweep, or invalid: parseSweep reports
  }
  if (doc && typeof doc === 'object' && Array.isArray((doc as { rows?: unknown }).rows)) {
    const measured = trialsFromLeaderboard(doc);
    return {
      trials: count === undefined ? measured : resampleTrials(measured, count),
      source: `${o.from}: ${measured.length} measured trials${count !== undefined ? `, resampled to ${count}` : ''}`,
    };
  }
  const parsed = parseSweep(text, { filename: o.from });
  if (!parsed.ok)
    throw new SimInputError(
      `${o.from}: neither a leaderboard nor a valid sweep:\n${parsed.problems.map(formatProblem).join('\n')}`,
    );
  const sps = num('samples-per-second', o.samplesPerSecond, { min: 1e-9 });
  const est = trialsFromSweep(parsed.value, sps !== undefined ? { samplesPerSecond: sps } : {});
  return {
    trials: count === undefined ? est : resampleTrials(est, count),
    source:
      `${o.from}: ${est.length} trials estimated at ${sps ?? DEFAULT_SAMPLES_PER_SECOND} samples/s for 784-128-64-10 (no pruning)` +
      (count !== undefined ? `, resampled to ${count}` : ''),
  };
}

export function simOptions(o: SimulateOptions): SimOptions {
  const mode = o.mode ?? 'standard';
  if (mode !== 'standard' && mode !== 'provisioned')
    throw new SimInputError(`--mode expects standard or provisioned, found ${JSON.stringify(mode)}`);
  const arch = o.arch ?? 'arm64';
  if (arch !== 'arm64' && arch !== 'x86_64')
    throw new SimInputError(`--arch expects arm64 or x86_64, found ${JSON.stringify(arch)}`);
  const shards = num('shards', o.shards, { int: true, min: 1 }) ?? DEFAULT_TRIAL_QUEUE_SHARDS;
  if (shards > MAX_TRIAL_QUEUE_SHARDS)
    throw new SimInputError(
      `--shards expects an integer in 1..${MAX_TRIAL_QUEUE_SHARDS} (the stack's range), found ${shards}`,
    );
  const s: SimOptions = {
    concurrency: num('concurrency', o.concurrency, { int: true, min: 1 }) ?? 1000,
    shards,
    coldStartS: num('cold-start', o.coldStart) ?? 2,
    mode,
    arch,
  };
  const minPollers = num('min-pollers', o.minPollers, { int: true, min: 2 });
  if (minPollers !== undefined) s.minPollers = minPollers;
  const account = num('account-concurrency', o.accountConcurrency, { int: true, min: 1 });
  if (account !== undefined) s.accountConcurrency = account;
  const sweepMax = num('sweep-max-concurrency', o.sweepMaxConcurrency, { int: true, min: 1 });
  if (sweepMax !== undefined) s.sweepMaxConcurrency = sweepMax;
  const mem = num('memory-mb', o.memoryMb, { int: true, min: 128 });
  if (mem !== undefined) s.memoryMb = mem;
  return s;
}

export function formatSimulation(r: SimResult, source: string): string[] {
  const m = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
  const sources =
    r.shards === 1
      ? `${r.mode} SQS event source`
      : `${r.mode} SQS event sources on ${r.shards} trial queue shards (≤ ${r.esm_cap} each)`;
  return [
    `${r.trials.toLocaleString('en-US')} trials, ${sources}, at most ${r.cap} concurrent invocations`,
    `  durations: ${source}`,
    `  wall:      ${m(r.wall_s)} (${r.wall_s.toFixed(1)} s, submission → last aggregate)`,
    `  goal:      ≤ one trial + 60 s = ${r.goal_s.toFixed(1)} s → ${r.meets_goal ? 'met' : 'missed'} (wall/goal ${r.ratio_to_goal.toFixed(2)})`,
    `  scale-up:  ${r.full_concurrency_s === null ? 'never at full concurrency' : `full concurrency after ${r.full_concurrency_s.toFixed(0)} s`}, peak ${r.peak_running} running`,
    `  work:      ${r.invocations} invocations (${r.continuations} continuations), ${r.cold_starts} cold starts, ${(r.billed_s / 3600).toFixed(2)} billed h`,
    `  cost:      $${r.cost_usd.toFixed(4)} ($${r.cost_per_trial_usd.toPrecision(3)} per trial)`,
    ...r.notes.map((n) => `  note:      ${n}`),
  ];
}

export async function simulateCommand(o: SimulateOptions, out: Out): Promise<number> {
  let result: SimResult;
  let source: string;
  try {
    const loaded = await loadTrials(o);
    source = loaded.source;
    result = simulate(loaded.trials, simOptions(o));
  } catch (e) {
    if (!(e instanceof SimInputError)) throw e;
    out.stderr(e.message);
    if (o.json) out.stdout(JSON.stringify({ ok: false, error: e.message }));
    return 2;
  }
  if (o.json) out.stdout(JSON.stringify({ ok: true, source, ...result }));
  else for (const line of formatSimulation(result, source)) out.stdout(line);
  return 0;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Project wall time and cost of a sweep on Lambda + SQS from measured trial durations')
    .option('--trials <n>', 'number of trials (default 1000, or the source file’s count)')
    .option('--concurrency <n>', 'most concurrent workers in total over the shards (default 1000)')
    .option('--trial-seconds <s>', 'measured duration of one trial (training + evaluation)')
    .option('--epochs <e>', 'epochs per trial with --trial-seconds (default ⌈s/60⌉)')
    .option('--from <file>', 'leaderboard.json of a finished sweep, or a sweep file')
    .option('--samples-per-second <n>', 'throughput of 784-128-64-10 for a sweep file (default 10000)')
    .option('--mode <mode>', 'SQS event source scaling: standard (default) or provisioned')
    .option(
      '--shards <n>',
      `trial queue shards = worker event source mappings, each ramping on its own (default ${DEFAULT_TRIAL_QUEUE_SHARDS}, 1..${MAX_TRIAL_QUEUE_SHARDS})`,
    )
    .option(
      '--min-pollers <n>',
      'provisioned mode: minimum pollers in total, split over the shards (default 2)',
    )
    .option('--cold-start <s>', 'module init + data load of a new worker, seconds (default 2)')
    .option('--account-concurrency <n>', 'Lambda account concurrency (default 1000)')
    .option('--sweep-max-concurrency <n>', "the sweep's max_concurrency (default: none)")
    .option('--memory-mb <n>', `worker memory (default ${DEFAULT_WORKER_MEMORY_MB})`)
    .option('--arch <arch>', 'arm64 (default) or x86_64')
    .option('--json', 'one JSON object on stdout')
    .action(async (o: SimulateOptions) => {
      process.exitCode = await simulateCommand(o, {
        stdout: (s) => process.stdout.write(`${s}\n`),
        stderr: (s) => process.stderr.write(`${s}\n`),
      });
    });
}
