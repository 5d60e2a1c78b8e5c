/**
 * An in-memory service for the core/app tests: a MemoryBlobStore, three InProcessQueues (+ trials DLQ)
 * and a pump that plays the event-source mappings by calling the service functions directly.
 */

import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { aggregate, recordDeadLetters } from '../../core/app/aggregator.ts';
import type { AppDeps, InvocationContext, Log } from '../../core/app/deps.ts';
import { dispatchSweep } from '../../core/app/dispatcher.ts';
import { enqueueSweep, type SubmitDeps, submitSweep } from '../../core/app/submit.ts';
import { runTrial } from '../../core/app/worker.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { resultMessageSchema, submissionMessageSchema, trialMessageSchema } from '../../core/messages.ts';
import { parseSweep } from '../../core/sweep/index.ts';

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
  /** Drains all queues until nothing is left; returns how many trial invocations ran. */
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
    memoryMb: opts.memoryMb ?? 1769,
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
      let invocations = 0;
      const errors: string[] = [];
      const ctx = o.ctx ?? (() => ({ remainingMs: () => 900_000 }));
      for (let idle = 0; idle < 2; ) {
        let worked = false;
        for (const m of await submissions.receive({ max: 10, waitSeconds: 0 })) {
          await dispatchSweep(submissionMessageSchema.parse(JSON.parse(m.body)), deps);
          await submissions.delete(m.receiptHandle);
          worked = true;
        }
        for (const m of await trials.receive({ max: 1, waitSeconds: 0 })) {
          worked = true;
          const msg = trialMessageSchema.parse(JSON.parse(m.body));
          try {
            invocations++;
            await runTrial(msg, deps, ctx());
            if (o.duplicate) await runTrial(msg, deps, ctx());
            await trials.delete(m.receiptHandle);
          } catch (e) {
            errors.push((e as Error).message); // left on the queue: redelivered, then dead-lettered
          }
        }
        const dead = await trialsDlq.receive({ max: 10, waitSeconds: 0 });
        if (dead.length > 0) {
          worked = true;
          await recordDeadLetters(
            dead.map((m) => trialMessageSchema.parse(JSON.parse(m.body))),
            deps,
          );
          for (const m of dead) await trialsDlq.delete(m.receiptHandle);
        }
        const res = await results.receive({ max: 10, waitSeconds: 0 });
        if (res.length > 0) {
          worked = true;
          const msgs = res.map((m) => resultMessageSchema.parse(JSON.parse(m.body)));
          await aggregate(o.duplicate ? [...msgs, ...msgs] : msgs, deps);
          for (const m of res) await results.delete(m.receiptHandle);
        }
        idle = worked ? 0 : idle + 1;
      }
      return { invocations, errors };
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
