/**
 * `sweep submit <file> --backend localstack|aws [--wait]`: validate the sweep, store it, and put it on the
 * submissions queue of a deployed stack (aws) or of LocalStack. Prepares the sweep's data set in that
 * store first if it is missing. With --wait, follows the sweep to the end (progress bar) and prints the
 * leaderboard; on LocalStack, where there is no Lambda, --wait also runs the functions locally (child
 * processes) while waiting — without --wait, run `sweep serve --backend localstack` to process it.
 *
 * Exit codes: 0 submitted (with --wait: finished), 1 runtime failure (backend unreachable…), 2 invalid input.
 */

import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LOCAL_WORKER_TIMEOUT_SECONDS } from '../../adapters/localstack/bootstrap.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { progressOf, waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, positiveInt, processOut, reportError } from '../ui/errors.ts';
import { BUNDLED_FLAGS, BUNDLED_HELP, handlerModules } from '../ui/handlers.ts';
import { runInterruptible } from '../ui/interrupt.ts';
import { readLeaderboard, renderLeaderboard } from '../ui/outputs.ts';
import { ProgressView } from '../ui/progress.ts';
import {
  MAX_TRIALS_HELP,
  parseOrThrow,
  readSweepFile,
  SweepProblemsError,
  sayWarnings,
  withOverrides,
} from '../ui/sweep-text.ts';
import { DEFAULT_OUT, ensureDataset } from './run.ts';

interface SubmitFlags extends BackendFlags {
  wait?: boolean;
  workers?: string;
  workerTimeout?: string;
  dataset?: string;
  dataDir?: string;
  offline?: boolean;
  json?: boolean;
  bundled?: boolean | string;
  maxTrials?: string;
}

export async function submitCommand(
  file: string,
  flags: SubmitFlags,
  io: { out: Out; tty: boolean; signal?: AbortSignal },
): Promise<number> {
  const { out } = io;
  const json = Boolean(flags.json);
  const say = (s: string) => out.stderr(s);
  let runner: ProcessRunner | undefined;
  let progress: ProgressView | undefined;
  let handlers: Awaited<ReturnType<typeof handlerModules>> | undefined;
  try {
    const workers = positiveInt('--workers', flags.workers) ?? 2;
    const timeout = positiveInt('--worker-timeout', flags.workerTimeout) ?? LOCAL_WORKER_TIMEOUT_SECONDS;
    let text = withOverrides(await readSweepFile(file), file, flags);
    let sweep = parseOrThrow(text, file);
    const b = await openFromFlags({ backend: 'localstack', ...flags }, ['localstack', 'aws'], {
      workerTimeoutSeconds: timeout,
    });
    ({ text, sweep } = await ensureDataset(b.store, sweep, text, file, flags, say));
    const sub = await submitSweep(text, basename(file), {
      store: b.store,
      submissions: b.queues!.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new SweepProblemsError(file, sub.problems);
    sayWarnings(say, sub.value.warnings);
    const id = sub.value.sweep_id;
    const flagText = b.kind === 'localstack' ? '--backend localstack' : '--backend aws';
    if (!flags.wait) {
      if (json)
        out.stdout(JSON.stringify({ ok: true, sweep_id: id, trials: sub.value.trials, backend: b.kind }));
      else {
        out.stdout(`submitted sweep ${id} (${sub.value.trials} trials) to ${b.where}`);
        out.stdout(`follow it:    sweep status ${id} ${flagText} --watch`);
        out.stdout(`leaderboard:  sweep leaderboard ${id} ${flagText}`);
        if (b.kind === 'localstack') {
          out.stdout('LocalStack runs no Lambda here: process it with  sweep serve --backend localstack');
        }
      }
      return EXIT.ok;
    }
    say(`submitted sweep ${id} (${sub.value.trials} trials) to ${b.where}; waiting`);
    if (b.kind === 'localstack') {
      handlers = await handlerModules({ ...flags, backend: b.kind }, say);
      runner = new ProcessRunner({
        backend: b,
        modules: handlers.modules,
        workers,
        workerTimeoutSeconds: timeout,
        logDir: join(resolve(DEFAULT_OUT), 'logs', 'localstack'),
      });
      await runner.start();
    }
    progress = new ProgressView({ tty: io.tty, write: say, stream: process.stderr });
    const p = progress;
    const q = b.queues!;
    const status = await waitForSweep(b.store, id, {
      queues: [q.submissions, q.trials, q.results, ...(b.trialsDlq ? [b.trialsDlq] : [])],
      metric: sweep.metric,
      running: async () => (await q.trials.depth()).inFlight,
      onProgress: (s) => p.update(s),
      // On AWS the functions may be cold or throttled: no stall detection beyond a generous bound.
      stallChecks: b.kind === 'aws' ? 600 : 20,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    progress.stop();
    await runner?.stop();
    runner = undefined;
    const best = progressOf(status, sweep.metric, 0).best;
    const lb = await readLeaderboard(b.store, id);
    if (json) {
      out.stdout(
        JSON.stringify({
          ok: true,
          sweep_id: id,
          trials: sub.value.trials,
          backend: b.kind,
          counts: status.counts,
          ...(best ? { best } : {}),
        }),
      );
    } else {
      if (lb) out.stdout(renderLeaderboard(lb, 'table', { top: 10, color: io.tty }));
      out.stdout(`report: sweep report ${id} ${flagText} --out ${id}.html`);
    }
    return EXIT.ok;
  } catch (e) {
    progress?.stop();
    await runner?.stop().catch(() => undefined);
    if (io.signal?.aborted) {
      say('interrupted (the sweep stays submitted; follow it with sweep status)');
      return 130;
    }
    if (e instanceof SweepProblemsError) {
      if (json) out.stdout(JSON.stringify({ ok: false, problems: e.problems }));
      out.stderr(e.message);
      return EXIT.invalid;
    }
    return reportError(e, out, json);
  } finally {
    handlers?.dispose();
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('submit')
      .description('submit a sweep to the deployed stack (aws) or to LocalStack')
      .argument('<file>', 'sweep file (JSON or YAML, ours or W&B)')
      .option('--wait', 'follow the sweep to the end (on LocalStack: run the functions locally meanwhile)')
      .option('--workers <n>', 'localstack --wait: worker processes', '2')
      .option(
        '--worker-timeout <s>',
        'localstack: worker function timeout, seconds',
        String(LOCAL_WORKER_TIMEOUT_SECONDS),
      )
      .option('--dataset <name>', "use this data set instead of the sweep file's")
      .option('--data-dir <dir>', 'prepare the data set from the IDX files in this directory if missing')
      .option('--offline', 'never download a data set (fall back to mnist-mini)')
      .option(BUNDLED_FLAGS, BUNDLED_HELP)
      .option('--max-trials <n>', MAX_TRIALS_HELP)
      .option('--json', 'print one JSON line on stdout'),
    ['localstack', 'aws'],
    'localstack',
  )
    .addHelpText('after', '\nExit codes: 0 submitted (--wait: finished), 1 runtime failure, 2 invalid input.')
    .action(async (file: string, flags: SubmitFlags) => {
      process.exitCode = await runInterruptible((signal) =>
        submitCommand(file, flags, {
          out: processOut,
          tty: Boolean(process.stderr.isTTY) && !flags.json,
          signal,
        }),
      );
    });
}
