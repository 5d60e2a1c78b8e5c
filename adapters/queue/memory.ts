/**
 * An in-process queue with SQS semantics: a received message is invisible for the visibility timeout and
 * reappears if not deleted; every receive increments its receive count and issues a new receipt handle;
 * a message already received `maxReceiveCount` times moves to the dead-letter queue (if any) instead of
 * being delivered again; `receive` long-polls up to `waitSeconds`. Order is FIFO-ish (by first send), at
 * least once, like a standard queue.
 */
import { randomUUID } from 'node:crypto';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';

export interface InProcessQueueOptions {
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  dlq?: InProcessQueue;
  /** Clock, epoch ms (tests may inject one). */
  now?: () => number;
}

interface Msg {
  id: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string | undefined;
  seq: number;
}

export class InvalidReceiptHandleError extends Error {
  override readonly name = 'InvalidReceiptHandleError';
}

export class InProcessQueue implements MessageQueue {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly dlq: InProcessQueue | undefined;
  private readonly now: () => number;
  private readonly messages = new Map<string, Msg>();
  private readonly byHandle = new Map<string, Msg>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;

  constructor(
    readonly name: string,
    opts: InProcessQueueOptions = {},
  ) {
    this.visibilityTimeoutSeconds = opts.visibilityTimeoutSeconds ?? 30;
    this.maxReceiveCount = opts.maxReceiveCount ?? Number.POSITIVE_INFINITY;
    this.dlq = opts.dlq;
    this.now = opts.now ?? Date.now;
  }

  async send(bodies: readonly string[]): Promise<void> {
    for (const body of bodies) {
      if (typeof body !== 'string' || body.length === 0) throw new Error(`${this.name}: empty message body`);
    }
    for (const body of bodies) this.enqueue(body, this.now(), 0, randomUUID());
    this.wake();
  }

  private enqueue(body: string, sentTimestamp: number, receiveCount: number, id: string): void {
    const m: Msg = {
      id,
      body,
      sentTimestamp,
      receiveCount,
      visibleAt: 0,
      receiptHandle: undefined,
      seq: this.seq++,
    };
    this.messages.set(id, m);
  }

  async receive(opts: {
    max: number;
    waitSeconds: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(opts.max) || opts.max < 1 || opts.max > 10) {
      throw new RangeError(`${this.name}: max must be an integer in 1..10 (SQS MaxNumberOfMessages)`);
    }
    const vt = opts.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds;
    const deadline = this.now() + Math.max(0, opts.waitSeconds) * 1000;
    for (;;) {
      const got = this.take(opts.max, vt);
      if (got.length > 0) return got;
      const left = deadline - this.now();
      if (left <= 0) return [];
      await this.waitForChange(Math.min(left, this.msUntilNextVisible()));
    }
  }

  private take(max: number, vt: number): ReceivedMessage[] {
    const now = this.now();
    const visible = [...this.messages.values()]
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.seq - b.seq);
    const out: ReceivedMessage[] = [];
    for (const m of visible) {
      if (out.length >= max) break;
      if (m.receiptHandle) this.byHandle.delete(m.receiptHandle);
      if (m.receiveCount >= this.maxReceiveCount && this.dlq) {
        // Redrive: the message keeps its id, body, first-send time (SQS keeps the original timestamp).
        this.messages.delete(m.id);
        this.dlq.enqueue(m.body, m.sentTimestamp, 0, m.id);
        this.dlq.wake();
        continue;
      }
      m.receiveCount += 1;
      m.visibleAt = now + vt * 1000;
      m.receiptHandle = `${m.id}:${randomUUID()}`;
      this.byHandle.set(m.receiptHandle, m);
      out.push({
        id: m.id,
        receiptHandle: m.receiptHandle,
        body: m.body,
        receiveCount: m.receiveCount,
        sentTimestamp: m.sentTimestamp,
      });
    }
    return out;
  }

  private msUntilNextVisible(): number {
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const m of this.messages.values()) if (m.visibleAt > now) next = Math.min(next, m.visibleAt - now);
    return next;
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 2 ** 31 - 1)));
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  async delete(receiptHandle: string): Promise<void> {
    const m = this.byHandle.get(receiptHandle);
    if (!m) {
      // SQS accepts a stale handle of a message that still exists or was already deleted; only a handle it
      // never issued is an error.
      if (!receiptHandle.includes(':'))
        throw new InvalidReceiptHandleError(`${this.name}: invalid receipt handle`);
      return;
    }
    this.byHandle.delete(receiptHandle);
    this.messages.delete(m.id);
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 43_200) {
      throw new RangeError(`${this.name}: visibility timeout must be 0..43200 s`);
    }
    const m = this.byHandle.get(receiptHandle);
    if (!m || m.visibleAt <= this.now()) {
      throw new InvalidReceiptHandleError(`${this.name}: message not in flight for this receipt handle`);
    }
    m.visibleAt = this.now() + seconds * 1000;
    this.wake();
  }

  async depth(): Promise<{ visible: number; inFlight: number }> {
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) visible++;
      else inFlight++;
    }
    return { visible, inFlight };
  }
}
