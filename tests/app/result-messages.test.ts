/**
 * Result messages carry the stored result (without its images), so the aggregator folds it without reading
 * result.json; only the attempt that created the result (or a reader of it) sends a copy; the leaderboard
 * written beside the state's compare-and-swap always matches the state as stored.
 */
import { describe, expect, it } from 'vitest';
import { ObservedBlobStore } from '../../adapters/faults/store.ts';
import type { Aggregate } from '../../core/app/aggregator.ts';
import { aggregate } from '../../core/app/aggregator.ts';
import { dispatchSweep } from '../../core/app/dispatcher.ts';
import { createJson, getJson } from '../../core/app/json.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { runTrial } from '../../core/app/worker.ts';
import { keys } from '../../core/layout.ts';
import {
  MAX_EMBEDDED_RESULT_CHARS,
  type ResultMessage,
  resultMessageSchema,
  submissionMessageSchema,
  type TrialMessage,
  trialMessageSchema,
} from '../../core/messages.ts';
import type { Leaderboard } from '../../core/report/index.ts';
import { slimResult, type TestMetrics, type TrialResult } from '../../core/result.ts';
import { TrialState } from '../../core/trial-state.ts';
import { createHarness, type Harness, sweepText } from './harness.ts';

const ctx = { remainingMs: () => 900_000 };

async function dispatched(h: Harness, text: string): Promise<{ id: string; trials: TrialMessage[] }> {
  const id = await h.submit(text);
  for (const m of await h.submissions.receive({ max: 10, waitSeconds: 0 })) {
    await dispatchSweep(submissionMessageSchema.parse(JSON.parse(m.body)), h.deps);
    await h.submissions.delete(m.receiptHandle);
  }
  const trials: TrialMessage[] = [];
  for (;;) {
    const got = await h.trials.receive({ max: 10, waitSeconds: 0 });
    if (got.length === 0) break;
    for (const m of got) {
      trials.push(trialMessageSchema.parse(JSON.parse(m.body)));
      await h.trials.delete(m.receiptHandle);
    }
  }
  return { id, trials };
}

async function resultMessages(h: Harness): Promise<ResultMessage[]> {
  const out: ResultMessage[] = [];
  for (;;) {
    const got = await h.results.receive({ max: 10, waitSeconds: 0 });
    if (got.length === 0) return out;
    for (const m of got) {
      out.push(resultMessageSchema.parse(JSON.parse(m.body)));
      await h.results.delete(m.receiptHandle);
    }
  }
}

const stored = async (h: Harness, id: string, t: string) =>
  (await getJson<TrialResult>(h.store, keys.result(id, t)))!;

/** A stored result as another attempt (or the dead-letter path) would leave it. */
function failedResult(sweepId: string, t: TrialMessage, reason: string): TrialResult {
  const now = new Date().toISOString();
  return {
    sweep_id: sweepId,
    trial_id: t.trial_id,
    index: t.index,
    config: t.config,
    state: TrialState.Failed,
    reason,
    epochs_run: 0,
    history: [],
    wall_s: 0,
    samples_per_s: 0,
    billed_ms: 0,
    memory_mb: 1769,
    cost_usd: 0,
    invocations: 1,
    started_at: now,
    finished_at: now,
  };
}

