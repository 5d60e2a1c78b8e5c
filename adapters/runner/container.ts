/**
 * A local Lambda "container": one instance of a function, running its handler module in a worker thread
 * (the embedded runner) or a child process (the LocalStack runner), invoked one event at a time by the
 * Pollers that play its event source mappings. A `ContainerSlot` keeps one such instance alive:
 *
 * - `start()` resolves once the first instance has imported its module ('ready'); it rejects if that
 *   instance dies first (the run cannot start).
 * - An instance that dies fails the invocation in progress (its records stay on the queue and come back
 *   after the visibility timeout, as on Lambda) and is replaced at once; a replacement that dies before it is
 *   ready is replaced again a second later (a crash loop costs a start a second; the slot is never lost).
 * - `invoke` waits for a ready instance (a cold start is part of the invocation, as on Lambda).
 *
 * The messages between a runner and its containers are `ToContainer` / `FromContainer` below: the process
 * host (host.mjs, plain JavaScript) and the thread host (embedded-worker.ts) both speak them.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Log } from '../../core/app/deps.ts';
import type { ContextFields } from './lambda-context.mjs';

export type FunctionRole = 'dispatcher' | 'worker' | 'aggregator';
export const FUNCTION_ROLES: readonly FunctionRole[] = ['dispatcher', 'worker', 'aggregator'];

export type ToContainer = { type: 'invoke'; id: number; event: SQSEvent; context: ContextFields } | 'stop';

export type FromContainer =
  | { type: 'ready' }
  | {
      type: 'done';
      id: number;
      response?: SQSBatchResponse;
      /** Set when the handler threw ("Name: message"). */
      error?: string;
      /** Thread hosts: the bodies the invocation sent, delivered by the runner before it deletes the record. */
      sent?: { trials: string[]; results: string[] };
    }
  | { type: 'log'; level: keyof Log; message: string; extra?: Record<string, unknown> };

export type Done = Extract<FromContainer, { type: 'done' }>;

/** One running instance, as the slot sees it. */
export interface ContainerChannel {
  readonly pid: number | undefined;
  post(m: ToContainer): void;
  /** Ends the instance abruptly (a crash). */
  kill(): void;
  /** Asks the instance to exit once idle; kills it after `graceMs`. Resolves when it is gone. */
  stop(graceMs: number): Promise<void>;
}

/** Starts one instance; it reports its messages and its death (once) to `on`. */
export type StartContainer = (on: {
  message: (m: FromContainer) => void;
  exit: (why: string) => void;
}) => ContainerChannel;

const RESTART_DELAY_MS = 1_000;

export class ContainerSlot {
  private channel: ContainerChannel | undefined;
  private ready = false;
  private stopping = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (d: Done) => void; reject: (e: Error) => void }>();
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Instances that died and were replaced. */
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly startInstance: StartContainer,
    private readonly o: { log: Log; onLog?: (m: Extract<FromContainer, { type: 'log' }>) => void },
  ) {}

  get pid(): number | undefined {
    return this.channel?.pid;
  }

  /** Starts the first instance; resolves when it is ready. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.launch(false, resolve, reject));
  }

  private launch(replacement: boolean, resolve?: () => void, reject?: (e: Error) => void): void {
    let ready = false;
    let gone = false;
    const channel = this.startInstance({
      message: (m) => {
        if (gone) return;
        if (m.type === 'ready') {
          ready = true;
          this.ready = true;
          resolve?.();
          for (const w of this.waiters.splice(0)) w.resolve();
        } else if (m.type === 'done') {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          p?.resolve(m);
        } else this.o.onLog?.(m);
      },
      exit: (why) => {
        if (gone) return;
        gone = true;
        if (this.channel !== channel) return;
        this.ready = false;
        for (const [, p] of this.pending) p.reject(new Error(`${this.name} died: ${why}`));
        this.pending.clear();
        if (!ready) reject?.(new Error(`${this.name} exited before it was ready (${why})`));
        if (this.stopping || (!ready && !replacement)) return;
        this.restarts++;
        this.o.log.error('function instance died; starting a new one', { instance: this.name, why });
        const again = () => {
          if (!this.stopping) this.launch(true);
        };
        if (ready) again();
        else setTimeout(again, RESTART_DELAY_MS);
      },
    });
    this.channel = channel;
  }

  private whenReady(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error(`${this.name} is stopping`));
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** One invocation on a ready instance; rejects if the instance dies meanwhile. */
  async invoke(event: SQSEvent, context: ContextFields): Promise<Done> {
    await this.whenReady();
    const channel = this.channel!;
    const id = this.nextId++;
    return new Promise<Done>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      channel.post({ type: 'invoke', id, event, context });
    });
  }

  /** Ends the current instance abruptly, as a crash would (tests). */
  kill(): void {
    this.channel?.kill();
  }

  /** Stops the instance (after the invocation in progress, within `graceMs`); no replacement follows. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name} is stopping`));
    await this.channel?.stop(graceMs);
  }
}
