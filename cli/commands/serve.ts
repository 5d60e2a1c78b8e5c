/**
 * `sweep serve --backend localstack [--workers N] [--worker-timeout s]`: plays Lambda for LocalStack (which
 * runs no functions here): one dispatcher, N workers and one aggregator as child processes running the real
 * handler modules against LocalStack's S3 and SQS, until Ctrl-C. Use with `sweep submit --backend localstack`.
 *
 * Exit codes: 0 stopped, 1 runtime failure (LocalStack not running), 2 invalid input.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { LOCAL_WORKER_TIMEOUT_SECONDS } from '../../adapters/localstack/bootstrap.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, positiveInt, processOut, reportError } from '../ui/errors.ts';
import { BUNDLED_FLAGS, BUNDLED_HELP, handlerModules } from '../ui/handlers.ts';
import { DEFAULT_OUT } from './run.ts';

interface ServeFlags extends BackendFlags {
  workers?: string;
  workerTimeout?: string;
  bundled?: boolean | string;
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('serve')
      .description(
        'run the functions locally against LocalStack until Ctrl-C (LocalStack has no Lambda here)',
      )
      .option('--workers <n>', 'worker processes', '2')
      .option(BUNDLED_FLAGS, BUNDLED_HELP)
      .option(
        '--worker-timeout <s>',
        'worker function timeout, seconds',
        String(LOCAL_WORKER_TIMEOUT_SECONDS),
      ),
    ['localstack'],
    'localstack',
  ).action(async (flags: ServeFlags) => {
    let handlers: Awaited<ReturnType<typeof handlerModules>> | undefined;
    try {
      const workers = positiveInt('--workers', flags.workers) ?? 2;
      const timeout = positiveInt('--worker-timeout', flags.workerTimeout) ?? LOCAL_WORKER_TIMEOUT_SECONDS;
      const b = await openFromFlags(flags, ['localstack'], { workerTimeoutSeconds: timeout });
      const logDir = join(resolve(DEFAULT_OUT), 'logs', 'localstack');
      handlers = await handlerModules({ ...flags, backend: b.kind }, (s) => processOut.stderr(s));
      const runner = new ProcessRunner({
        backend: b,
        modules: handlers.modules,
        workers,
        workerTimeoutSeconds: timeout,
        logDir,
        onBatch: (r) =>
          processOut.stderr(
            `${new Date().toISOString()} ${r.instance} ${r.queue}: ${r.succeeded}/${r.records} ok${r.error ? ` (${r.error})` : ''} in ${r.ms} ms`,
          ),
      });
      await runner.start();
      processOut.stderr(`serving ${b.where} with ${workers} workers; logs in ${logDir}; Ctrl-C to stop`);
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
      processOut.stderr('stopping (finishing the invocations in progress)…');
      await runner.stop();
      process.exitCode = EXIT.ok;
    } catch (e) {
      process.exitCode = reportError(e, processOut);
    } finally {
      handlers?.dispose();
    }
  });
}
