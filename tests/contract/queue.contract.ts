/**
 * The one behavioural contract every MessageQueue adapter must pass (in-process, SQS on LocalStack): SQS
 * semantics — at-least-once delivery, visibility timeout, receive counts, DLQ redrive, long polling.
 * Each adapter's test file calls `describeQueueContract(name, factory)`; the factory creates a fresh queue
 * with the given visibility timeout and redrive policy (maxReceiveCount → its DLQ).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';

export interface QueueFixture {
  queue: MessageQueue;
  dlq: MessageQueue;
  cleanup?: () => Promise<void>;
}

export type QueueFactory = (opts: {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}) => Promise<QueueFixture>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Receives until `n` messages arrived or a receive comes back empty after waiting. */
async function drain(q: MessageQueue, n: number, waitSeconds = 1): Promise<ReceivedMessage[]> {
  const out: ReceivedMessage[] = [];
  while (out.length < n) {
    const got = await q.receive({ max: 10, waitSeconds });
    if (got.length === 0) break;
    out.push(...got);
  }
  return out;
}

export function describeQueueContract(name: string, factory: QueueFactory): void {
  describe(`MessageQueue contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    const make = async (visibilityTimeoutSeconds = 30, maxReceiveCount = 5) => {
      const fx = await factory({ visibilityTimeoutSeconds, maxReceiveCount });
      if (fx.cleanup) cleanups.push(fx.cleanup);
      return fx;
    };
    afterAll(async () => {
      for (const c of cleanups) await c();
    });

    it('sends and receives a message with id, receipt handle, receive count 1 and sent timestamp', async () => {
      const { queue } = await make();
      const before = Date.now();
      await queue.send(['{"hello":"world"}']);
      const [m, ...rest] = await queue.receive({ max: 10, waitSeconds: 2 });
      expect(rest).toEqual([]);
      expect(m).toBeDefined();
      expect(m!.body).toBe('{"hello":"world"}');
      expect(m!.id).toBeTruthy();
      expect(m!.receiptHandle).toBeTruthy();
      expect(m!.receiveCount).toBe(1);
      // SentTimestamp is epoch ms (allow clock granularity of the emulator).
      expect(m!.sentTimestamp).toBeGreaterThan(before - 5_000);
      expect(m!.sentTimestamp).toBeLessThan(Date.now() + 5_000);
    });

    it('sends more than 10 messages (batched) and every one arrives exactly once when deleted', async () => {
      const { queue } = await make();
      const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ i }));
      await queue.send(bodies);
      const got = await drain(queue, 25);
      expect(got.map((m) => m.body).sort()).toEqual([...bodies].sort());
      expect(new Set(got.map((m) => m.id)).size).toBe(25);
      for (const m of got) await queue.delete(m.receiptHandle);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
      expect(await queue.receive({ max: 10, waitSeconds: 0 })).toEqual([]);
    });

    it('respects max per receive', async () => {
      const { queue } = await make();
      await queue.send(['a', 'b', 'c', 'd']);
      const got = await queue.receive({ max: 2, waitSeconds: 1 });
      expect(got.length).toBeGreaterThanOrEqual(1);
      expect(got.length).toBeLessThanOrEqual(2);
    });

    it('a received message is invisible, then reappears after the visibility timeout with receiveCount 2', async () => {
      const { queue } = await make(1);
      await queue.send(['job']);
      const [first] = await queue.receive({ max: 1, waitSeconds: 2 });
      expect(first?.receiveCount).toBe(1);
      expect(await queue.receive({ max: 1, waitSeconds: 0 })).toEqual([]);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1 });
      await sleep(1_200);
      const [again] = await queue.receive({ max: 1, waitSeconds: 3 });
      expect(again).toBeDefined();
      expect(again!.id).toBe(first!.id);
      expect(again!.body).toBe('job');
      expect(again!.receiveCount).toBe(2);
      expect(again!.receiptHandle).not.toBe(first!.receiptHandle);
      expect(again!.sentTimestamp).toBe(first!.sentTimestamp);
    });

    it('a per-receive visibility timeout overrides the queue default', async () => {
      const { queue } = await make(60);
      await queue.send(['short']);
      const [m] = await queue.receive({ max: 1, waitSeconds: 2, visibilityTimeoutSeconds: 1 });
      expect(m).toBeDefined();
      await sleep(1_200);
      const [again] = await queue.receive({ max: 1, waitSeconds: 3 });
      expect(again?.id).toBe(m!.id);
      expect(again?.receiveCount).toBe(2);
    });

    it('a deleted message never comes back', async () => {
      const { queue } = await make(1);
      await queue.send(['done']);
      const [m] = await queue.receive({ max: 1, waitSeconds: 2 });
      await queue.delete(m!.receiptHandle);
      await sleep(1_200);
      expect(await queue.receive({ max: 10, waitSeconds: 1 })).toEqual([]);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('changeVisibility(0) releases a message at once; a longer one keeps it hidden past the default', async () => {
      const { queue } = await make(30);
      await queue.send(['release-me']);
      const [m] = await queue.receive({ max: 1, waitSeconds: 2 });
      await queue.changeVisibility(m!.receiptHandle, 0);
      const [again] = await queue.receive({ max: 1, waitSeconds: 2 });
      expect(again?.id).toBe(m!.id);
      expect(again?.receiveCount).toBe(2);

      const short = await make(1);
      await short.queue.send(['extend-me']);
      const [e] = await short.queue.receive({ max: 1, waitSeconds: 2 });
      await short.queue.changeVisibility(e!.receiptHandle, 30);
      await sleep(1_500);
      expect(await short.queue.receive({ max: 1, waitSeconds: 0 })).toEqual([]);
      expect(await short.queue.depth()).toEqual({ visible: 0, inFlight: 1 });
    });

    it('moves a message to the DLQ after maxReceiveCount receives', async () => {
      const { queue, dlq } = await make(1, 2);
      await queue.send(['poison']);
      const [r1] = await queue.receive({ max: 1, waitSeconds: 2 });
      expect(r1?.receiveCount).toBe(1);
      await sleep(1_200);
      const [r2] = await queue.receive({ max: 1, waitSeconds: 3 });
      expect(r2?.receiveCount).toBe(2);
      await sleep(1_200);
      // The third receive attempt redrives instead of delivering.
      expect(await queue.receive({ max: 1, waitSeconds: 1 })).toEqual([]);
      const [dead] = await dlq.receive({ max: 1, waitSeconds: 3 });
      expect(dead?.body).toBe('poison');
      expect(dead?.id).toBe(r1!.id);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('depth counts visible and in-flight messages', async () => {
      const { queue } = await make(30);
      await queue.send(['1', '2', '3']);
      expect(await queue.depth()).toEqual({ visible: 3, inFlight: 0 });
      const [m] = await queue.receive({ max: 1, waitSeconds: 2 });
      expect(await queue.depth()).toEqual({ visible: 2, inFlight: 1 });
      await queue.delete(m!.receiptHandle);
      expect(await queue.depth()).toEqual({ visible: 2, inFlight: 0 });
    });

    it('long polling returns a message sent while waiting', async () => {
      const { queue } = await make();
      const pending = queue.receive({ max: 1, waitSeconds: 10 });
      await sleep(300);
      await queue.send(['late']);
      const got = await pending;
      expect(got.map((m) => m.body)).toEqual(['late']);
    });

    it('an empty long poll returns an empty list', async () => {
      const { queue } = await make();
      expect(await queue.receive({ max: 10, waitSeconds: 1 })).toEqual([]);
    });
  });
}
