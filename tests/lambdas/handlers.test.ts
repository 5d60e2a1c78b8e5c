/**
 * The three handlers with real components: core/app, MemoryBlobStore, InProcessQueues, the mnist-mini
 * data set, and SQS events shaped like Lambda's (tests/lambdas/sqs-pump.ts plays the event-source
 * mapping, deleting what the handler did not report as failed).
 */
import { describe, expect, it } from 'vitest';
import { keys } from '../../core/layout.ts';
import type { TrialMessageInput } from '../../core/messages.ts';
import type { TrialResult } from '../../core/result.ts';
import { TrialState } from '../../core/trial-state.ts';
import { createHandler as aggregatorHandler } from '../../lambdas/aggregator.ts';
import { createHandler as dispatcherHandler } from '../../lambdas/dispatcher.ts';
import { createHandler as workerHandler } from '../../lambdas/worker.ts';
import {
  createWorld,
  deliver,
  eventOf,
  lambdaContext,
  pumpAll,
  sqsRecord,
  tinySweep,
  type World,
} from './sqs-pump.ts';

const handlersFor = (w: World) => ({
  dispatcher: dispatcherHandler(() => w.deps),
  worker: workerHandler(() => w.deps),
  aggregator: aggregatorHandler(() => w.deps),
});

async function json<T>(w: World, key: string): Promise<T | undefined> {
  const o = await w.store.get(key);
  return o ? (JSON.parse(new TextDecoder().decode(o.body)) as T) : undefined;
}

