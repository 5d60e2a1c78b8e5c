/**
 * The embedded backend: the whole service in one process, no emulator, no Python.
 *
 *   store     FsBlobStore under `storeDir` (shared by every thread; conditional puts are atomic across them)
 *   queues    InProcessQueues in the main thread with the service's visibility timeouts and DLQ redrive
 *             (serviceSpec() of core/service-spec.ts, the same definition as the stack)
 *   dispatcher, aggregator   the real handler modules (lambdas/*.ts createHandler) in the main thread,
 *             each fed by a Poller (the aggregator by two: the results queue and the trials DLQ)
 *   workers   a pool of worker_threads (default: one per core), each a warm "container" running
 *             lambdas/worker.ts; one Poller per thread receives one trial at a time (batch size 1)
 *
 * A thread that dies mid-invocation is replaced; its message stays in flight and comes back after the
 * visibility timeout (then goes to the DLQ after maxReceiveCount), exactly as on Lambda.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { SQSBatchResponse } from 'aws-lambda';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import type { Queues } from '../../core/ports.ts';
import { QUEUE_ROLES, type QueueRole, type ServiceSpec, serviceSpec } from '../../core/service-spec.ts';
import { createHandler as createAggregator } from '../../lambdas/aggregator.ts';
import { createHandler as createDispatcher } from '../../lambdas/dispatcher.ts';
import { createDatasetLoader } from '../data/loader.ts';
import { LOCAL_WORKER_TIMEOUT_SECONDS } from '../localstack/bootstrap.ts';
import { InProcessQueue } from '../queue/memory.ts';
import { FsBlobStore } from '../store/fs.ts';
import type { FromThread, ToThread, WorkerThreadData } from './embedded-worker.ts';
import type { FunctionSpec } from './lambda-event.ts';
import { type BatchReport, invokeHandler, Poller } from './poller.ts';
import { tsWorker } from './ts-worker.ts';

export interface EmbeddedOptions {
  storeDir: string;
  /** Worker threads (default: os.availableParallelism()). */
  workers?: number;
  /** Worker function timeout; the trials queue's visibility is 6× this (default 60 s). */
  workerTimeoutSeconds?: number;
  memoryMb?: number;
  /** Trials queue visibility timeout; default 6 × the worker timeout (the SQS rule). Tests shorten it. */
  trialsVisibilitySeconds?: number;
  /** Structured log lines of every function (default: dropped). */
  log?: Log;
  onBatch?: (r: BatchReport) => void;
}

export interface RunnerActivity {
  workers: number;
  /** Worker threads currently running an invocation. */
  busy: number;
  /** Worker threads that died and were replaced. */
  restarts: number;
}

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

interface Slot {
  index: number;
  worker: Worker;
  /** False between a thread's death and its replacement being ready. */
  alive: boolean;
  pending: Map<number, { resolve: (r: SQSBatchResponse | undefined) => void; reject: (e: Error) => void }>;
  poller: Poller;
}

export class EmbeddedRunner {
  readonly store: FsBlobStore;
  readonly queues: Queues;
  readonly dlqs: Record<QueueRole, InProcessQueue>;
  readonly spec: ServiceSpec;
  readonly workerCount: number;
  private readonly log: Log;
  private readonly slots: Slot[] = [];
  private readonly mainPollers: Poller[] = [];
  private nextId = 1;
  private restarts = 0;
  private stopping = false;

  constructor(private readonly o: EmbeddedOptions) {
    this.store = new FsBlobStore(o.storeDir);
    this.spec = serviceSpec({ workerTimeoutSeconds: o.workerTimeoutSeconds ?? LOCAL_WORKER_TIMEOUT_SECONDS });
    this.workerCount = Math.max(1, o.workers ?? availableParallelism());
    this.log = o.log ?? quiet;
    const dlqs = {} as Record<QueueRole, InProcessQueue>;
    const queues = {} as Record<QueueRole, InProcessQueue>;
    for (const role of QUEUE_ROLES) {
      const q = this.spec.queues[role];
      dlqs[role] = new InProcessQueue(`${q.suffix}-dlq`, { visibilityTimeoutSeconds: 30 });
      queues[role] = new InProcessQueue(q.suffix, {
        visibilityTimeoutSeconds:
          role === 'trials' && o.trialsVisibilitySeconds
            ? o.trialsVisibilitySeconds
            : q.visibilityTimeoutSeconds,
        maxReceiveCount: q.maxReceiveCount,
        dlq: dlqs[role],
      });
    }
    this.queues = queues;
    this.dlqs = dlqs;
  }

  /** Deps of the functions that run in the main thread (dispatcher, aggregator). */
  mainDeps(): AppDeps {
    return {
      store: this.store,
      trials: this.queues.trials,
      results: this.queues.results,
      datasets: createDatasetLoader(this.store, { tmpDir: false }),
      log: this.log,
      now: Date.now,
      workerId: 'embedded-main',
      memoryMb: this.spec.worker.memoryMb,
      arch: this.spec.worker.arch,
    };
  }

