/**
 * Re-submitting a finished or half-finished sweep on LocalStack: only the missing trials run (counted as
 * worker invocations and trials-queue messages), the leaderboard ends with one row per trial.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrialState } from '../../core/trial-state.ts';
import { createHandler as workerHandler } from '../../lambdas/worker.ts';
import { eventOf, lambdaContext, sqsRecord } from '../lambdas/sqs-pump.ts';
import { createFaultWorld, type FaultWorld, readOutcome, tinySweepText } from './world.ts';

let w: FaultWorld;
beforeAll(async () => {
  w = await createFaultWorld('resubmit');
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

/** Runs the worker handler on `k` trial messages (deleting them as the event-source mapping would). */
async function runSomeTrials(k: number): Promise<string[]> {
  const handler = workerHandler(() => w.deps());
  const done: string[] = [];
  while (done.length < k) {
    const [m] = await w.trials.receive({ max: 1, waitSeconds: 1 });
    if (!m) break;
    const out = await handler(eventOf([sqsRecord(m, w.trials.name)]), lambdaContext());
    expect(out.batchItemFailures).toEqual([]);
    await w.trials.delete(m.receiptHandle);
    done.push((JSON.parse(m.body) as { trial_id: string }).trial_id);
  }
  return done;
}

describe('faults on LocalStack: re-submission', () => {
  it('a half-finished sweep re-submitted runs only its missing trials; a finished one runs nothing', async () => {
    const n = 6;
    const text = tinySweepText('resubmit-half', n);
    const id = await w.submit(text);
    await w.pump({ only: ['dispatcher'] });
    expect((await w.trials.depth()).visible).toBe(n);
    const first = await runSomeTrials(3);
    expect(first).toHaveLength(3);

    expect(await w.submit(text)).toBe(id); // same content ⇒ same sweep id
    const second = await w.pump();
    const rerun = second.trialDeliveries.map((d) => d.trialId);
    console.log(
      `[faults] re-submit half-finished: trials=${n} ran before=${first.length} ran after=${new Set(rerun).size} (deliveries ${rerun.length}) overlap=${rerun.filter((t) => first.includes(t)).length}`,
    );
    // The still-queued messages and their re-sent copies: each missing trial trains once (the copy is absorbed).
    expect(new Set(rerun).size).toBe(n - first.length);
    expect(rerun.filter((t) => first.includes(t))).toEqual([]);
    expect(second.invocations.worker).toBeLessThanOrEqual(2 * (n - first.length));
    const out = await readOutcome(w.store, id);
    expect(out.results.size).toBe(n);
    expect(
      [...out.results.values()].every((r) => r.state === TrialState.Completed && r.invocations === 1),
    ).toBe(true);
    expect(out.leaderboard?.rows).toHaveLength(n);
    expect(out.state?.finished).toBe(true);

    expect(await w.submit(text)).toBe(id);
    const third = await w.pump();
    console.log(`[faults] re-submit finished: worker invocations=${third.invocations.worker}`);
    expect(third.invocations.dispatcher).toBe(1);
    expect(third.invocations.worker).toBe(0);
    expect(third.trialDeliveries).toEqual([]);
    expect((await readOutcome(w.store, id)).leaderboard?.rows).toHaveLength(n);
  });

  it('a half-finished sweep whose queued trial messages were lost runs its missing trials when re-submitted', async () => {
    const n = 4;
    const text = tinySweepText('resubmit-lost', n);
    const id = await w.submit(text);
    await w.pump({ only: ['dispatcher'] });
    const first = await runSomeTrials(2);
    // The rest of the messages are gone (queue purged / expired / an in-memory queue that died with its process).
    for (;;) {
      const got = await w.trials.receive({ max: 10, waitSeconds: 0 });
      if (got.length === 0) break;
      for (const m of got) await w.trials.delete(m.receiptHandle);
    }
    await w.pump(); // the results of the first two are aggregated; nothing else happens
    expect((await readOutcome(w.store, id)).state?.finished).toBe(false);

    expect(await w.submit(text)).toBe(id);
    const again = await w.pump();
    const rerun = again.trialDeliveries.map((d) => d.trialId);
    console.log(
      `[faults] re-submit after lost messages: ran before=${first.length} ran after=${rerun.length}`,
    );
    expect(new Set(rerun).size).toBe(n - first.length);
    expect(rerun.filter((t) => first.includes(t))).toEqual([]);
    const out = await readOutcome(w.store, id);
    expect(out.results.size).toBe(n);
    expect(out.state?.finished).toBe(true);
    expect(out.leaderboard?.rows).toHaveLength(n);
  });
});
