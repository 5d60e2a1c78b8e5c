/**
 * `sweep run <file> [--workers N] [--data-dir dir] [--dataset name] [--out dir] [--backend local|localstack]`
 *
 * Runs a sweep end to end on this machine and waits for it: the dispatcher, workers and aggregator are the
 * real handler modules, run by the embedded backend (files under --out, in-process queues, one worker
 * thread per core; no emulator) or, with --backend localstack, by child processes against LocalStack.
 * Prepares the sweep's data set in the store first if needed. Running the same sweep into the same --out
 * again runs only the trials that have no result yet. Live progress on stderr (a bar on a terminal, plain
 * lines otherwise), the leaderboard on stdout at the end, and where the report is.
 *
 * Exit codes: 0 the sweep finished (whatever its trials' states), 1 runtime failure, 2 invalid input
 * (unreadable or invalid sweep file, bad flag), 130 interrupted (run again to resume).
 */

import { mkdir, rm, symlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Backend } from '../../adapters/backend.ts';
import { openBackend } from '../../adapters/backend.ts';
import { nodeSha256 } from '../../adapters/data/loader.ts';
import { DatasetInputError, resolveDataset } from '../../adapters/data/sources.ts';
import { LOCAL_WORKER_TIMEOUT_SECONDS } from '../../adapters/localstack/bootstrap.ts';
import { EmbeddedRunner } from '../../adapters/runner/embedded.ts';
import type { HandlerModules } from '../../adapters/runner/handler-modules.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { progressOf, type SweepProgress, waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { resolveDatasetVersion } from '../../core/app/datasets.ts';
import type { Log } from '../../core/app/deps.ts';
import { scanTrials } from '../../core/app/enqueue.ts';
import { submitSweep, sweepIdOf } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore, MessageQueue } from '../../core/ports.ts';
import type { Sweep } from '../../core/sweep/types.ts';
import { EXIT, type Out, positiveInt, processOut, reportError, UsageError } from '../ui/errors.ts';
import { BUNDLED_FLAGS, BUNDLED_HELP, handlerModules } from '../ui/handlers.ts';
import { runInterruptible } from '../ui/interrupt.ts';
import { readLeaderboard, renderLeaderboard } from '../ui/outputs.ts';
import { formatEta, ProgressView } from '../ui/progress.ts';
import {
  MAX_TRIALS_HELP,
  parseOrThrow,
  readSweepFile,
  SweepProblemsError,
  sayWarnings,
  withDataset,
  withOverrides,
} from '../ui/sweep-text.ts';
import { dashboardUrl } from './dashboard.ts';

export interface RunFlags {
  workers?: string;
  dataDir?: string;
  dataset?: string;
  out?: string;
  backend?: string;
  endpoint?: string;
  workerTimeout?: string;
  offline?: boolean;
  top?: string;
  json?: boolean;
  maxTrials?: string;
  bundled?: boolean | string;
}

export interface RunIo {
  out: Out;
  /** Show a live bar (stderr is a terminal). */
  tty: boolean;
  signal?: AbortSignal;
}

export interface RunSummary {
  ok: true;
  sweep_id: string;
  backend: 'local' | 'localstack';
  trials: number;
  already_finished: number;
  counts: Record<string, number>;
  best?: SweepProgress['best'];
  wall_s: number;
  results_dir: string;
  leaderboard: string;
  report: string;
}

export const DEFAULT_OUT = '.sweep';

/** JSON-lines log file for the functions' structured logs; counts errors. */
function fileLog(path: string): Log & { errors: number; flush: () => Promise<void> } {
  const lines: string[] = [];
  let errors = 0;
  const at =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (level === 'error') errors++;
      lines.push(JSON.stringify({ time: new Date().toISOString(), level, message, ...extra }));
    };
  return {
    debug: () => {},
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    get errors() {
      return errors;
    },
    async flush() {
      if (lines.length === 0) return;
      const { appendFile } = await import('node:fs/promises');
      await appendFile(path, `${lines.splice(0).join('\n')}\n`);
    },
  };
}

