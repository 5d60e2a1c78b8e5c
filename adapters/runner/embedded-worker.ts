/**
 * One worker thread of the embedded runner: a warm "Lambda container" of the worker function. It runs the
 * handler module it is given (`createHandler`, lambdas/worker.ts) with deps whose store is the shared
 * FsBlobStore and whose queues collect what the invocation sends; the main thread forwards those
 * messages to its in-process queues when the invocation returns (before it deletes the record), so the
 * order is the same as on Lambda: sends happen before the event source mapping deletes the message.
 * It speaks the container protocol (container.ts), with the sent bodies in 'done'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import { createDatasetLoader } from '../data/loader.ts';
import { FsBlobStore } from '../store/fs.ts';
import type { Done, FromContainer, ToContainer } from './container.ts';
import { contextFromFields } from './lambda-context.mjs';

export interface WorkerThreadData {
  storeDir: string;
  workerName: string;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
  /** file: URL of the worker's handler module (exports `createHandler(deps)`). */
  handlerModule: string;
}

type CreateHandler = (
  deps: () => AppDeps,
) => (event: SQSEvent, context: ReturnType<typeof contextFromFields>) => Promise<SQSBatchResponse>;

/** Collects the bodies an invocation sends; the main thread delivers them. */
class Outbox implements MessageQueue {
  sent: string[] = [];
  constructor(readonly name: string) {}
  async send(bodies: readonly string[]): Promise<void> {
    for (const b of bodies)
      if (typeof b !== 'string' || b.length === 0) throw new Error(`${this.name}: empty body`);
    this.sent.push(...bodies);
  }
  async receive(): Promise<ReceivedMessage[]> {
    throw new Error(`${this.name}: a worker does not receive from queues`);
  }
  async delete(): Promise<void> {
    throw new Error(`${this.name}: a worker does not delete messages`);
  }
  async changeVisibility(): Promise<void> {
    throw new Error(`${this.name}: a worker does not change visibility`);
  }
  async depth() {
    return { visible: 0, inFlight: 0 };
  }
}

const port = parentPort;
if (!port) throw new Error('embedded-worker.ts runs as a worker thread');
const data = workerData as WorkerThreadData;
const post = (m: FromContainer) => port.postMessage(m);

const log: Log = {
  debug: () => {},
  info: (message, extra) => post({ type: 'log', level: 'info', message, ...(extra ? { extra } : {}) }),
  warn: (message, extra) => post({ type: 'log', level: 'warn', message, ...(extra ? { extra } : {}) }),
  error: (message, extra) => post({ type: 'log', level: 'error', message, ...(extra ? { extra } : {}) }),
};

const store = new FsBlobStore(data.storeDir);
const trials = new Outbox('trials');
const results = new Outbox('results');
const deps: AppDeps = {
  store,
  trials,
  results,
  datasets: createDatasetLoader(store, { tmpDir: false }),
  log,
  now: Date.now,
  workerId: data.workerName,
  memoryMb: data.memoryMb,
  arch: data.arch,
};
const { createHandler } = (await import(data.handlerModule)) as { createHandler: CreateHandler };
const handler = createHandler(() => deps);

port.on('message', async (m: ToContainer) => {
  if (m === 'stop' || m.type !== 'invoke') return;
  trials.sent = [];
  results.sent = [];
  let reply: Done;
  try {
    const response = await handler(m.event, contextFromFields(m.context));
    reply = { type: 'done', id: m.id, ...(response ? { response } : {}) };
  } catch (e) {
    reply = { type: 'done', id: m.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  post({ ...reply, sent: { trials: trials.sent, results: results.sent } });
});
post({ type: 'ready' });
