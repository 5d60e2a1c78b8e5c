/**
 * The aggregator killed mid-update and restarted, on LocalStack: a FaultyBlobStore crashes the aggregator
 * at its (k+1)-th put — before the write lands, or after it lands but before the aggregator learns it —
 * for every k from 0 to past its last put; the crashed invocation deletes nothing (its process is gone),
 * the messages come back after the visibility timeout, and a clean restart processes them. The final
 * aggregate, state totals and leaderboard must equal those of an uncrashed run, every time.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyBlobStore, ObservedBlobStore } from '../../adapters/faults/store.ts';
import { REPORT_INTERVAL_MS } from '../../core/app/aggregator.ts';
import type { AppDeps } from '../../core/app/deps.ts';
import { getJson, putJson } from '../../core/app/json.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { keys } from '../../core/layout.ts';
import type { ResultMessage } from '../../core/messages.ts';
import { createHandler as aggregatorHandler } from '../../lambdas/aggregator.ts';
import { eventOf, lambdaContext, sqsRecord } from '../lambdas/sqs-pump.ts';
import { createFaultWorld, type FaultWorld, readOutcome, type SweepOutcome, tinySweepText } from './world.ts';

let w: FaultWorld;
let sweepId: string;
let stateAfterDispatch: SweepState;
let trialIds: string[];
beforeAll(async () => {
  w = await createFaultWorld('aggregator');
  sweepId = await w.submit(tinySweepText('agg-crash', 5, { learning_rate: { values: [0.001, 0.01] } }));
  const run = await w.pump({ only: ['dispatcher', 'worker'] });
  expect(run.failures.worker).toEqual([]);
  stateAfterDispatch = (await getJson<SweepState>(w.store, keys.sweepState(sweepId)))!;
  trialIds = stateAfterDispatch.trial_ids;
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

/** Back to "every trial has its result, nothing aggregated yet", with one result message per trial queued. */
async function resetAggregation(): Promise<void> {
  for (;;) {
    const got = await w.results.receive({ max: 10, waitSeconds: 0 });
    if (got.length === 0) break;
    for (const m of got) await w.results.delete(m.receiptHandle);
  }
  for (const k of [
    keys.aggregate(sweepId),
    keys.leaderboard(sweepId, 'json'),
    keys.leaderboard(sweepId, 'csv'),
    keys.leaderboard(sweepId, 'md'),
    keys.report(sweepId),
  ])
    await w.store.delete(k);
  await putJson(w.store, keys.sweepState(sweepId), stateAfterDispatch);
  const msgs: ResultMessage[] = trialIds.map((t) => ({ type: 'result', sweep_id: sweepId, trial_id: t }));
  await w.results.send(msgs.map((m) => JSON.stringify(m)));
}

/** One aggregator invocation over `batch` result messages with a store that crashes at put k+1. */
async function crashingInvocation(
  batch: number,
  k: number,
  when: 'before' | 'after',
): Promise<{ crashed: boolean; puts: number }> {
  const store = new FaultyBlobStore(w.store, { afterPuts: k, when });
  const deps: AppDeps = w.deps({ store });
  const got = await w.results.receive({ max: batch, waitSeconds: 1, visibilityTimeoutSeconds: 1 });
  expect(got.length).toBeGreaterThan(0);
  const out = await aggregatorHandler(() => deps)(
    eventOf(got.map((m) => sqsRecord(m, w.results.name))),
    lambdaContext(),
  );
  // A crashed process never returns to the event-source mapping: nothing of its batch is deleted.
  if (!store.crashed) {
    const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of got) if (!failed.has(m.id)) await w.results.delete(m.receiptHandle);
  }
  return { crashed: store.crashed, puts: store.counts.put };
}

function summary(o: SweepOutcome) {
  return {
    aggregate: Object.fromEntries(
      Object.entries(o.aggregate?.results ?? {}).map(([t, r]) => [
        t,
        { state: r.state, cost: r.cost_usd, val: r.val_accuracy },
      ]),
    ),
    totals: o.state && {
      ...o.state.totals,
      // Sums over the aggregate in merge order: equal up to floating-point rounding.
      cost_usd: Number(o.state.totals.cost_usd.toPrecision(10)),
      compute_s: Number(o.state.totals.compute_s.toPrecision(10)),
    },
    finished: o.state?.finished,
    rows: o.leaderboard?.rows.map((r) => ({
      rank: r.rank,
      trial: r.trial_id,
      metric: r.metric,
      cost: r.cost_usd,
    })),
    based_on: o.leaderboard?.based_on,
    report: o.reportHtml !== undefined && trialIds.every((t) => o.reportHtml!.includes(t)),
  };
}

let reference: ReturnType<typeof summary>;
let putsPerAggregation = 0;

