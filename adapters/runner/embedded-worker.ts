/**
 * One worker thread of the embedded runner: a warm "Lambda container" of the worker function. It runs the
 * real handler module (`lambdas/worker.ts` `createHandler`) with deps whose store is the shared
 * FsBlobStore and whose queues collect what the invocation sends; the main thread forwards those
 * messages to its in-process queues when the invocation returns (before it deletes the record), so the
 * order is the same as on Lambda: sends happen before the event source mapping deletes the message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import { createHandler } from '../../lambdas/worker.ts';
import { createDatasetLoader } from '../data/loader.ts';
import { FsBlobStore } from '../store/fs.ts';
import { type FunctionSpec, lambdaContext } from './lambda-event.ts';

export interface WorkerThreadData {
  storeDir: string;
  workerName: string;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
}

export type ToThread = { type: 'invoke'; id: number; event: SQSEvent; fn: FunctionSpec; requestId: string };
export type FromThread =
  | { type: 'ready' }
  | {
      type: 'done';
      id: number;
      response?: SQSBatchResponse;
      error?: string;
      sent: { trials: string[]; results: string[] };
    }
  | { type: 'log'; level: keyof Log; message: string; extra?: Record<string, unknown> };

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
const post = (m: FromThread) => port.postMessage(m);

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
const handler = createHandler(() => deps);

port.on('message', async (m: ToThread) => {
  if (m.type !== 'invoke') return;
  trials.sent = [];
  results.sent = [];
  let reply: FromThread;
  try {
    const response = await handler(m.event, lambdaContext(m.fn, m.requestId));
    reply = { type: 'done', id: m.id, ...(response ? { response } : {}), sent: { trials: [], results: [] } };
  } catch (e) {
    reply = {
      type: 'done',
      id: m.id,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      sent: { trials: [], results: [] },
    };
  }
  reply.sent = { trials: trials.sent, results: results.sent };
  post(reply);
});
post({ type: 'ready' });
