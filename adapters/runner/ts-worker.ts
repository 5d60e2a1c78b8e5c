/**
 * worker_threads for TypeScript modules. `--import tsx` in a Worker's execArgv does not reach its module
 * loader on Node 20, so the thread starts from a tiny ESM bootstrap that registers tsx, then imports the
 * module.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function tsWorker(moduleUrl: URL | string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const href = typeof moduleUrl === 'string' ? moduleUrl : moduleUrl.href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
