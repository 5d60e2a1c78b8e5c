/**
 * The LocalStack-mode runner: Lambda played on this machine. Each function instance is a child process
 * (host.mjs) that imports the handler module — the TypeScript sources through tsx, or the bundles `cdk synth`
 * writes under plain `node` — and builds its deps from its environment exactly as on Lambda: that
 * environment is the function's (`env`: what the stack sets, plus the runtime's AWS_*) and nothing else.
 * The event source mappings run here, in the runner: Pollers on the backend's queues invoke the instances
 * over IPC, one event at a time, and delete what succeeded.
 *
 * One dispatcher (submissions queue), `workers` workers (every trials queue shard) and one aggregator
 * (results queue + trials DLQ). An instance that dies is replaced; the message it held comes back after
 * the visibility timeout, as on Lambda.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from '../../core/app/deps.ts';
import type { MessageQueue, Queues } from '../../core/ports.ts';
import { serviceSpec } from '../../core/service-spec.ts';
import type { Backend } from '../backend.ts';
import { type ContainerChannel, ContainerSlot, type FunctionRole, type StartContainer } from './container.ts';
import type { HandlerModules } from './handler-modules.ts';
import { contextFields, type FunctionSpec } from './lambda-event.ts';
import { type BatchReport, type Invoke, Poller } from './poller.ts';
import { TSX_EXEC_ARGV } from './ts-worker.ts';

export interface ProcessRunnerOptions {
  /**
   * A LocalStack or AWS backend: its `env` is the functions' whole environment (the stack's variables and
   * the runtime's AWS_*); its queues are what the event source mappings poll (the trials DLQ is the
   * aggregator's second source).
   */
  backend: Pick<Backend, 'env' | 'queues' | 'trialsDlq'>;
  /** Extra environment for every instance (tests: a preloaded probe). */
  env?: Record<string, string>;
  modules: HandlerModules;
  workers: number;
  /** Worker function timeout (its Context counts down from it). */
  workerTimeoutSeconds: number;
  memoryMb?: number;
  /** Instances' stdout/stderr (Powertools JSON logs) go to `<logDir>/<name>.log`; default: discarded. */
  logDir?: string;
  log?: Log;
  onBatch?: (r: BatchReport & { instance: string }) => void;
}

const HOST = fileURLToPath(new URL('./host.mjs', import.meta.url));
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Waits for `p`, at most `ms` (the timer does not outlive it). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** A child process speaking the container protocol (host.mjs). */
function processChannel(child: ChildProcess): ContainerChannel {
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    post: (m) => {
      if (child.connected) child.send(m);
    },
    kill: () => child.kill('SIGKILL'),
    async stop(graceMs) {
      if (!alive()) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      if (child.connected) child.send('stop');
      else child.kill('SIGTERM');
      await gone;
      clearTimeout(timer);
    },
  };
}

export class ProcessRunner {
  private readonly slots = new Map<string, ContainerSlot>();
  private readonly pollers: Poller[] = [];
  private readonly log: Log;
  private readonly spec = serviceSpec();

  private readonly env: Record<string, string>;
  private readonly queues: Queues;

  constructor(private readonly o: ProcessRunnerOptions) {
    this.log = o.log ?? quiet;
    const { env, queues } = o.backend;
    if (!env || !queues) {
      throw new TypeError('the process runner needs a localstack or aws backend (env and queues)');
    }
    this.env = { ...env, ...o.env };
    this.queues = queues;
  }

  private fn(role: FunctionRole): FunctionSpec {
    const timeoutSeconds =
      role === 'worker'
        ? this.o.workerTimeoutSeconds
        : role === 'dispatcher'
          ? this.spec.dispatcherTimeoutSeconds
          : this.spec.aggregatorTimeoutSeconds;
    return {
      functionName: `local-${role}`,
      timeoutSeconds,
      memoryMb: this.o.memoryMb ?? this.spec.worker.memoryMb,
      ...(this.env.AWS_REGION ? { region: this.env.AWS_REGION } : {}),
    };
  }