describe('faults on LocalStack: aggregator crashes', () => {
  it('an uncrashed aggregation is the reference', async () => {
    await resetAggregation();
    const r = await crashingInvocation(10, Number.POSITIVE_INFINITY, 'before');
    expect(r.crashed).toBe(false);
    putsPerAggregation = r.puts;
    reference = summary(await readOutcome(w.store, sweepId));
    expect(Object.keys(reference.aggregate)).toHaveLength(trialIds.length);
    expect(reference.rows).toHaveLength(trialIds.length);
    expect(reference.finished).toBe(true);
    expect(reference.report).toBe(true);
    expect(putsPerAggregation).toBeGreaterThanOrEqual(6);
  });

  it('crashed at every put (before and after the write lands) and restarted, it converges to the reference', async () => {
    let crashes = 0;
    const rounds: string[] = [];
    for (let k = 0; k <= putsPerAggregation; k++) {
      for (const when of ['before', 'after'] as const) {
        // The whole batch (the aggregation that finishes the sweep and renders everything), and a partial
        // one (an intermediate aggregation: aggregate, state and leaderboard.json only) that crashes at
        // put k+1 or gets through; either way the restarted aggregator must converge.
        const partial = 1 + ((k * 2 + (when === 'after' ? 1 : 0)) % (trialIds.length - 1));
        for (const batch of [trialIds.length, partial]) {
          await resetAggregation();
          const r = await crashingInvocation(batch, k, when);
          if (r.crashed) crashes++;
          const again = await w.pump({ only: ['aggregator'], timeoutMs: 60_000 });
          const got = summary(await readOutcome(w.store, sweepId));
          rounds.push(
            `k=${k}/${when}/batch=${batch}:${r.crashed ? 'crashed' : 'ok'}+${again.invocations.aggregator}`,
          );
          expect(got, `k=${k} ${when} batch=${batch}`).toEqual(reference);
        }
      }
    }
    console.log(
      `[faults] aggregator: puts per aggregation=${putsPerAggregation} rounds=${rounds.length} crashes=${crashes} all converged; ${rounds.join(' ')}`,
    );
    expect(crashes).toBeGreaterThanOrEqual(2 * putsPerAggregation);
  });

  it('two concurrent aggregators: the one with fewer results finishing last leaves no stale leaderboard or report', async () => {
    await resetAggregation();
    const got: Awaited<ReturnType<typeof w.results.receive>> = [];
    while (got.length < trialIds.length) {
      const more = await w.results.receive({ max: 10, waitSeconds: 1, visibilityTimeoutSeconds: 60 });
      got.push(...more);
    }
    const [last, ...rest] = got;
    // A holds all but one result and pauses right before its first plain-put write (leaderboard.csv) …
    let paused!: () => void;
    const atPause = new Promise<void>((r) => {
      paused = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let once = false;
    const slow = new ObservedBlobStore(w.store, async (e) => {
      if (!once && e.op === 'put' && e.phase === 'before' && e.key.endsWith('/leaderboard.csv')) {
        once = true;
        paused();
        await released;
      }
    });
    // A's clock runs past the report interval, so A renders the leaderboards and report (plain puts).
    const later = () => Date.now() + 2 * REPORT_INTERVAL_MS;
    const a = aggregatorHandler(() => w.deps({ store: slow, now: later }))(
      eventOf(rest.map((m) => sqsRecord(m, w.results.name))),
      lambdaContext(),
    );
    await atPause;
    // … while B folds in the last result and finishes the sweep; then A goes on.
    const b = await aggregatorHandler(() => w.deps())(
      eventOf([sqsRecord(last!, w.results.name)]),
      lambdaContext(),
    );
    expect(b.batchItemFailures).toEqual([]);
    release();
    expect((await a).batchItemFailures).toEqual([]);
    for (const m of got) await w.results.delete(m.receiptHandle);

    const outcome = await readOutcome(w.store, sweepId);
    const csv = new TextDecoder().decode((await w.store.get(keys.leaderboard(sweepId, 'csv')))!.body);
    const md = new TextDecoder().decode((await w.store.get(keys.leaderboard(sweepId, 'md')))!.body);
    const missing = (text: string) => trialIds.filter((t) => !text.includes(t));
    console.log(
      `[faults] concurrent aggregators: missing from csv=${missing(csv).length} md=${missing(md).length} report=${missing(outcome.reportHtml ?? '').length}`,
    );
    expect(missing(csv)).toEqual([]);
    expect(missing(md)).toEqual([]);
    expect(missing(outcome.reportHtml ?? '')).toEqual([]);
    expect(summary(outcome)).toEqual(reference);
  });

  it('SIGKILLed in a child process at put k+1, then restarted: the same content', async () => {
    for (const k of [1, 4]) {
      await resetAggregation();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'aggregator-proc.ts')],
        {
          env: {
            ...process.env,
            FAULT_ENDPOINT: w.clients.endpoint,
            FAULT_BUCKET: w.res.bucket,
            FAULT_RESULTS_URL: w.res.queueUrls.results,
            FAULT_TRIALS_URL: w.res.queueUrls.trials,
            FAULT_CRASH_AFTER_PUTS: String(k),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      console.log(`[faults] aggregator child k=${k}: exit code=${code} signal=${signal}`);
      expect(signal, stderr).toBe('SIGKILL');
      await w.pump({ only: ['aggregator'], timeoutMs: 60_000 });
      expect(summary(await readOutcome(w.store, sweepId))).toEqual(reference);
    }
  });
});
