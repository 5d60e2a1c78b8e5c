/**
 * The service on LocalStack for the fault tests: a bucket and the three queues (+ DLQs) created from
 * serviceSpec() under a unique prefix per test file, mnist-mini prepared into the bucket, AppDeps over
 * S3BlobStore/SqsQueue, and an in-process pump that plays Lambda's event source mappings with the real
 * handlers (lambdas/*) on the production Poller (tests/lambdas/sqs-pump.ts `drain`: batchItemFailures
 * honoured, a failed record is not deleted, it reappears after the visibility timeout and reaches the DLQ
 * after maxReceiveCount).
 */
import { randomBytes } from 'node:crypto';
import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import {
  allQueueUrls,
  bootstrapLocalstack,
  deleteBucket,
  deleteQueues,
  type LocalstackResources,
} from '../../adapters/localstack/bootstrap.ts';
import { type LocalstackClients, localstackClients } from '../../adapters/localstack/clients.ts';
import { SqsQueue } from '../../adapters/queue/sqs.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import type { Aggregate } from '../../core/app/aggregator.ts';
import type { AppDeps } from '../../core/app/deps.ts';
import { getJson } from '../../core/app/json.ts';
import { submitSweep } from '../../core/app/submit.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { Leaderboard } from '../../core/report/index.ts';
import type { TrialResult } from '../../core/result.ts';
import { createHandler as aggregatorHandler } from '../../lambdas/aggregator.ts';
import { createHandler as dispatcherHandler } from '../../lambdas/dispatcher.ts';
import { createHandler as workerHandler } from '../../lambdas/worker.ts';
import { submitUnchecked } from '../app/harness.ts';
import { drain, type LogLine, lambdaContext, type Mapping, recordingLog } from '../lambdas/sqs-pump.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';

/** Worker timeout of the fault tests' resources: trials visibility = 6 × 1 s = 6 s. */
export const FAULT_WORKER_TIMEOUT_S = 1;
/** Visibility the in-process pump asks for on the submissions / results / DLQ receives (theirs are minutes). */
const SHORT_VISIBILITY_S = 3;