/** Makes sure the sweep's data set is prepared in the store; returns the sweep text to submit. */
export async function ensureDataset(
  store: BlobStore,
  sweep: Sweep,
  text: string,
  file: string,
  flags: RunFlags,
  say: (s: string) => void,
): Promise<{ text: string; sweep: Sweep }> {
  if (await resolveDatasetVersion(store, sweep.dataset)) return { text, sweep };
  if (sweep.dataset.version) {
    throw new UsageError(
      `data set ${sweep.dataset.name} version ${sweep.dataset.version} is not prepared in this store; prepare it with "sweep data prepare" or drop the version`,
    );
  }
  say(`preparing data set ${sweep.dataset.name} in the store…`);
  const resolved = await resolveDataset(sweep.dataset.name, {
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    offline: Boolean(flags.offline),
    log: say,
    download: { progress: false },
  });
  if (resolved.notice) say(`notice: ${resolved.notice}`);
  const r = await prepareDataset(store, resolved.dataset, resolved.source, { hash: nodeSha256 });
  say(`prepared ${r.manifest.name}@${r.manifest.version} (${r.written} objects)`);
  if (resolved.dataset.name !== sweep.dataset.name) {
    const t = withDataset(text, file, resolved.dataset.name);
    return { text: t, sweep: parseOrThrow(t, file) };
  }
  return { text, sweep };
}

interface Session {
  store: BlobStore;
  submissions: MessageQueue;
  drainQueues: MessageQueue[];
  submissionsDlq?: MessageQueue;
  busy: () => boolean;
  running: () => number | Promise<number>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Where the outputs end up on this machine. */
  resultsDir: (sweepId: string) => string;
  /** Copies outputs out of a remote store (LocalStack) into resultsDir. */
  collect: (sweepId: string) => Promise<void>;
  where: string;
}

async function openSession(
  flags: RunFlags,
  outDir: string,
  log: Log,
  workers: number,
  timeout: number,
  modules: HandlerModules,
): Promise<Session> {
  const backend = flags.backend ?? 'local';
  if (backend === 'local') {
    const runner = new EmbeddedRunner({
      storeDir: join(outDir, 'store'),
      modules,
      workers,
      workerTimeoutSeconds: timeout,
      log,
    });
    return {
      store: runner.store,
      submissions: runner.queues.submissions,
      drainQueues: [
        runner.queues.submissions,
        runner.queues.trials,
        runner.queues.results,
        runner.dlqs.trials,
      ],
      submissionsDlq: runner.dlqs.submissions,
      busy: () => runner.activity().busy > 0,
      running: () => runner.activity().busy,
      start: () => runner.start(),
      stop: () => runner.stop(),
      resultsDir: (id) => join(runner.store.root, keys.sweep(id)),
      collect: async () => {},
      where: `embedded (files under ${join(outDir, 'store')}, ${workers} worker thread${workers === 1 ? '' : 's'})`,
    };
  }
  if (backend !== 'localstack')
    throw new UsageError(`--backend must be local or localstack, got ${JSON.stringify(backend)}`);
  const b: Backend = await openBackend('localstack', {
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    workerTimeoutSeconds: timeout,
  });
  const runner = new ProcessRunner({
    backend: b,
    modules,
    workers,
    workerTimeoutSeconds: timeout,
    logDir: join(outDir, 'logs'),
    log,
  });
  const local = new FsBlobStore(join(outDir, 'localstack'));
  return {
    store: b.store,
    submissions: b.queues!.submissions,
    drainQueues: [
      b.queues!.submissions,
      b.queues!.trials,
      b.queues!.results,
      ...(b.trialsDlq ? [b.trialsDlq] : []),
    ],
    busy: () => false,
    running: async () => (await b.queues!.trials.depth()).inFlight,
    start: () => runner.start(),
    stop: () => runner.stop(),
    resultsDir: (id) => join(local.root, keys.sweep(id)),
    collect: async (id) => {
      for (const k of [
        keys.leaderboard(id, 'json'),
        keys.leaderboard(id, 'csv'),
        keys.leaderboard(id, 'md'),
        keys.report(id),
      ]) {
        const obj = await b.store.get(k);
        if (obj) await local.put(k, obj.body);
      }
    },
    where: `${b.where}, ${workers} worker process${workers === 1 ? '' : 'es'}`,
  };
}

