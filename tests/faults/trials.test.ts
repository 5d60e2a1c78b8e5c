/**
 * Issue 6 against LocalStack S3 + SQS with the real handlers: duplicate deliveries, a poison trial, a
 * corrupted shard, a diverging trial and a trial too big for the worker's memory. Every scenario checks
 * that nothing is lost, nothing is counted twice, and the rest of the sweep completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicatingQueue } from '../../adapters/faults/queue.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { keys } from '../../core/layout.ts';
import { MAX_RECEIVE_COUNT } from '../../core/service-spec.ts';
import { TrialState } from '../../core/trial-state.ts';
import { createFaultWorld, type FaultWorld, readOutcome, tinySweepText } from './world.ts';

let w: FaultWorld;
beforeAll(async () => {
  w = await createFaultWorld('trials');
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('faults on LocalStack: trials', () => {
  it('every message delivered twice and every handler invoked twice: 0 duplicate rows, cost counted once', async () => {
    const n = 4;
    const submissions = new DuplicatingQueue(w.submissions);
    const r = await submitSweep(tinySweepText('dup', n), 'dup.json', {
      store: w.store,
      submissions,
      now: Date.now,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const id = r.value.sweep_id;
    const dupDeps = () =>
      w.deps({ trials: new DuplicatingQueue(w.trials), results: new DuplicatingQueue(w.results) });
    const run = await w.pump({
      workerDeps: dupDeps,
      dispatcherDeps: dupDeps,
      aggregatorDeps: dupDeps,
      invokeTwice: true,
    });
    const out = await readOutcome(w.store, id);
    const rows = out.leaderboard?.rows ?? [];
    const distinctResultsCost = sum([...out.results.values()].map((x) => x.cost_usd));
    const dupRows = rows.length - new Set(rows.map((x) => x.trial_id)).size;
    console.log(
      `[faults] duplicates: trials=${n} trial deliveries=${run.trialDeliveries.length} worker invocations=${run.invocations.worker} ` +
        `leaderboard rows=${rows.length} duplicate rows=${dupRows} cost(leaderboard)=${sum(rows.map((x) => x.cost_usd))} cost(results)=${distinctResultsCost}`,
    );
    expect(run.trialDeliveries.length).toBeGreaterThanOrEqual(2 * n); // every trial message was there twice
    expect(run.invocations.worker).toBe(2 * run.trialDeliveries.length);
    expect(run.failures.worker).toEqual([]);
    expect(dupRows).toBe(0);
    expect(rows).toHaveLength(n);
    expect(out.results.size).toBe(n);
    expect(Object.keys(out.aggregate?.results ?? {})).toHaveLength(n);
    expect(sum(rows.map((x) => x.cost_usd))).toBeCloseTo(distinctResultsCost, 12);
    expect(out.leaderboard?.total_cost_usd).toBeCloseTo(distinctResultsCost, 12);
    expect(out.state?.totals.cost_usd).toBeCloseTo(distinctResultsCost, 12);
    expect(out.state?.totals.terminal).toBe(n);
    expect(out.state?.finished).toBe(true);
    for (const x of out.results.values()) {
      expect(x.state).toBe(TrialState.Completed);
      expect(x.invocations).toBe(1); // a duplicate of a finished trial is not billed again
    }
  });

  it('a poison trial is retried, dead-lettered after maxReceiveCount, and shown failed with its error; the rest completes', async () => {
    const id = await w.submitUnchecked(
      tinySweepText('poison', 1, { layers: { values: ['784-16-10', '100-10'] } }),
    );
    const run = await w.pump();
    const out = await readOutcome(w.store, id);
    const poison = [...out.results.values()].find((x) => x.config.layers[0] === 100);
    expect(poison).toBeDefined();
    const deliveries = run.trialDeliveries.filter((d) => d.trialId === poison!.trial_id);
    console.log(
      `[faults] poison: deliveries=${deliveries.length} receive counts=${deliveries.map((d) => d.receiveCount).join(',')} ` +
        `dead-lettered=${run.deadLettered.length} state=${poison!.state}`,
    );
    expect(deliveries.map((d) => d.receiveCount)).toEqual([1, 2, 3].slice(0, MAX_RECEIVE_COUNT));
    expect(run.deadLettered.map((d) => d.trialId)).toEqual([poison!.trial_id]);
    expect(run.deadLettered[0]!.receiveCount).toBeGreaterThanOrEqual(MAX_RECEIVE_COUNT);
    expect(run.failures.worker).toHaveLength(MAX_RECEIVE_COUNT);
    expect(await w.store.list(keys.errors(id, poison!.trial_id))).toHaveLength(MAX_RECEIVE_COUNT);
    expect(poison!.state).toBe(TrialState.Failed);
    expect(poison!.reason).toMatch(/dead-letter.*TrialInputError: layers\[0\] is 100/);
    const row = out.leaderboard?.rows.find((x) => x.trial_id === poison!.trial_id);
    expect(row?.state).toBe('failed');
    expect(row?.reason).toMatch(/layers\[0\] is 100/);
    expect(out.reportHtml).toContain(poison!.trial_id);
    expect(out.reportHtml).toMatch(/layers\[0\] is 100/);
    expect([...out.results.values()].filter((x) => x.state === TrialState.Completed)).toHaveLength(1);
    expect(out.state?.finished).toBe(true);
    expect((await w.trialsDlq.depth()).visible).toBe(0);
  });

  it('a diverging trial ends diverged with its curves; the sweep goes on', async () => {
    const id = await w.submit(
      tinySweepText('diverge', 1, {
        learning_rate: { values: [0.003, 50] },
        optimizer: { value: 'sgd' },
        activation: { value: 'relu' },
      }),
    );
    const run = await w.pump();
    expect(run.failures.worker).toEqual([]);
    const out = await readOutcome(w.store, id);
    const rs = [...out.results.values()];
    const div = rs.find((x) => x.config.learning_rate === 50);
    console.log(
      `[faults] divergence: state=${div?.state} reason=${div?.reason} epochs=${div?.history.length}`,
    );
    expect(div?.state).toBe(TrialState.Diverged);
    expect(div?.reason).toMatch(/loss (exploded|is NaN|is Infinity)/);
    expect(div?.history.length).toBeGreaterThanOrEqual(1);
    expect(div?.history[0]?.train_loss).toBeDefined();
    expect(div?.weights_key).toBeUndefined();
    expect(rs.find((x) => x.config.learning_rate === 0.003)?.state).toBe(TrialState.Completed);
    expect(out.leaderboard?.rows.find((x) => x.trial_id === div?.trial_id)?.state).toBe('diverged');
    expect(out.state?.finished).toBe(true);
  });

  it('a trial needing more memory than the worker has is refused before training, with the reason', async () => {
    const id = await w.submit(
      tinySweepText('memory', 1, { layers: { values: ['784-16-10', '784-2048-2048-10'] } }),
    );
    const small = () => w.deps({ memoryMb: 96 });
    const run = await w.pump({ workerDeps: small, aggregatorDeps: small });
    expect(run.failures.worker).toEqual([]);
    const out = await readOutcome(w.store, id);
    const big = [...out.results.values()].find((x) => x.config.layers[1] === 2048);
    console.log(`[faults] memory: state=${big?.state} reason=${big?.reason}`);
    expect(big?.state).toBe(TrialState.Failed);
    expect(big?.reason).toMatch(/needs about \d+ MB but the worker has 96 MB.*refused before training/);
    expect(big?.epochs_run).toBe(0);
    expect(await w.store.get(keys.checkpoint(id, big!.trial_id))).toBeUndefined();
    expect(await w.store.get(keys.weights(id, big!.trial_id))).toBeUndefined();
    const ok = [...out.results.values()].find((x) => x.config.layers[1] === 16);
    expect(ok?.state).toBe(TrialState.Completed);
  });
});
