/** The local SQS event source mapping (Poller) and the embedded runner's crash handling. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { EmbeddedRunner } from '../../adapters/runner/embedded.ts';
import { invokeHandler, Poller } from '../../adapters/runner/poller.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { prepareMini, readResults } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fn = { functionName: 'test-fn', timeoutSeconds: 30, memoryMb: 512 };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function queues(visibilityTimeoutSeconds = 1, maxReceiveCount = 2) {
  const dlq = new InProcessQueue('q-dlq');
  const queue = new InProcessQueue('q', { visibilityTimeoutSeconds, maxReceiveCount, dlq });
  return { queue, dlq };
}

describe('Poller (the SQS event source mapping)', () => {
  it('invokes with a real SQSEvent and a Lambda-like Context', async () => {
    const { queue } = queues(30);
    const before = Date.now();
    await queue.send(['{"a":1}']);
    let seen: { event: SQSEvent; ctx: Context; remaining: number } | undefined;
    const poller = new Poller({
      queue,
      fn,
      batchSize: 10,
      invoke: invokeHandler(async (event, ctx) => {
        seen = { event, ctx, remaining: ctx.getRemainingTimeInMillis() };
        return { batchItemFailures: [] };
      }),
    });
    expect(await poller.pollOnce()).toBe(1);
    const rec = seen!.event.Records[0]!;
    expect(rec.body).toBe('{"a":1}');
    expect(rec.eventSource).toBe('aws:sqs');
    expect(rec.eventSourceARN).toBe('arn:aws:sqs:us-east-1:000000000000:q');
    expect(rec.awsRegion).toBe('us-east-1');
    expect(rec.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(rec.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before);
    expect(rec.md5OfBody).toBe(createHash('md5').update('{"a":1}').digest('hex'));
    expect(rec.receiptHandle).toBeTruthy();
    expect(seen!.ctx.functionName).toBe('test-fn');
    expect(seen!.ctx.memoryLimitInMB).toBe('512');
    expect(seen!.ctx.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen!.remaining).toBeGreaterThan(0);
    expect(seen!.remaining).toBeLessThanOrEqual(30_000);
    // The succeeded record was deleted.
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes only the records that succeeded; a failed one is retried, then dead-lettered', async () => {
    const { queue, dlq } = queues(1, 2);
    await queue.send(['ok-1', 'bad', 'ok-2']);
    const receiveCounts: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => ({
      batchItemFailures: event.Records.filter((r) => {
        if (r.body === 'bad') receiveCounts.push(r.attributes.ApproximateReceiveCount);
        return r.body === 'bad';
      }).map((r) => ({ itemIdentifier: r.messageId })),
    });
    const poller = new Poller({ queue, fn, batchSize: 10, waitSeconds: 3, invoke: invokeHandler(handler) });
    expect(await poller.pollOnce()).toBe(3);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1 });
    await sleep(1_100);
    expect(await poller.pollOnce()).toBe(1); // the retry, receive count 2
    await sleep(1_100);
    expect(await poller.pollOnce()).toBe(0); // redriven instead of delivered a third time
    expect(receiveCounts).toEqual(['1', '2']);
    expect((await dlq.receive({ max: 10, waitSeconds: 0 })).map((m) => m.body)).toEqual(['bad']);
  });

  it('keeps every record when the invocation throws, or reports an unknown item', async () => {
    const { queue } = queues(30);
    await queue.send(['x', 'y']);
    const reports: { error?: string; succeeded: number }[] = [];
    const throwing = new Poller({
      queue,
      fn,
      batchSize: 10,
      invoke: invokeHandler(async () => {
        throw new Error('boom');
      }),
      onBatch: (r) => reports.push(r),
    });
    expect(await throwing.pollOnce()).toBe(2);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 2 });
    expect(reports[0]).toMatchObject({ succeeded: 0, error: 'Error: boom' });

    const { queue: q2 } = queues(30);
    await q2.send(['z']);
    const lying = new Poller({
      queue: q2,
      fn,
      invoke: invokeHandler(async () => ({ batchItemFailures: [{ itemIdentifier: 'not-a-record' }] })),
    });
    await lying.pollOnce();
    expect(await q2.depth()).toEqual({ visible: 0, inFlight: 1 });
  });

  it('start/stop: stops after the invocation in progress', async () => {
    const { queue } = queues(30);
    await queue.send(['slow']);
    let finished = false;
    const poller = new Poller({
      queue,
      fn,
      waitSeconds: 1,
      invoke: invokeHandler(async () => {
        await sleep(300);
        finished = true;
        return { batchItemFailures: [] };
      }),
    }).start();
    while (!poller.isBusy) await sleep(10);
    await poller.stop();
    expect(finished).toBe(true);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
  it('the next batch does not wait for the last one’s deletes; stop() does', async () => {
    const { queue } = queues(30);
    await queue.send(['first', 'second']);
    const events: string[] = [];
    let releaseDeletes: () => void = () => {};
    const gate = new Promise<void>((r) => {
      releaseDeletes = r;
    });
    const slowAck = Object.assign(Object.create(queue) as InProcessQueue, {
      async delete(handle: string) {
        await gate;
        events.push('deleted');
        await queue.delete(handle);
      },
    });
    const poller = new Poller({
      queue: slowAck,
      fn,
      waitSeconds: 1,
      invoke: invokeHandler(async (event) => {
        events.push(`invoked ${event.Records[0]!.body}`);
        return { batchItemFailures: [] };
      }),
    }).start();
    while (events.length < 2) await sleep(10);
    expect(events).toEqual(['invoked first', 'invoked second']); // both ran; no delete has landed yet
    const stopped = poller.stop();
    await sleep(50);
    releaseDeletes();
    await stopped;
    expect(events).toEqual(['invoked first', 'invoked second', 'deleted', 'deleted']);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('EmbeddedRunner', () => {
  it('replaces a worker thread that dies mid-trial; the trial is redelivered and the sweep completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-crash-'));
    dirs.push(dir);
    const batches: { function: string; error?: string }[] = [];
    const runner = new EmbeddedRunner({
      storeDir: dir,
      modules: SOURCE_HANDLERS,
      workers: 1,
      workerTimeoutSeconds: 30,
      trialsVisibilitySeconds: 2,
      onBatch: (b) => batches.push(b),
    });
    await prepareMini(runner.store);
    await runner.start();
    try {
      const sweep = JSON.stringify({
        name: 'crash',
        dataset: 'mnist-mini',
        metric: { name: 'val_accuracy', goal: 'maximize' },
        method: 'grid',
        parameters: {
          layers: { values: ['784-8-10', '784-12-10'] },
          epochs: { value: 1 },
          seed: { value: 3 },
        },
      });
      const sub = await submitSweep(sweep, 'crash.json', {
        store: runner.store,
        submissions: runner.queues.submissions,
        now: Date.now,
      });
      if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
      while (runner.activity().busy === 0) await sleep(5);
      await runner.killWorker(0);
      const status = await waitForSweep(runner.store, sub.value.sweep_id, {
        queues: [runner.queues.submissions, runner.queues.trials, runner.queues.results],
        busy: () => runner.activity().busy > 0,
        intervalMs: 200,
      });
      expect(status.counts.completed).toBe(2);
      expect(runner.activity().restarts).toBe(1);
      const failedInvocations = batches.filter((b) => b.function === 'worker' && b.error);
      // The killed invocation fails; a record handed over while the thread was being replaced fails too.
      expect(failedInvocations.filter((b) => /died/.test(b.error!))).toHaveLength(1);
      for (const b of failedInvocations) expect(b.error).toMatch(/died|restarting/);
      expect((await readResults(runner.store, sub.value.sweep_id)).size).toBe(2);
    } finally {
      await runner.stop();
    }
  });
});
