/**
 * Fault injection for the MessageQueue port: `DuplicatingQueue` sends every message `copies` times (an
 * at-least-once queue at its worst: every delivery duplicated), and counts what it sent.
 */
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';

export class DuplicatingQueue implements MessageQueue {
  /** Distinct bodies the caller asked to send. */
  sentBodies = 0;

  constructor(
    readonly inner: MessageQueue,
    readonly copies = 2,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async send(bodies: readonly string[]): Promise<void> {
    this.sentBodies += bodies.length;
    const all: string[] = [];
    for (const b of bodies) for (let i = 0; i < this.copies; i++) all.push(b);
    await this.inner.send(all);
  }

  receive(opts: {
    max: number;
    waitSeconds: number;
    visibilityTimeoutSeconds?: number;
  }): Promise<ReceivedMessage[]> {
    return this.inner.receive(opts);
  }

  delete(receiptHandle: string): Promise<void> {
    return this.inner.delete(receiptHandle);
  }

  changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    return this.inner.changeVisibility(receiptHandle, seconds);
  }

  depth(): Promise<{ visible: number; inFlight: number }> {
    return this.inner.depth();
  }
}
