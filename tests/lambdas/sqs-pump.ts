/**
 * Lambda's SQS event source mappings for the tests, on the production pieces: records and Contexts from
 * adapters/runner/lambda-event.ts, delivery by adapters/runner/poller.ts (receive a batch, invoke, delete
 * every record not listed in `batchItemFailures`: those stay on the queue, are redelivered, and move to the
 * DLQ after maxReceiveCount receives). `drain` runs several mappings until every queue is empty; the
 * in-memory world below, tests/app/harness.ts and tests/faults/world.ts all use it.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import {
  lambdaContext as contextOf,
  type FunctionSpec,
  sqsEvent,
} from '../../adapters/runner/lambda-event.ts';
import { type Invoke, Poller } from '../../adapters/runner/poller.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import { DEFAULT_WORKER_MEMORY_MB, MAX_RECEIVE_COUNT } from '../../core/service-spec.ts';
import type { SqsHandler } from '../../lambdas/runtime.ts';

export interface LogLine {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

/** A Log that keeps what it is told (handlers log failed records through deps.log). */
export function recordingLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, ...(extra ? { extra } : {}) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The test functions' spec: Lambda's maximum timeout unless told otherwise. */
const testFunction = (o: Partial<FunctionSpec> = {}): FunctionSpec => ({
  functionName: 'test-function',
  timeoutSeconds: 900,
  memoryMb: DEFAULT_WORKER_MEMORY_MB,
  ...o,
});

/** One SQS record as the event source mapping builds it, from a received message (or just an id and body). */
export function sqsRecord(
  m: Pick<ReceivedMessage, 'id' | 'body'> & Partial<ReceivedMessage>,
  queue: string,
): SQSRecord {
  const received: ReceivedMessage = {
    receiptHandle: `rh-${m.id}`,
    receiveCount: 1,
    sentTimestamp: Date.now(),
    ...m,
  };
  return sqsEvent([received], { name: queue }).Records[0]!;
}

export const eventOf = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A Context of the test function; `remainingMs` replaces its countdown (a Lambda near its timeout). */
export function lambdaContext(
  opts: { remainingMs?: () => number; requestId?: string; memoryMb?: number } = {},
): Context {
  const context = contextOf(
    testFunction(opts.memoryMb !== undefined ? { memoryMb: opts.memoryMb } : {}),
    opts.requestId ?? randomUUID(),
  );
  return opts.remainingMs ? { ...context, getRemainingTimeInMillis: opts.remainingMs } : context;
}

/** One event source mapping of a test: a queue, the handler it invokes, its batch size. */
export interface Mapping {
  name: string;
  queue: MessageQueue;
  handler: SqsHandler;
  batchSize: number;
  /** The Context of each invocation (default: the test function's, 900 s). */
  context?: () => Context;
  /** Visibility asked for on each receive (default: the queue's). */
  visibilitySeconds?: number;
}

export interface DrainOptions {
  /** Invoke the handler twice with each event (a runner that delivers every record twice). */
  invokeTwice?: boolean;
  /** Sees every event before it is handled (deliveries, receive counts). */
  onEvent?: (mapping: string, event: SQSEvent) => void;
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Pause between rounds that found nothing while a queue still holds an invisible message (ms). */
  idlePauseMs?: number;
}

export interface DrainStats {
  invocations: Record<string, number>;
  /** Failed record ids per mapping (batchItemFailures, in order). */
  failures: Record<string, string[]>;
}