/** The `sweep dashboard` command that shows this run's store. */
function dashboardHint(flags: RunFlags, outDir: string): string {
  if (flags.backend === 'localstack') return 'npx sweep dashboard --backend localstack --open';
  const store = rel(join(outDir, 'store'));
  return `npx sweep dashboard${store === join(DEFAULT_OUT, 'store') ? '' : ` --store-dir ${store}`} --open`;
}

const rel = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

/** `<out>/latest` → the last run's results directory (a convenience; ignored where symlinks fail). */
async function linkLatest(outDir: string, target: string): Promise<void> {
  const link = join(outDir, 'latest');
  await rm(link, { force: true }).catch(() => undefined);
  await symlink(relative(outDir, target), link).catch(() => undefined);
}

export async function runSweepCommand(file: string, flags: RunFlags, io: RunIo): Promise<number> {
  const { out } = io;
  const json = Boolean(flags.json);
  const say = (s: string) => out.stderr(s);
  let session: Session | undefined;
  let log: ReturnType<typeof fileLog> | undefined;
  let progress: ProgressView | undefined;
  let handlers: Awaited<ReturnType<typeof handlerModules>> | undefined;
  try {
    const workers = positiveInt('--workers', flags.workers) ?? availableParallelism();
    const timeout = positiveInt('--worker-timeout', flags.workerTimeout) ?? LOCAL_WORKER_TIMEOUT_SECONDS;
    const top = positiveInt('--top', flags.top) ?? 10;
    const outDir = resolve(flags.out ?? DEFAULT_OUT);
    let text = withOverrides(await readSweepFile(file), file, flags);
    let sweep = parseOrThrow(text, file);

    await mkdir(join(outDir, 'logs'), { recursive: true });
    log = fileLog(join(outDir, 'logs', 'run.log'));
    handlers = await handlerModules({ ...flags, backend: flags.backend ?? 'local' }, say);
    session = await openSession(flags, outDir, log, workers, timeout, handlers.modules);
    ({ text, sweep } = await ensureDataset(session.store, sweep, text, file, flags, say));

    const sweepId = sweepIdOf(sweep);
    const already = (await scanTrials(session.store, sweepId)).results.size;
    await session.start();
    const t0 = Date.now();
    const sub = await submitSweep(text, basename(file), {
      store: session.store,
      submissions: session.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new SweepProblemsError(file, sub.problems);
    sayWarnings(say, sub.value.warnings);
    const total = sub.value.trials;
    say(
      `sweep ${sub.value.sweep_id}: ${total} trials` +
        (already > 0
          ? ` (${already} already finished in ${outDir}, running the other ${total - already})`
          : '') +
        ` on ${session.where}`,
    );
    say(`watch it live: ${dashboardHint(flags, outDir)} → ${dashboardUrl(sub.value.sweep_id)}`);
    progress = new ProgressView({ tty: io.tty, write: say, stream: process.stderr });
    const p = progress;
    const status = await waitForSweep(session.store, sub.value.sweep_id, {
      queues: session.drainQueues,
      ...(session.submissionsDlq ? { submissionsDlq: session.submissionsDlq } : {}),
      busy: session.busy,
      running: session.running,
      metric: sweep.metric,
      startedAt: t0,
      onProgress: (s) => p.update(s),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    progress.stop();
    progress = undefined;
    const id = sub.value.sweep_id;
    await session.collect(id);
    const lb = await readLeaderboard(session.store, id);
    const resultsDir = session.resultsDir(id);
    await session.stop();
    session = undefined;
    if ((flags.backend ?? 'local') === 'local') await linkLatest(outDir, resultsDir);
    const best = progressOf(status, sweep.metric, 0).best;
    const summary: RunSummary = {
      ok: true,
      sweep_id: id,
      backend: (flags.backend ?? 'local') as RunSummary['backend'],
      trials: total,
      already_finished: already,
      counts: Object.fromEntries(Object.entries(status.counts).filter(([, n]) => n > 0)),
      ...(best ? { best } : {}),
      wall_s: (Date.now() - t0) / 1000,
      results_dir: resultsDir,
      leaderboard: join(resultsDir, 'leaderboard.json'),
      report: join(resultsDir, 'report.html'),
    };
    if (json) {
      out.stdout(JSON.stringify(summary));
    } else {
      if (lb) out.stdout(renderLeaderboard(lb, 'table', { top, color: io.tty }));
      const counts = Object.entries(summary.counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      out.stdout(`sweep ${id} finished in ${formatEta(summary.wall_s)}: ${counts}`);
      if (best) out.stdout(`best: ${best.trial_id} ${best.metric} ${best.value.toFixed(4)}`);
      out.stdout(`leaderboard: ${rel(summary.leaderboard)} (.csv, .md beside it)`);
      out.stdout(`report:      ${rel(summary.report)}`);
    }
    if (log.errors > 0) say(`${log.errors} error(s) were logged; see ${rel(join(outDir, 'logs'))}`);
    return EXIT.ok;
  } catch (e) {
    progress?.stop();
    if (io.signal?.aborted) {
      say('interrupted: stopping; run the same command again to resume (finished trials are kept)');
      await session?.stop();
      return 130;
    }
    await session?.stop().catch(() => undefined);
    if (e instanceof SweepProblemsError) {
      if (json) out.stdout(JSON.stringify({ ok: false, problems: e.problems }));
      out.stderr(e.message);
      return EXIT.invalid;
    }
    if (e instanceof DatasetInputError) return reportError(new UsageError(e.message), out, json);
    return reportError(e, out, json);
  } finally {
    handlers?.dispose();
    await log?.flush();
  }
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a sweep end to end on this machine (embedded backend, or LocalStack) and wait for it')
    .argument('<file>', 'sweep file (JSON or YAML, ours or W&B)')
    .option('--workers <n>', 'worker threads (local) or worker processes (localstack); default: one per core')
    .option('--data-dir <dir>', 'prepare the data set from the IDX files in this directory')
    .option(
      '--dataset <name>',
      "use this data set instead of the sweep file's (e.g. mnist-mini: offline, small)",
    )
    .option('--out <dir>', 'output directory (store, logs, latest →)', DEFAULT_OUT)
    .option(
      '--backend <kind>',
      'local (embedded: files + threads) | localstack (S3/SQS in LocalStack + processes)',
      'local',
    )
    .option('--endpoint <url>', 'localstack backend: endpoint (default http://127.0.0.1:4566)')
    .option(
      '--worker-timeout <s>',
      `worker function timeout, seconds (trials checkpoint and continue past it)`,
      String(LOCAL_WORKER_TIMEOUT_SECONDS),
    )
    .option('--offline', 'never download a data set (fall back to mnist-mini)')
    .option('--max-trials <n>', MAX_TRIALS_HELP)
    .option(BUNDLED_FLAGS, BUNDLED_HELP)
    .option('--top <k>', 'leaderboard rows to print', '10')
    .option('--json', 'print one JSON summary line on stdout (progress still on stderr)')
    .addHelpText(
      'after',
      '\nExit codes: 0 finished, 1 runtime failure, 2 invalid input, 130 interrupted (run again to resume).',
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runInterruptible((signal) =>
        runSweepCommand(file, flags, {
          out: processOut,
          tty: Boolean(process.stderr.isTTY) && !flags.json,
          signal,
        }),
      );
    });
}
