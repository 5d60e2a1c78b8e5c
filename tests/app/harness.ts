/**
 * An in-memory service for the core/app tests: a MemoryBlobStore, three InProcessQueues (+ trials DLQ)
 * and a pump that plays the event source mappings with the real handlers (tests/lambdas/sqs-pump.ts
 * `drain`: the production Poller).
 */

import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import type { AppDeps, InvocationContext, Log } from '../../core/app/deps.ts';
import { enqueueSweep, type SubmitDeps, submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../../core/service-spec.ts';
import { parseSweep } from '../../core/sweep/index.ts';
import { createHandler as aggregatorHandler } from '../../lambdas/aggregator.ts';
import { createHandler as dispatcherHandler } from '../../lambdas/dispatcher.ts';
import { createHandler as workerHandler } from '../../lambdas/worker.ts';
import { drain, lambdaContext } from '../lambdas/sqs-pump.ts';

/**
 * Stores and enqueues a sweep without submitSweep's data set check: a poison trial (a net that does not fit
 * the data, which submission refuses) that fails at the worker on every delivery, as a sweep stored before
 * the check would.
 */
export async function submitUnchecked(text: string, deps: SubmitDeps): Promise<string> {
  const r = parseSweep(text, { filename: 'sweep.json', checkNetFit: false });
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return (await enqueueSweep(r.value, text, 'sweep.json', deps)).sweep_id;
}

export const quietLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export interface Harness {
  deps: AppDeps;
  store: MemoryBlobStore;
  submissions: InProcessQueue;
  trials: InProcessQueue;
  trialsDlq: InProcessQueue;
  results: InProcessQueue;
  submit(text: string): Promise<string>;
  /** `submitUnchecked` into this harness. */
  submitUnchecked(text: string): Promise<string>;
  /**
   * Drains all queues until nothing is left; returns how many worker invocations ran and the trial
   * messages that failed (one id per failed delivery). `ctx`: the worker's remaining time; `duplicate`:
   * every event is handled twice (a redelivery of everything).
   */
  pump(opts?: {
    ctx?: () => InvocationContext;
    duplicate?: boolean;
  }): Promise<{ invocations: number; errors: string[] }>;
}

export async function createHarness(opts: { memoryMb?: number } = {}): Promise<Harness> {
  const store = new MemoryBlobStore();
  await prepareDataset(store, loadMnistMini(), []);
  const trialsDlq = new InProcessQueue('trials-dlq');
  const submissions = new InProcessQueue('submissions', { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
  const trials = new InProcessQueue('trials', {
    visibilityTimeoutSeconds: 0,
    maxReceiveCount: 3,
    dlq: trialsDlq,
  });
  const results = new InProcessQueue('results', { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
  const deps: AppDeps = {
    store,
    trials,
    results,
    datasets: createDatasetLoader(store, { tmpDir: false }),
    log: quietLog,
    now: Date.now,
    workerId: 'test',
    memoryMb: opts.memoryMb ?? DEFAULT_WORKER_MEMORY_MB,
    arch: 'arm64',
  };
  const h: Harness = {
    deps,
    store,
    submissions,
    trials,
    trialsDlq,
    results,
    async submit(text) {
      const r = await submitSweep(text, 'test.json', { store, submissions, now: Date.now });
      if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
      return r.value.sweep_id;
    },
    submitUnchecked: (text) => submitUnchecked(text, { store, submissions, now: Date.now }),
    async pump(o = {}) {
      const worker = workerHandler(() => deps);
      const aggregator = aggregatorHandler(() => deps);
      const run = await drain(
        [
          { name: 'dispatcher', queue: submissions, handler: dispatcherHandler(() => deps), batchSize: 1 },
          {
            name: 'worker',
            queue: trials,
            handler: worker,
            batchSize: 1,
            ...(o.ctx ? { context: () => lambdaContext({ remainingMs: o.ctx!().remainingMs }) } : {}),
          },
          { name: 'deadLetters', queue: trialsDlq, handler: aggregator, batchSize: 10 },
          { name: 'aggregator', queue: results, handler: aggregator, batchSize: 10 },
        ],
        { invokeTwice: Boolean(o.duplicate) },
      );
      return { invocations: run.invocations.worker ?? 0, errors: run.failures.worker ?? [] };
    },
  };
  return h;
}

export function sweepText(
  overrides: Record<string, unknown> = {},
  parameters: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    name: 'app-test',
    dataset: 'mnist-mini',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: {
      layers: { value: '784-32-10' },
      epochs: { value: 2 },
      batch_size: { value: 64 },
      learning_rate: { values: [0.001, 0.003] },
      activation: { values: ['relu', 'tanh'] },
      ...parameters,
    },
    ...overrides,
  });
}
