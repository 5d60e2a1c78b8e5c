/**
 * The embedded backend: the whole service in one process, no emulator, no Python.
 *
 *   store     FsBlobStore under `storeDir` (shared by every thread; conditional puts are atomic across them)
 *   queues    InProcessQueues in the main thread with the service's visibility timeouts and DLQ redrive
 *             (serviceSpec() of core/service-spec.ts, the same definition as the stack)
 *   dispatcher, aggregator   the handler modules' `createHandler` (`modules`, the TypeScript sources) in the
 *             main thread, each fed by a Poller (the aggregator by two: the results queue and the trials DLQ)
 *   workers   a pool of worker_threads (default: one per core), each a warm "container" (container.ts)
 *             running the worker's handler module; one Poller per thread receives one trial at a time
 *
 * A thread that dies mid-invocation is replaced; its message stays in flight and comes back after the
 * visibility timeout (then goes to the DLQ after maxReceiveCount), exactly as on Lambda.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import type { Queues } from '../../core/ports.ts';
import { QUEUE_ROLES, type QueueRole, type ServiceSpec, serviceSpec } from '../../core/service-spec.ts';
import { createDatasetLoader } from '../data/loader.ts';
import { LOCAL_WORKER_TIMEOUT_SECONDS } from '../localstack/bootstrap.ts';
import { InProcessQueue } from '../queue/memory.ts';
import { FsBlobStore } from '../store/fs.ts';
import { ContainerSlot, type StartContainer } from './container.ts';
import type { WorkerThreadData } from './embedded-worker.ts';
import type { HandlerModules } from './handler-modules.ts';
import { contextFields, type FunctionSpec, type SqsHandler } from './lambda-event.ts';
import { type BatchReport, type Invoke, invokeHandler, Poller } from './poller.ts';
import { tsWorker } from './ts-worker.ts';

export interface EmbeddedOptions {
  storeDir: string;
  /** The handler modules (TypeScript sources: they export `createHandler(deps)`). */
  modules: HandlerModules;
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

type CreateHandler = (deps: () => AppDeps) => SqsHandler;

async function createHandlerOf(url: string): Promise<CreateHandler> {
  return ((await import(url)) as { createHandler: CreateHandler }).createHandler;
}

export class EmbeddedRunner {
  readonly store: FsBlobStore;
  readonly queues: Queues;
  readonly dlqs: Record<QueueRole, InProcessQueue>;
  readonly spec: ServiceSpec;
  readonly workerCount: number;
  private readonly log: Log;
  private readonly slots: ContainerSlot[] = [];
  private readonly pollers: Poller[] = [];
  private readonly workerPollers: Poller[] = [];

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

  private poller(queue: Queues[keyof Queues], fn: FunctionSpec, invoke: Invoke, batchSize: number): Poller {
    const p = new Poller({
      queue,
      fn,
      invoke,
      batchSize,
      onBatch: (r) => this.o.onBatch?.(r),
      onError: (e) => this.log.error('poller error', { function: fn.functionName, error: String(e) }),
    });
    this.pollers.push(p);
    return p;
  }

  async start(): Promise<void> {
    const deps = this.mainDeps();
    const { urls } = this.o.modules;
    const dispatcher = invokeHandler((await createHandlerOf(urls.dispatcher))(() => deps));
    const aggregator = invokeHandler((await createHandlerOf(urls.aggregator))(() => deps));
    const fn = (
      name: string,
      timeoutSeconds: number,
      memoryMb = this.spec.worker.memoryMb,
    ): FunctionSpec => ({
      functionName: name,
      timeoutSeconds,
      memoryMb,
    });
    this.poller(this.queues.submissions, fn('dispatcher', this.spec.dispatcherTimeoutSeconds), dispatcher, 1);
    const agg = fn('aggregator', this.spec.aggregatorTimeoutSeconds);
    this.poller(this.queues.results, agg, aggregator, 10);
    this.poller(this.dlqs.trials, agg, aggregator, 10);
    const workerFn = fn(
      'worker',
      this.spec.worker.timeoutSeconds,
      this.o.memoryMb ?? this.spec.worker.memoryMb,
    );
    for (let i = 0; i < this.workerCount; i++) {
      const slot = new ContainerSlot(`embedded-worker-${i}`, this.thread(i), {
        log: this.log,
        onLog: (m) => this.log[m.level](m.message, { ...m.extra, worker: i }),
      });
      this.slots.push(slot);
      this.workerPollers.push(
        this.poller(this.queues.trials, workerFn, (event, f) => this.invokeThread(slot, event, f), 1),
      );
    }
    await Promise.all(this.slots.map((s) => s.start()));
    for (const p of this.pollers) p.start();
  }

  /** Starts worker thread `index` (a container running the worker's handler module). */
  private thread(index: number): StartContainer {
    const data: WorkerThreadData = {
      storeDir: this.store.root,
      workerName: `embedded-worker-${index}`,
      memoryMb: this.o.memoryMb ?? this.spec.worker.memoryMb,
      arch: this.spec.worker.arch,
      handlerModule: this.o.modules.urls.worker,
    };
    return (on) => {
      const worker = tsWorker(new URL('./embedded-worker.ts', import.meta.url), { workerData: data });
      worker.on('message', on.message);
      worker.on('error', (e) => on.exit(e instanceof Error ? e.message : String(e)));
      worker.on('exit', (code) => on.exit(`exit code ${code}`));
      return {
        pid: undefined,
        post: (m) => worker.postMessage(m),
        kill: () => void worker.terminate(),
        stop: async () => void (await worker.terminate()),
      };
    };
  }

  /** One invocation in a worker thread; what it sent is delivered before its record can be deleted. */
  private async invokeThread(
    slot: ContainerSlot,
    event: SQSEvent,
    fn: FunctionSpec,
  ): Promise<SQSBatchResponse | undefined> {
    const done = await slot.invoke(event, contextFields(fn, randomUUID()));
    if (done.sent?.trials.length) await this.queues.trials.send(done.sent.trials);
    if (done.sent?.results.length) await this.queues.results.send(done.sent.results);
    if (done.error) throw new Error(done.error);
    return done.response;
  }

  /** Ends worker thread `index` abruptly, as a crash would (tests). */
  async killWorker(index: number): Promise<void> {
    this.slots[index]?.kill();
  }

  activity(): RunnerActivity {
    return {
      workers: this.workerCount,
      busy: this.workerPollers.filter((p) => p.isBusy).length,
      restarts: this.slots.reduce((n, s) => n + s.restarts, 0),
    };
  }

  /** Stops polling (finishing the invocations in progress), then ends the threads. */
  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    await Promise.all(this.slots.map((s) => s.stop(0)));
  }
}
