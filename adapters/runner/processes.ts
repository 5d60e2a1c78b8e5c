/**
 * The LocalStack-mode runner: each function instance is a child process (child_process.fork with tsx) that
 * runs the real handler module with deps from the environment, so a crash kills one instance, not the run.
 * One dispatcher, `workers` workers, one aggregator (results queue + trials DLQ). A child that dies is
 * replaced; the message it held comes back after the visibility timeout, as on Lambda.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from '../../core/app/deps.ts';
import { CHILD_ENV, type ChildRole, type FromChild } from './child-protocol.ts';
import type { BatchReport } from './poller.ts';
import { TSX_EXEC_ARGV } from './ts-worker.ts';

export interface ProcessRunnerOptions {
  /** Handler environment from openBackend('localstack').env. */
  env: Record<string, string>;
  workers: number;
  /** Worker function timeout (its Context counts down from it). */
  workerTimeoutSeconds: number;
  memoryMb?: number;
  /** Children's stdout/stderr (Powertools JSON logs) go to `<logDir>/<name>.log`; default: discarded. */
  logDir?: string;
  log?: Log;
  onBatch?: (r: BatchReport & { instance: string }) => void;
}

interface Instance {
  name: string;
  role: ChildRole;
  child: ChildProcess;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

export class ProcessRunner {
  private readonly instances = new Map<string, Instance>();
  private stopping = false;
  private restarts = 0;
  private readonly log: Log;

  constructor(private readonly o: ProcessRunnerOptions) {
    this.log = o.log ?? quiet;
  }

  async start(): Promise<void> {
    const plan: [string, ChildRole][] = [
      ['dispatcher', 'dispatcher'],
      ...Array.from({ length: Math.max(1, this.o.workers) }, (_, i): [string, ChildRole] => [
        `worker-${i}`,
        'worker',
      ]),
      ['aggregator', 'aggregator'],
    ];
    await Promise.all(plan.map(([name, role]) => this.spawn(name, role)));
  }

  /**
   * Starts one instance; resolves when it is ready. A first start that dies before it is ready rejects
   * (the run cannot start); a replacement that does is replaced in turn, a second later (a crash loop
   * costs a spawn a second, and the slot is never lost).
   */
  private spawn(name: string, role: ChildRole, replacement = false): Promise<void> {
    let stdio: ('ignore' | 'ipc' | number)[] = ['ignore', 'ignore', 'ignore', 'ipc'];
    if (this.o.logDir) {
      mkdirSync(this.o.logDir, { recursive: true });
      const fd = openSync(join(this.o.logDir, `${name}.log`), 'a');
      stdio = ['ignore', fd, fd, 'ipc'];
    }
    const child = fork(CHILD, [role], {
      execArgv: [...TSX_EXEC_ARGV],
      env: {
        ...process.env,
        ...this.o.env,
        [CHILD_ENV.memoryMb]: String(this.o.memoryMb ?? ''),
        ...(role === 'worker' ? { [CHILD_ENV.timeoutSeconds]: String(this.o.workerTimeoutSeconds) } : {}),
        AWS_LAMBDA_FUNCTION_NAME: `local-${role}`,
        POWERTOOLS_SERVICE_NAME: `mlp-sweep-${role}`,
      },
      stdio,
    });
    const inst: Instance = { name, role, child };
    this.instances.set(name, inst);
    return new Promise((resolve, reject) => {
      let ready = false;
      child.on('message', (m: FromChild) => {
        if (m.type === 'ready') {
          ready = true;
          resolve();
        } else if (m.type === 'batch') {
          this.o.onBatch?.({ ...m.report, instance: name });
        }
      });
      child.on('exit', (code, signal) => {
        if (this.instances.get(name)?.child !== child) return;
        if (!ready) reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`));
        if ((!ready && !replacement) || this.stopping) return;
        this.restarts++;
        this.log.error('function instance died; starting a new one', { instance: name, code, signal });
        const again = () => {
          if (this.stopping) return;
          this.spawn(name, role, true).catch((e) =>
            this.log.error('replacement died before it was ready', { instance: name, error: String(e) }),
          );
        };
        if (ready) again();
        else setTimeout(again, 1_000);
      });
    });
  }

  /** Process ids of the running instances (tests kill one to see the run survive). */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.instances].map(([n, i]) => [n, i.child.pid]));
  }

  activity(): { workers: number; restarts: number } {
    return {
      workers: [...this.instances.values()].filter((i) => i.role === 'worker').length,
      restarts: this.restarts,
    };
  }

  /** Asks every instance to finish its invocation and exit; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.instances.values()].map(
        (i) =>
          new Promise<void>((resolve) => {
            if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => i.child.kill('SIGKILL'), graceMs);
            i.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (i.child.connected) i.child.send('stop');
            else i.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