export interface FaultWorld {
  /** Resource name prefix (bucket `<prefix>-bucket`, queues `<prefix>-<role>[-dlq]`). */
  prefix: string;
  clients: LocalstackClients;
  res: LocalstackResources;
  store: S3BlobStore;
  submissions: SqsQueue;
  trials: SqsQueue;
  results: SqsQueue;
  trialsDlq: SqsQueue;
  log: ReturnType<typeof recordingLog>;
  /** Deps over this world's bucket and queues (fresh loader: no memo shared with other deps). */
  deps(overrides?: Partial<AppDeps>): AppDeps;
  submit(text: string, filename?: string): Promise<string>;
  /** Without the data set check (tests/app/harness.ts `submitUnchecked`): for poison trials. */
  submitUnchecked(text: string): Promise<string>;
  pump(opts?: PumpOptions): Promise<PumpStats>;
  datasetVersion(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface PumpOptions {
  /** Deps of the worker / aggregator / dispatcher invocations (default: world.deps()). */
  workerDeps?: () => AppDeps;
  aggregatorDeps?: () => AppDeps;
  dispatcherDeps?: () => AppDeps;
  /** Invoke every handler twice with each event (a runner that delivers every record twice). */
  invokeTwice?: boolean;
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Only run these mappings (default all). */
  only?: readonly MappingName[];
}

export type MappingName = 'dispatcher' | 'worker' | 'deadLetters' | 'aggregator';

export interface PumpStats {
  invocations: Record<MappingName, number>;
  /** Failed record ids per mapping (batchItemFailures, in order). */
  failures: Record<MappingName, string[]>;
  /** Every trial-queue delivery: trial id and its ApproximateReceiveCount. */
  trialDeliveries: { trialId: string; receiveCount: number; continuation: number }[];
  /** Dead-lettered trial ids, with the receive count their DLQ copy carried. */
  deadLettered: { trialId: string; receiveCount: number }[];
}

export async function createFaultWorld(name: string, opts: { memoryMb?: number } = {}): Promise<FaultWorld> {
  const clients = localstackClients(await ensureLocalstack());
  const prefix = `flt-${name}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 40);
  const res = await bootstrapLocalstack(clients, { prefix, workerTimeoutSeconds: FAULT_WORKER_TIMEOUT_S });
  const q = (url: string) => new SqsQueue(clients.sqs, url, url.split('/').pop()!);
  const store = new S3BlobStore(clients.s3, res.bucket);
  await prepareDataset(store, loadMnistMini(), []);
  const submissions = q(res.queueUrls.submissions);
  const trials = q(res.queueUrls.trials);
  const results = q(res.queueUrls.results);
  const trialsDlq = q(res.dlqUrls.trials);
  const log = recordingLog();
  const deps = (o: Partial<AppDeps> = {}): AppDeps => {
    const s: BlobStore = o.store ?? store;
    return {
      store: s,
      trials,
      results,
      datasets: createDatasetLoader(s, { tmpDir: false }),
      log,
      now: Date.now,
      workerId: `fault-${name}`,
      memoryMb: opts.memoryMb ?? 1769,
      arch: 'arm64',
      ...o,
    };
  };
  const world: FaultWorld = {
    prefix,
    clients,
    res,
    store,
    submissions,
    trials,
    results,
    trialsDlq,
    log,
    deps,
    async submit(text, filename = 'sweep.json') {
      const r = await submitSweep(text, filename, { store, submissions, now: Date.now });
      if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
      return r.value.sweep_id;
    },
    submitUnchecked: (text) => submitUnchecked(text, { store, submissions, now: Date.now }),
    pump: (o) => pump(world, o),
    async datasetVersion() {
      const k = (await store.list('datasets/mnist-mini/')).find((x) => x.endsWith('/manifest.json'));
      return k!.split('/')[2]!;
    },
    async cleanup() {
      await deleteQueues(clients, allQueueUrls(res));
      await deleteBucket(clients, res.bucket).catch(() => undefined);
    },
  };
  return world;
}

function workerContext(): ReturnType<typeof lambdaContext> {
  const deadline = Date.now() + FAULT_WORKER_TIMEOUT_S * 1000;
  return lambdaContext({ remainingMs: () => Math.max(0, deadline - Date.now()) });
}

async function pump(w: FaultWorld, o: PumpOptions = {}): Promise<PumpStats> {
  const aggregator = aggregatorHandler(o.aggregatorDeps ?? (() => w.deps()));
  const mappings: (Mapping & { name: MappingName })[] = [
    {
      name: 'dispatcher',
      queue: w.submissions,
      handler: dispatcherHandler(o.dispatcherDeps ?? (() => w.deps())),
      batchSize: 1,
      visibilitySeconds: SHORT_VISIBILITY_S,
    },
    {
      name: 'worker',
      queue: w.trials,
      handler: workerHandler(o.workerDeps ?? (() => w.deps())),
      batchSize: 1,
      context: workerContext,
    },
    {
      name: 'deadLetters',
      queue: w.trialsDlq,
      handler: aggregator,
      batchSize: 10,
      visibilitySeconds: SHORT_VISIBILITY_S,
    },
    {
      name: 'aggregator',
      queue: w.results,
      handler: aggregator,
      batchSize: 10,
      visibilitySeconds: SHORT_VISIBILITY_S,
    },
  ];
  const trialDeliveries: PumpStats['trialDeliveries'] = [];
  const deadLettered: PumpStats['deadLettered'] = [];
  const run = await drain(
    mappings.filter((m) => !o.only || o.only.includes(m.name)),
    {
      invokeTwice: Boolean(o.invokeTwice),
      timeoutMs: o.timeoutMs ?? 120_000,
      idlePauseMs: 200,
      onEvent: (name, event) => {
        for (const r of event.Records) {
          let body: { trial_id?: unknown; continuation?: unknown };
          try {
            body = JSON.parse(r.body) as typeof body;
          } catch {
            continue;
          }
          const trialId = String(body.trial_id);
          const receiveCount = Number(r.attributes.ApproximateReceiveCount);
          if (name === 'worker')
            trialDeliveries.push({ trialId, receiveCount, continuation: Number(body.continuation ?? 0) });
          else if (name === 'deadLetters') deadLettered.push({ trialId, receiveCount });
        }
      },
    },
  );
  const names: MappingName[] = ['dispatcher', 'worker', 'deadLetters', 'aggregator'];
  return {
    invocations: Object.fromEntries(
      names.map((n) => [n, run.invocations[n] ?? 0]),
    ) as PumpStats['invocations'],
    failures: Object.fromEntries(names.map((n) => [n, run.failures[n] ?? []])) as PumpStats['failures'],
    trialDeliveries,
    deadLettered,
  };
}

/** What a sweep ended with, read back from the bucket. */
export interface SweepOutcome {
  state: SweepState | undefined;
  aggregate: Aggregate | undefined;
  leaderboard: (Leaderboard & { based_on: number }) | undefined;
  /** result.json of every trial that has one, by trial id. */
  results: Map<string, TrialResult>;
  reportHtml: string | undefined;
}

export async function readOutcome(store: BlobStore, sweepId: string): Promise<SweepOutcome> {
  // State first: when it says finished, the listing below is sure to see every result.
  const state = await getJson<SweepState>(store, keys.sweepState(sweepId));
  const aggregate = await getJson<Aggregate>(store, keys.aggregate(sweepId));
  const leaderboard = await getJson<Leaderboard & { based_on: number }>(
    store,
    keys.leaderboard(sweepId, 'json'),
  );
  const prefix = keys.trials(sweepId);
  const results = new Map<string, TrialResult>();
  for (const k of await store.list(prefix)) {
    if (!k.endsWith('/result.json')) continue;
    const r = await getJson<TrialResult>(store, k);
    if (r) results.set(r.trial_id, r);
  }
  const html = await store.get(keys.report(sweepId));
  return {
    state,
    aggregate,
    leaderboard,
    results,
    reportHtml: html ? new TextDecoder().decode(html.body) : undefined,
  };
}

/** Log lines at a level (the recording log of the world). */
export const linesAt = (lines: LogLine[], level: string) => lines.filter((l) => l.level === level);

/** A tiny grid sweep on mnist-mini (784-16-10, 1 epoch) with `n` trials (n distinct seeds). */
export function tinySweepText(
  name: string,
  n: number,
  parameters: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    name,
    dataset: 'mnist-mini',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: {
      layers: { value: '784-16-10' },
      epochs: { value: 1 },
      batch_size: { value: 128 },
      learning_rate: { value: 0.003 },
      seed: { values: Array.from({ length: n }, (_, i) => i) },
      ...parameters,
    },
    ...top,
  });
}
