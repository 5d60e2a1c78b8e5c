/**
 * The SQS event source mapping, played locally: long-polls a queue, turns each batch into an `SQSEvent`,
 * invokes the function, deletes the records that succeeded and leaves the failed ones (and the whole
 * batch when the invocation throws) to the visibility timeout and the DLQ redrive.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { MessageQueue } from '../../core/ports.ts';
import { type FunctionSpec, lambdaContext, splitOutcome, sqsEvent } from './lambda-event.ts';

/** Runs one invocation: in this thread (a handler) or elsewhere (a worker thread, a process). */
export type Invoke = (event: SQSEvent, fn: FunctionSpec) => Promise<SQSBatchResponse | undefined>;

export function invokeHandler(
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>,
): Invoke {
  return (event, fn) => handler(event, lambdaContext(fn, randomUUID()));
}

export interface BatchReport {
  queue: string;
  function: string;
  records: number;
  succeeded: number;
  failed: number;
  /** Set when the invocation itself threw (every record stays for a retry). */
  error?: string;
  /** The invocation's duration (as Lambda's Duration: the deletes that follow are not in it). */
  ms: number;
}

export interface PollerOptions {
  queue: MessageQueue;
  fn: FunctionSpec;
  invoke: Invoke;
  batchSize?: number;
  /** Long-poll wait per receive; short keeps `stop()` responsive. */
  waitSeconds?: number;
  /** Visibility timeout asked for on each receive (default: the queue's). */
  visibilityTimeoutSeconds?: number;
  region?: string;
  onBatch?: (r: BatchReport) => void;
  /** A receive/delete error (the queue is unreachable): reported, then retried after a pause. */
  onError?: (e: unknown) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Poller {
  private running = false;
  private loop: Promise<void> | undefined;
  private busy = false;
  /** Deletes of the last round still in flight (the loop does not wait for them; stop() does). */
  private acks: Promise<void> = Promise.resolve();

  constructor(private readonly o: PollerOptions) {}

  get isBusy(): boolean {
    return this.busy;
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.loop = this.run();
    return this;
  }

  /** Stops after the invocation in progress (if any) has finished and been acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.acks;
  }

  /** One receive + invoke + delete round; returns the number of records handled. */
  async pollOnce(): Promise<number> {
    const { count, acked } = await this.round();
    await acked;
    return count;
  }

  /**
   * Receive + invoke; the succeeded records' deletes are started and returned (`acked`), not awaited: as
   * on Lambda, the next batch does not wait for the event source mapping's deletes. A failed delete only
   * means a redelivery after the visibility timeout, which every handler tolerates.
   */
  private async round(): Promise<{ count: number; acked: Promise<void> }> {
    const { queue, fn } = this.o;
    const msgs = await queue.receive({
      max: this.o.batchSize ?? 1,
      waitSeconds: this.o.waitSeconds ?? 1,
      ...(this.o.visibilityTimeoutSeconds !== undefined
        ? { visibilityTimeoutSeconds: this.o.visibilityTimeoutSeconds }
        : {}),
    });
    if (msgs.length === 0) return { count: 0, acked: Promise.resolve() };
    this.busy = true;
    const t0 = Date.now();
    const event = sqsEvent(msgs, { name: queue.name, ...(this.o.region ? { region: this.o.region } : {}) });
    try {
      let response: SQSBatchResponse | undefined;
      let error: string | undefined;
      try {
        response = await this.o.invoke(event, fn);
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      const ms = Date.now() - t0;
      const { succeeded, failed } = error
        ? { succeeded: [], failed: event.Records }
        : splitOutcome(event, response);
      const acked = Promise.all(succeeded.map((r) => queue.delete(r.receiptHandle))).then(() => undefined);
      this.o.onBatch?.({
        queue: queue.name,
        function: fn.functionName,
        records: msgs.length,
        succeeded: succeeded.length,
        failed: failed.length,
        ...(error ? { error } : {}),
        ms,
      });
      return { count: msgs.length, acked };
    } finally {
      this.busy = false;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const { acked } = await this.round();
        const previous = this.acks;
        this.acks = Promise.all([previous, acked.catch((e: unknown) => this.o.onError?.(e))]).then(
          () => undefined,
        );
      } catch (e) {
        this.o.onError?.(e);
        if (this.running) await sleep(1_000);
      }
    }
  }
}