function pollerOf(m: Mapping, o: DrainOptions, stats: DrainStats): Poller {
  const invoke: Invoke = async (event) => {
    o.onEvent?.(m.name, event);
    const failed = new Set<string>();
    for (let i = 0; i < (o.invokeTwice ? 2 : 1); i++) {
      stats.invocations[m.name] = (stats.invocations[m.name] ?? 0) + 1;
      const out = await m.handler(event, (m.context ?? lambdaContext)());
      for (const f of out.batchItemFailures) failed.add(f.itemIdentifier);
    }
    stats.failures[m.name]!.push(...failed);
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return new Poller({
    queue: m.queue,
    fn: testFunction({ functionName: m.name }),
    invoke,
    batchSize: m.batchSize,
    waitSeconds: 0,
    ...(m.visibilitySeconds !== undefined ? { visibilityTimeoutSeconds: m.visibilitySeconds } : {}),
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the mappings, in order, round after round, until every queue is empty (nothing visible or in flight). */
export async function drain(mappings: readonly Mapping[], o: DrainOptions = {}): Promise<DrainStats> {
  const stats: DrainStats = {
    invocations: Object.fromEntries(mappings.map((m) => [m.name, 0])),
    failures: Object.fromEntries(mappings.map((m) => [m.name, []])),
  };
  const pollers = mappings.map((m) => pollerOf(m, o, stats));
  const timeoutMs = o.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (let idle = 0; idle < 2; ) {
    if (Date.now() > deadline) throw new Error(`drain: queues not empty after ${timeoutMs} ms`);
    let worked = false;
    for (const p of pollers) if ((await p.pollOnce()) > 0) worked = true;
    if (worked) {
      idle = 0;
      continue;
    }
    const depths = await Promise.all(mappings.map((m) => m.queue.depth()));
    idle = depths.every((d) => d.visible === 0 && d.inFlight === 0) ? idle + 1 : 0;
    if (idle === 0) await sleep(o.idlePauseMs ?? 50);
  }
  return stats;
}

/** One event source mapping poll: up to `batchSize` messages → one handler invocation. */
export async function deliver(
  queue: MessageQueue,
  handler: SqsHandler,
  opts: { batchSize: number; context?: () => Context; visibilitySeconds?: number },
): Promise<{ records: number; failed: string[] } | undefined> {
  const stats: DrainStats = { invocations: { one: 0 }, failures: { one: [] } };
  const records = await pollerOf({ name: 'one', queue, handler, ...opts }, {}, stats).pollOnce();
  return records === 0 ? undefined : { records, failed: stats.failures.one! };
}

export interface World {
  deps: AppDeps;
  log: Log & { lines: LogLine[] };
  store: MemoryBlobStore;
  submissions: InProcessQueue;
  trials: InProcessQueue;
  trialsDlq: InProcessQueue;
  results: InProcessQueue;
  submit(text: string): Promise<string>;
}

export async function createWorld(): Promise<World> {
  const store = new MemoryBlobStore();
  await prepareDataset(store, loadMnistMini(), []);
  const trialsDlq = new InProcessQueue('trials-dlq');
  const submissions = new InProcessQueue('submissions', { visibilityTimeoutSeconds: 0, maxReceiveCount: 3 });
  const trials = new InProcessQueue('trials', {
    visibilityTimeoutSeconds: 0,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    dlq: trialsDlq,
  });
  const results = new InProcessQueue('results', { visibilityTimeoutSeconds: 0, maxReceiveCount: 3 });
  const log = recordingLog();
  const deps: AppDeps = {
    store,
    trials,
    results,
    datasets: createDatasetLoader(store, { tmpDir: false }),
    log,
    now: Date.now,
    workerId: 'lambda-test',
    memoryMb: DEFAULT_WORKER_MEMORY_MB,
    arch: 'arm64',
  };
  return {
    deps,
    log,
    store,
    submissions,
    trials,
    trialsDlq,
    results,
    async submit(text) {
      const r = await submitSweep(text, 'test.json', { store, submissions, now: Date.now });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.value.sweep_id;
    },
  };
}

/** Every mapping of the stack (batch sizes as deployed) over a world's queues, until all are empty. */
export async function pumpAll(
  w: World,
  h: { dispatcher: SqsHandler; worker: SqsHandler; aggregator: SqsHandler },
  opts: { workerContext?: () => Context } = {},
): Promise<DrainStats> {
  return drain([
    { name: 'dispatcher', queue: w.submissions, handler: h.dispatcher, batchSize: 1 },
    {
      name: 'worker',
      queue: w.trials,
      handler: h.worker,
      batchSize: 1,
      ...(opts.workerContext ? { context: opts.workerContext } : {}),
    },
    { name: 'deadLetters', queue: w.trialsDlq, handler: h.aggregator, batchSize: 10 },
    { name: 'aggregator', queue: w.results, handler: h.aggregator, batchSize: 10 },
  ]);
}

export function tinySweep(name: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name,
    dataset: 'mnist-mini',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: {
      layers: { value: '784-16-10' },
      epochs: { value: 1 },
      batch_size: { value: 128 },
      learning_rate: { values: [0.001, 0.01] },
    },
    ...overrides,
  });
}