describe('handlers over SQS events', () => {
  it('a sweep flows submissions → dispatcher → worker → aggregator through the handlers', async () => {
    const w = await createWorld();
    const sweepId = await w.submit(tinySweep('lambda-flow'));
    const run = await pumpAll(w, handlersFor(w));
    expect(run.failures).toEqual({ dispatcher: [], worker: [], aggregator: [], deadLetters: [] });
    expect(run.invocations.dispatcher).toBe(1);
    expect(run.invocations.worker).toBe(2); // batch size 1: one invocation per trial
    const lb = await json<{ rows: { state: string; val_accuracy: number | null }[] }>(
      w,
      keys.leaderboard(sweepId, 'json'),
    );
    expect(lb?.rows).toHaveLength(2);
    for (const row of lb?.rows ?? []) {
      expect(row.state).toBe(TrialState.Completed);
      expect(row.val_accuracy).toBeGreaterThan(0.5); // real training on real digits
    }
    expect(await w.store.get(keys.report(sweepId))).toBeDefined();
    expect((await w.trials.depth()).visible + (await w.results.depth()).visible).toBe(0);
    // One log line per event: core logs it, the handler's loop only logs failures.
    const count = (m: string) => w.log.lines.filter((l) => l.message === m).length;
    expect(count('sweep dispatched')).toBe(1);
    expect(count('trial finished')).toBe(2);
  });

  it('a malformed body is a failed record; the valid ones in the same batch still succeed', async () => {
    const w = await createWorld();
    const sweepId = await w.submit(tinySweep('lambda-malformed'));
    const [valid] = await w.submissions.receive({ max: 1, waitSeconds: 0 });
    const event = eventOf([
      sqsRecord({ id: 'not-json', body: '{oops' }, 'submissions'),
      sqsRecord(valid!, 'submissions'),
      sqsRecord(
        { id: 'bad-id', body: JSON.stringify({ type: 'submit', sweep_id: '../etc' }) },
        'submissions',
      ),
      sqsRecord(
        { id: 'wrong-type', body: JSON.stringify({ type: 'result', sweep_id: 's', trial_id: 't' }) },
        'x',
      ),
    ]);
    const res = await dispatcherHandler(() => w.deps)(event, lambdaContext());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'bad-id',
      'not-json',
      'wrong-type',
    ]);
    expect((await w.trials.depth()).visible).toBe(2); // the valid submission was dispatched
    expect(await json(w, keys.sweepState(sweepId))).toBeDefined();
    expect(w.log.lines.filter((l) => l.level === 'error').map((l) => l.extra?.messageId)).toEqual(
      expect.arrayContaining(['not-json', 'bad-id', 'wrong-type']),
    );
  });

  it('a record whose processing throws is reported as a batch item failure, not thrown', async () => {
    const w = await createWorld();
    const sweepId = await w.submit(tinySweep('lambda-throws'));
    await pumpAll(w, handlersFor(w)); // a finished sweep, so the store holds its sweep.json
    // A submission of a sweep that was never stored: dispatchSweep throws.
    await w.submissions.send([JSON.stringify({ type: 'submit', sweep_id: 'never-submitted' })]);
    const d = await deliver(
      w.submissions,
      dispatcherHandler(() => w.deps),
      { batchSize: 1 },
    );
    expect(d?.failed).toHaveLength(1);
    expect((await w.submissions.depth()).visible + (await w.submissions.depth()).inFlight).toBe(1); // left for retry
    // A trial whose layers do not fit the data: the worker records the attempt under errors/ and fails it.
    const bad: TrialMessageInput = {
      type: 'trial',
      sweep_id: sweepId,
      trial_id: 'bad-shape',
      index: 99,
      config: { layers: [100, 10] },
      dataset: {
        name: 'mnist-mini',
        version: (await w.store.list('datasets/mnist-mini/'))[0]!.split('/')[2]!,
      },
    };
    await w.trials.send([JSON.stringify(bad)]);
    const t = await deliver(
      w.trials,
      workerHandler(() => w.deps),
      { batchSize: 1 },
    );
    expect(t?.failed).toHaveLength(1);
    expect(await w.store.list(keys.errors(sweepId, 'bad-shape'))).toHaveLength(1);
  });

  it('a trial that keeps failing is dead-lettered and the aggregator records it as failed', async () => {
    const w = await createWorld();
    const sweepId = await w.submit(tinySweep('lambda-dlq'));
    const run0 = await pumpAll(w, handlersFor(w));
    expect(run0.failures.worker).toEqual([]);
    const version = (await w.store.list('datasets/mnist-mini/'))[0]!.split('/')[2]!;
    const bad: TrialMessageInput = {
      type: 'trial',
      sweep_id: sweepId,
      trial_id: 'always-fails',
      index: 7,
      config: { layers: [100, 10] },
      dataset: { name: 'mnist-mini', version },
    };
    await w.trials.send([JSON.stringify(bad)]);
    const run = await pumpAll(w, handlersFor(w));
    expect(run.failures.worker).toHaveLength(3); // maxReceiveCount receives, then the DLQ
    expect(run.invocations.deadLetters).toBe(1);
    const result = await json<TrialResult>(w, keys.result(sweepId, 'always-fails'));
    expect(result?.state).toBe(TrialState.Failed);
    expect(result?.reason).toMatch(/gave up after 3 failed attempt/);
  });

  it("the worker hands Lambda's remaining time to core: short invocations continue the trial", async () => {
    const w = await createWorld();
    const sweepId = await w.submit(
      tinySweep('lambda-continue', {
        parameters: { layers: { value: '784-16-10' }, epochs: { value: 3 }, batch_size: { value: 256 } },
      }),
    );
    // Every invocation reports 1 s left: one epoch per invocation, then a checkpoint and a continuation.
    const run = await pumpAll(w, handlersFor(w), {
      workerContext: () => lambdaContext({ remainingMs: () => 1000 }),
    });
    expect(run.failures.worker).toEqual([]);
    expect(run.invocations.worker).toBe(3);
    const [trialKey] = (await w.store.list(keys.trials(sweepId))).filter((k) => k.endsWith('/result.json'));
    const result = await json<TrialResult>(w, trialKey!);
    expect(result?.state).toBe(TrialState.Completed);
    expect(result?.epochs_run).toBe(3);
    expect(result?.invocations).toBe(3);
  });

  it('the aggregator retries a failed batch one by one: only the bad message fails', async () => {
    const w = await createWorld();
    const good = await w.submit(tinySweep('lambda-agg-good'));
    await pumpAll(w, handlersFor(w));
    // A second sweep whose aggregate.json is corrupt: aggregating its results throws.
    const broken = await w.submit(tinySweep('lambda-agg-broken'));
    const h = handlersFor(w);
    await deliver(w.submissions, h.dispatcher, { batchSize: 1 });
    for (let i = 0; i < 2; i++) await deliver(w.trials, h.worker, { batchSize: 1 });
    await w.store.put(keys.aggregate(broken), '{ corrupt');
    const brokenResults = await w.results.receive({ max: 10, waitSeconds: 0 });
    expect(brokenResults).toHaveLength(2);
    const goodTrial = (await w.store.list(keys.trials(good)))
      .find((k) => k.endsWith('/result.json'))!
      .split('/')[3]!;
    const records = [
      sqsRecord(
        { id: 'good', body: JSON.stringify({ type: 'result', sweep_id: good, trial_id: goodTrial }) },
        'results',
      ),
      ...brokenResults.map((m) => sqsRecord(m, 'results')),
    ];
    const res = await h.aggregator(eventOf(records), lambdaContext());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      brokenResults.map((m) => m.id).sort(),
    );
    expect(w.log.lines.some((l) => l.message.includes('retrying one by one'))).toBe(true);
  });
});

describe('deps lifecycle', () => {
  it('deps are built lazily once per container, and rebuilt after a failed build', async () => {
    const w = await createWorld();
    let calls = 0;
    const handler = dispatcherHandler(() => {
      calls++;
      if (calls === 1) throw new Error('cold start failed');
      return w.deps;
    });
    expect(calls).toBe(0);
    const empty = eventOf([]);
    await expect(handler(empty, lambdaContext())).rejects.toThrow('cold start failed');
    expect(await handler(empty, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(empty, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(calls).toBe(2);
  });

  it('rejects something that is not an SQS event', async () => {
    const w = await createWorld();
    const handler = workerHandler(() => w.deps);
    await expect(handler({} as never, lambdaContext())).rejects.toThrow(/not an SQS event/);
  });
});
