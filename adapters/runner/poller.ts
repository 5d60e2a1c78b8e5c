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
  ms: number;
}

export interface PollerOptions {
  queue: MessageQueue;
  fn: FunctionSpec;
  invoke: Invoke;
  batchSize?: number;
  /** Long-poll wait per receive; short keeps `stop()` responsive. */
  waitSeconds?: number;
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
  }

  /** One receive + invoke + delete round; returns the number of records handled. */
  async pollOnce(): Promise<number> {
    const { queue, fn } = this.o;
    const msgs = await queue.receive({ max: this.o.batchSize ?? 1, waitSeconds: this.o.waitSeconds ?? 1 });
    if (msgs.length === 0) return 0;
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
      const { succeeded, failed } = error
        ? { succeeded: [], failed: event.Records }
        : splitOutcome(event, response);
      for (const r of succeeded) await queue.delete(r.receiptHandle);
      this.o.onBatch?.({
        queue: queue.name,
        function: fn.functionName,
        records: msgs.length,
        succeeded: succeeded.length,
        failed: failed.length,
        ...(error ? { error } : {}),
        ms: Date.now() - t0,
      });
      return msgs.length;
    } finally {
      this.busy = false;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (e) {
        this.o.onError?.(e);
        if (this.running) await sleep(1_000);
      }
    }
  }
}