  async start(): Promise<void> {
    const deps = this.mainDeps();
    const onBatch = (r: BatchReport) => this.o.onBatch?.(r);
    const onError = (e: unknown) => this.log.error('poller error', { error: String(e) });
    const dispatcher = createDispatcher(() => deps);
    const aggregator = createAggregator(() => deps);
    const fn = (name: string, timeoutSeconds: number): FunctionSpec => ({
      functionName: name,
      timeoutSeconds,
      memoryMb: this.spec.worker.memoryMb,
    });
    this.mainPollers.push(
      new Poller({
        queue: this.queues.submissions,
        fn: fn('dispatcher', this.spec.dispatcherTimeoutSeconds),
        invoke: invokeHandler(dispatcher),
        batchSize: 1,
        onBatch,
        onError,
      }),
      new Poller({
        queue: this.queues.results,
        fn: fn('aggregator', this.spec.aggregatorTimeoutSeconds),
        invoke: invokeHandler(aggregator),
        batchSize: 10,
        onBatch,
        onError,
      }),
      new Poller({
        queue: this.dlqs.trials,
        fn: fn('aggregator', this.spec.aggregatorTimeoutSeconds),
        invoke: invokeHandler(aggregator),
        batchSize: 10,
        onBatch,
        onError,
      }),
    );
    await Promise.all(Array.from({ length: this.workerCount }, (_, i) => this.spawn(i)));
    for (const p of this.mainPollers) p.start();
    for (const s of this.slots) s.poller.start();
  }

  private spawnThread(index: number): Promise<Worker> {
    const data: WorkerThreadData = {
      storeDir: this.store.root,
      workerName: `embedded-worker-${index}`,
      memoryMb: this.o.memoryMb ?? this.spec.worker.memoryMb,
      arch: this.spec.worker.arch,
    };
    const worker = tsWorker(new URL('./embedded-worker.ts', import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const onReady = (m: FromThread) => {
        if (m.type !== 'ready') return;
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve(worker);
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
  }

  private async spawn(index: number): Promise<void> {
    const worker = await this.spawnThread(index);
    const existing = this.slots[index];
    const slot: Slot = existing ?? {
      index,
      worker,
      alive: true,
      pending: new Map(),
      poller: undefined as unknown as Poller,
    };
    slot.worker = worker;
    slot.alive = true;
    this.attach(slot);
    if (!existing) {
      slot.poller = new Poller({
        queue: this.queues.trials,
        fn: {
          functionName: 'worker',
          timeoutSeconds: this.spec.worker.timeoutSeconds,
          memoryMb: this.o.memoryMb ?? this.spec.worker.memoryMb,
        },
        invoke: (event, fn) =>
          new Promise((resolve, reject) => {
            // A record handed to a dead "container" fails like a crashed invocation (retried by the queue).
            if (!slot.alive) return reject(new Error(`worker thread ${slot.index} is restarting`));
            const id = this.nextId++;
            slot.pending.set(id, { resolve, reject });
            const msg: ToThread = { type: 'invoke', id, event, fn, requestId: randomUUID() };
            slot.worker.postMessage(msg);
          }),
        batchSize: this.spec.worker.batchSize,
        onBatch: (r) => this.o.onBatch?.(r),
        onError: (e) => this.log.error('worker poller error', { error: String(e) }),
      });
      this.slots[index] = slot;
    }
  }

  private attach(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', async (m: FromThread) => {
      if (m.type === 'log') {
        this.log[m.level](m.message, { ...m.extra, worker: slot.index });
        return;
      }
      if (m.type !== 'done') return;
      const p = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      try {
        // Deliver what the invocation sent before its record can be deleted.
        if (m.sent.trials.length) await this.queues.trials.send(m.sent.trials);
        if (m.sent.results.length) await this.queues.results.send(m.sent.results);
      } catch (e) {
        p?.reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve(m.response);
    });
    const died = (why: string) => {
      if (slot.worker !== worker || !slot.alive) return;
      slot.alive = false;
      for (const [, p] of slot.pending) p.reject(new Error(`worker thread ${slot.index} died: ${why}`));
      slot.pending.clear();
      if (this.stopping) return;
      this.restarts++;
      this.log.error('worker thread died; starting a new one', { worker: slot.index, why });
      this.spawn(slot.index).catch((e) =>
        this.log.error('could not restart a worker thread', { error: String(e) }),
      );
    };
    worker.on('error', (e) => died(e instanceof Error ? e.message : String(e)));
    worker.on('exit', (code) => died(`exit code ${code}`));
  }

  /** Ends worker thread `index` abruptly, as a crash would (tests). */
  async killWorker(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  activity(): RunnerActivity {
    return {
      workers: this.workerCount,
      busy: this.slots.filter((s) => s?.poller.isBusy).length,
      restarts: this.restarts,
    };
  }

  /** Stops polling (finishing the invocations in progress), then ends the threads. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.mainPollers, ...this.slots.map((s) => s.poller)].map((p) => p?.stop()));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
