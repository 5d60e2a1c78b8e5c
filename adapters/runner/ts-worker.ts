/**
 * Running TypeScript in other threads and processes, wherever the current directory is.
 *
 * - worker_threads: `--import tsx` in a Worker's execArgv does not reach its module loader on Node 20, so
 *   the thread starts from a tiny ESM bootstrap that registers tsx (by absolute URL: an eval'd module
 *   resolves bare names from the current directory), then imports the module.
 * - child processes: `TSX_EXEC_ARGV` is `--import <absolute tsx loader URL>`.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_API = import.meta.resolve('tsx/esm/api');
const TSX_LOADER = import.meta.resolve('tsx');

/** execArgv for child_process.fork of a .ts module. */
export const TSX_EXEC_ARGV: readonly string[] = ['--import', TSX_LOADER];

export function tsWorker(moduleUrl: URL | string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const href = typeof moduleUrl === 'string' ? moduleUrl : moduleUrl.href;
  const boot = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
