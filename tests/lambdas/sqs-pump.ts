/**
 * Plays Lambda's SQS event-source mapping against in-process queues: receive a batch, hand the handler a
 * real-shaped SQSEvent and Context, delete every record not listed in `batchItemFailures` (those stay
 * on the queue, are redelivered, and move to the DLQ after maxReceiveCount receives).
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import { MAX_RECEIVE_COUNT } from '../../core/service-spec.ts';
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

export function sqsRecord(
  m: Pick<ReceivedMessage, 'id' | 'body'> & Partial<ReceivedMessage>,
  queue: string,
): SQSRecord {
  return {
    messageId: m.id,
    receiptHandle: m.receiptHandle ?? `rh-${m.id}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount ?? 1),
      SentTimestamp: String(m.sentTimestamp ?? Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

export function lambdaContext(
  opts: { remainingMs?: () => number; requestId?: string; memoryMb?: number } = {},
): Context {
  const remaining = opts.remainingMs ?? (() => 900_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-function',
    memoryLimitInMB: String(opts.memoryMb ?? 1769),
    awsRequestId: opts.requestId ?? `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/test-function',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remaining,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export const eventOf = (records: SQSRecord[]): SQSEvent => ({ Records: records });

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
    memoryMb: 1769,
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

export interface Delivery {
  records: number;
  failed: string[];
}

/** One event-source-mapping poll: up to `batchSize` messages → one handler invocation. */
export async function deliver(
  queue: MessageQueue,
  handler: SqsHandler,
  opts: { batchSize: number; context?: () => Context },
): Promise<Delivery | undefined> {
  const got = await queue.receive({ max: opts.batchSize, waitSeconds: 0 });
  if (got.length === 0) return undefined;
  const res = await handler(
    eventOf(got.map((m) => sqsRecord(m, queue.name))),
    (opts.context ?? lambdaContext)(),
  );
  const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of got) if (!failed.has(m.id)) await queue.delete(m.receiptHandle);
  return { records: got.length, failed: [...failed] };
}

/** Runs every mapping of the stack (batch sizes as deployed) until all queues are idle. */
export async function pumpAll(
  w: World,
  h: { dispatcher: SqsHandler; worker: SqsHandler; aggregator: SqsHandler },
  opts: { workerContext?: () => Context } = {},
): Promise<{ invocations: Record<string, number>; failures: Record<string, string[]> }> {
  const invocations: Record<string, number> = { dispatcher: 0, worker: 0, aggregator: 0, deadLetters: 0 };
  const failures: Record<string, string[]> = { dispatcher: [], worker: [], aggregator: [], deadLetters: [] };
  const polls: [string, MessageQueue, SqsHandler, number, (() => Context) | undefined][] = [
    ['dispatcher', w.submissions, h.dispatcher, 1, undefined],
    ['worker', w.trials, h.worker, 1, opts.workerContext],
    ['deadLetters', w.trialsDlq, h.aggregator, 10, undefined],
    ['aggregator', w.results, h.aggregator, 10, undefined],
  ];
  for (let idle = 0, rounds = 0; idle < 2; rounds++) {
    if (rounds > 500) throw new Error('queues never drained');
    let worked = false;
    for (const [name, queue, handler, batchSize, context] of polls) {
      const d = await deliver(queue, handler, { batchSize, ...(context ? { context } : {}) });
      if (!d) continue;
      worked = true;
      invocations[name] = (invocations[name] ?? 0) + 1;
      failures[name]?.push(...d.failed);
    }
    idle = worked ? 0 : idle + 1;
  }
  return { invocations, failures };
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