describe('result messages', () => {
  it('carry the stored result without its images; the aggregator folds them without reading result.json', async () => {
    const h = await createHarness();
    const { id, trials } = await dispatched(h, sweepText());
    for (const t of trials) await runTrial(t, h.deps, ctx);
    const msgs = await resultMessages(h);
    expect(msgs).toHaveLength(trials.length);
    for (const m of msgs) {
      const full = await stored(h, id, m.trial_id);
      expect((full.test as TestMetrics).confidently_wrong.length).toBeGreaterThan(0);
      expect(m.result).toEqual(slimResult(full));
      expect((m.result?.test as TestMetrics | undefined)?.confidently_wrong).toEqual([]);
    }

    const gets: string[] = [];
    const store = new ObservedBlobStore(h.store, (e) => {
      if (e.op === 'get' && e.phase === 'before') gets.push(e.key);
    });
    await aggregate(msgs, { ...h.deps, store });
    const agg = (await getJson<Aggregate>(h.store, keys.aggregate(id)))!;
    for (const m of msgs)
      expect(agg.results[m.trial_id]).toEqual(slimResult(await stored(h, id, m.trial_id)));
    const state = (await getJson<SweepState>(h.store, keys.sweepState(id)))!;
    expect(state.finished).toBe(true);
    // The only result.json reads are the report's (it re-reads the top 3 whole, for their images), none for
    // the aggregation itself (which read all 4 before).
    expect(gets.filter((k) => k.endsWith('/result.json')).length).toBeLessThanOrEqual(3);
  });

  it('without a carried result the aggregator reads result.json, and folds the same thing', async () => {
    const h = await createHarness();
    const { id, trials } = await dispatched(h, sweepText({}, { learning_rate: { value: 0.001 } }));
    for (const t of trials) await runTrial(t, h.deps, ctx);
    const bare = (await resultMessages(h)).map(({ type, sweep_id, trial_id }) => ({
      type,
      sweep_id,
      trial_id,
    }));
    const gets: string[] = [];
    const store = new ObservedBlobStore(h.store, (e) => {
      if (e.op === 'get' && e.phase === 'before') gets.push(e.key);
    });
    // An intermediate aggregation (not the one that finishes the sweep, so no report): only the reads it needs.
    await aggregate(bare.slice(0, 1), { ...h.deps, store });
    expect(gets).toContain(keys.result(id, bare[0]!.trial_id));
    const agg = (await getJson<Aggregate>(h.store, keys.aggregate(id)))!;
    expect(agg.results[bare[0]!.trial_id]).toEqual(slimResult(await stored(h, id, bare[0]!.trial_id)));
  });

  it('an attempt whose result lost the create announces without a copy; the stored result is the one folded', async () => {
    const h = await createHarness();
    const { id, trials } = await dispatched(
      h,
      sweepText({}, { learning_rate: { value: 0.001 }, activation: { value: 'relu' } }),
    );
    const t = trials[0]!;
    const key = keys.result(id, t.trial_id);
    let other: TrialResult | undefined;
    // Another attempt of the same trial writes its result while this one evaluates (just before its create).
    const racing = new ObservedBlobStore(h.store, async (e) => {
      if (e.op === 'put' && e.key === key && e.phase === 'before' && !other) {
        other = failedResult(id, t, 'the other attempt');
        expect(await createJson(h.store, key, other)).toBe(true);
      }
    });
    await runTrial(t, { ...h.deps, store: racing }, ctx);
    const [msg] = await resultMessages(h);
    expect(msg).toEqual({ type: 'result', sweep_id: id, trial_id: t.trial_id });
    await aggregate([msg!], h.deps);
    const agg = (await getJson<Aggregate>(h.store, keys.aggregate(id)))!;
    expect(agg.results[t.trial_id]?.reason).toBe('the other attempt');

    // A redelivery finds the stored result and announces it, with a copy of what is stored.
    await runTrial(t, h.deps, ctx);
    const [again] = await resultMessages(h);
    expect(again?.result).toEqual(other);
  });

  it('a result too big for a message travels without a copy', async () => {
    const h = await createHarness();
    const { id, trials } = await dispatched(
      h,
      sweepText({}, { learning_rate: { value: 0.001 }, activation: { value: 'relu' } }),
    );
    const t = trials[0]!;
    const big = failedResult(id, t, 'x'.repeat(MAX_EMBEDDED_RESULT_CHARS));
    expect(await createJson(h.store, keys.result(id, t.trial_id), big)).toBe(true);
    await runTrial(t, h.deps, ctx); // a redelivery: finds the stored result and announces it
    const [msg] = await resultMessages(h);
    expect(msg).toEqual({ type: 'result', sweep_id: id, trial_id: t.trial_id });
    await aggregate([msg!], h.deps);
    const agg = (await getJson<Aggregate>(h.store, keys.aggregate(id)))!;
    expect(agg.results[t.trial_id]?.reason).toBe(big.reason);
  });

  it('a carried result must name the message’s own sweep and trial', () => {
    const r = { sweep_id: 's1', trial_id: 't-2', state: 'completed', history: [] };
    const bad = resultMessageSchema.safeParse({ type: 'result', sweep_id: 's1', trial_id: 't-1', result: r });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['result']);
    const shapeless = resultMessageSchema.safeParse({
      type: 'result',
      sweep_id: 's1',
      trial_id: 't-2',
      result: 'x',
    });
    expect(shapeless.success).toBe(false);
    expect(
      resultMessageSchema.safeParse({ type: 'result', sweep_id: 's1', trial_id: 't-2', result: r }).success,
    ).toBe(true);
  });

  it('leaderboard.json, written beside the state, shows the state as stored (finish time included)', async () => {
    const h = await createHarness();
    const id = await h.submit(sweepText());
    await h.pump();
    const state = (await getJson<SweepState>(h.store, keys.sweepState(id)))!;
    const lb = (await getJson<Leaderboard & { based_on: number }>(h.store, keys.leaderboard(id, 'json')))!;
    expect(state.finished).toBe(true);
    expect(lb.sweep.finished_at).toBe(state.finished_at);
    expect(lb.based_on).toBe(4);
    expect(lb.counts.pending).toBe(0);
  });

  it('when another aggregator finished the sweep first, the leaderboard is rewritten from its state', async () => {
    const h = await createHarness();
    const { id, trials } = await dispatched(h, sweepText());
    for (const t of trials) await runTrial(t, h.deps, ctx);
    const msgs = await resultMessages(h);
    await aggregate(msgs.slice(0, 3), h.deps); // this container now knows the state after 3 results
    // Meanwhile another aggregator counts all four and marks the sweep finished, at its own time.
    const key = keys.sweepState(id);
    const cur = (await getJson<SweepState>(h.store, key))!;
    const theirs: SweepState = {
      ...cur,
      totals: { ...cur.totals, terminal: 4, by_state: { ...cur.totals.by_state, completed: 4 } },
      finished: true,
      finished_at: '2001-02-03T04:05:06.000Z',
    };
    await h.store.put(key, JSON.stringify(theirs), { ifMatch: (await h.store.get(key))!.etag });
    await aggregate(msgs.slice(3), h.deps);
    const state = (await getJson<SweepState>(h.store, key))!;
    expect(state.finished_at).toBe('2001-02-03T04:05:06.000Z');
    const lb = (await getJson<Leaderboard & { based_on: number }>(h.store, keys.leaderboard(id, 'json')))!;
    expect(lb.sweep.finished_at).toBe('2001-02-03T04:05:06.000Z');
    expect(lb.based_on).toBe(4);
  });
});