  /** Starts instance `name` of `role` as a child process (stdout/stderr to its log file). */
  private starter(name: string, role: FunctionRole): StartContainer {
    const { modules } = this.o;
    const url = modules.urls[role];
    const fn = this.fn(role);
    return (on) => {
      let stdio: ('ignore' | 'ipc' | number)[] = ['ignore', 'ignore', 'ignore', 'ipc'];
      if (this.o.logDir) {
        mkdirSync(this.o.logDir, { recursive: true });
        const fd = openSync(join(this.o.logDir, `${name}.log`), 'a');
        stdio = ['ignore', fd, fd, 'ipc'];
      }
      const bundled = modules.kind === 'bundles';
      const child = fork(HOST, [url], {
        // Bundles: plain node, nothing inherited from this process (no loader, no flags).
        execArgv: bundled ? [] : [...TSX_EXEC_ARGV],
        ...(bundled ? { cwd: dirname(fileURLToPath(url)) } : {}),
        env: {
          ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
          ...this.env,
          AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          LAMBDA_TASK_ROOT: dirname(fileURLToPath(url)),
        },
        stdio,
      });
      child.on('message', on.message);
      child.once('exit', (code, signal) => on.exit(`code ${code}, signal ${signal}`));
      child.once('error', (e) => on.exit(e.message));
      return processChannel(child);
    };
  }

  private mapping(slot: ContainerSlot, queue: MessageQueue, role: FunctionRole, batchSize: number): Poller {
    const invoke: Invoke = async (event, fn) => {
      const done = await slot.invoke(event, contextFields(fn, randomUUID()));
      if (done.error) throw new Error(done.error);
      return done.response;
    };
    return new Poller({
      queue,
      fn: this.fn(role),
      invoke,
      batchSize,
      waitSeconds: 1,
      ...(this.env.AWS_REGION ? { region: this.env.AWS_REGION } : {}),
      onBatch: (r) => this.o.onBatch?.({ ...r, instance: slot.name }),
      onError: (e) => this.log.error('event source error', { instance: slot.name, error: String(e) }),
    });
  }

  async start(): Promise<void> {
    const { queues } = this;
    const { trialsDlq } = this.o.backend;
    const slot = (name: string, role: FunctionRole) => {
      const s = new ContainerSlot(name, this.starter(name, role), { log: this.log });
      this.slots.set(name, s);
      return s;
    };
    const dispatcher = slot('dispatcher', 'dispatcher');
    this.pollers.push(this.mapping(dispatcher, queues.submissions, 'dispatcher', 1));
    for (let i = 0; i < Math.max(1, this.o.workers); i++) {
      const worker = slot(`worker-${i}`, 'worker');
      this.pollers.push(this.mapping(worker, queues.trials, 'worker', this.spec.worker.batchSize));
    }
    const aggregator = slot('aggregator', 'aggregator');
    this.pollers.push(this.mapping(aggregator, queues.results, 'aggregator', 10));
    if (trialsDlq) this.pollers.push(this.mapping(aggregator, trialsDlq, 'aggregator', 10));
    await Promise.all([...this.slots.values()].map((s) => s.start()));
    for (const p of this.pollers) p.start();
  }

  /** Process ids of the running instances (tests kill one to see the run survive). */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.slots].map(([n, s]) => [n, s.pid]));
  }

  activity(): { workers: number; restarts: number } {
    const slots = [...this.slots.values()];
    return {
      workers: slots.filter((s) => s.name.startsWith('worker-')).length,
      restarts: slots.reduce((n, s) => n + s.restarts, 0),
    };
  }

  /** Stops polling (the invocations in progress finish, within `graceMs`), then ends every instance. */
  async stop(graceMs = 30_000): Promise<void> {
    const t0 = Date.now();
    await within(Promise.all(this.pollers.map((p) => p.stop())), graceMs);
    const left = Math.max(0, graceMs - (Date.now() - t0));
    await Promise.all([...this.slots.values()].map((s) => s.stop(left)));
  }
}
