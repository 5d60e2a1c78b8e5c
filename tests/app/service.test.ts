import { describe, expect, it } from 'vitest';
import type { Aggregate } from '../../core/app/aggregator.ts';
import { aggregate } from '../../core/app/aggregator.ts';
import { dispatchSweep } from '../../core/app/dispatcher.ts';
import { getJson } from '../../core/app/json.ts';
import { renderSweepReportNow } from '../../core/app/report.ts';
import { readSweepStatus } from '../../core/app/status.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { CHECKPOINT_INTERVAL_MS, runTrial, SAFETY_MS } from '../../core/app/worker.ts';
import { keys } from '../../core/layout.ts';
import { resultMessageSchema, submissionMessageSchema, trialMessageSchema } from '../../core/messages.ts';
import type { Leaderboard } from '../../core/report/index.ts';
import type { TrialResult } from '../../core/result.ts';
import { createHarness, sweepText } from './harness.ts';

const results = async (h: Awaited<ReturnType<typeof createHarness>>, id: string) => {
  const agg = await getJson<Aggregate>(h.store, keys.aggregate(id));
  return Object.values(agg?.results ?? {});
};

describe('the service end to end on in-memory adapters', () => {
  it('runs a 4-trial grid to a ranked leaderboard and a report, and a re-submission runs nothing', async () => {
    const h = await createHarness();
    const id = await h.submit(sweepText());
    const run = await h.pump();
    expect(run.errors).toEqual([]);
    expect(run.invocations).toBe(4);
    const state = await getJson<SweepState>(h.store, keys.sweepState(id));
    expect(state?.finished).toBe(true);
    expect(state?.totals.terminal).toBe(4);
    const rs = await results(h, id);
    expect(rs.map((r) => r.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const r of rs) {
      expect(r.epochs_run).toBe(2);
      expect(r.test_accuracy).toBeGreaterThan(0.8);
      expect(r.cost_usd).toBeGreaterThan(0);
      expect(await h.store.get(keys.weights(id, r.trial_id))).toBeDefined();
    }
    const lb = await getJson<Leaderboard>(h.store, keys.leaderboard(id, 'json'));
    expect(lb?.rows).toHaveLength(4);
    const metrics = lb!.rows.map((r) => r.metric ?? 0);
    expect([...metrics].sort((a, b) => b - a)).toEqual(metrics);
    expect(new TextDecoder().decode((await h.store.get(keys.report(id)))!.body)).toContain('<svg');
    expect((await h.store.get(keys.leaderboard(id, 'csv')))?.body.length).toBeGreaterThan(0);

    const again = await h.submit(sweepText());
    expect(again).toBe(id);
    const rerun = await h.pump();
    expect(rerun.invocations).toBe(0);
    expect(await results(h, id)).toHaveLength(4);
  });

  it('continues a trial across invocations when time runs out, bit-identical to one long invocation', async () => {
    const long = await createHarness();
    const idA = await long.submit(
      sweepText({}, { learning_rate: { value: 0.002 }, activation: { value: 'relu' }, epochs: { value: 3 } }),
    );
    await long.pump();
    const [uninterrupted] = await results(long, idA);

    const short = await createHarness();
    const idB = await short.submit(
      sweepText({}, { learning_rate: { value: 0.002 }, activation: { value: 'relu' }, epochs: { value: 3 } }),
    );
    // Every invocation has just enough time for one epoch.
    const run = await short.pump({ ctx: () => ({ remainingMs: () => SAFETY_MS }) });
    expect(run.invocations).toBe(3);
    const [resumed] = await results(short, idB);
    expect(resumed?.state).toBe('completed');
    expect(resumed?.invocations).toBe(3);
    const strip = (r: TrialResult | undefined) =>
      r?.history.map(({ train_loss, val_loss, val_accuracy, weight_norms }) => ({
        train_loss,
        val_loss,
        val_accuracy,
        weight_norms,
      }));
    expect(strip(resumed)).toEqual(strip(uninterrupted));
    expect(resumed?.test_accuracy).toBe(uninterrupted?.test_accuracy);
    const wA = (await long.store.get(keys.weights(idA, uninterrupted!.trial_id)))!.body;
    const wB = (await short.store.get(keys.weights(idB, resumed!.trial_id)))!.body;
    expect(Buffer.compare(Buffer.from(wA), Buffer.from(wB))).toBe(0);
  });

  it('checkpoints every epoch once epochs take CHECKPOINT_INTERVAL_MS, and not at all for short trials', async () => {
    const params = { learning_rate: { value: 0.002 }, activation: { value: 'relu' }, epochs: { value: 3 } };
    const fast = await createHarness();
    const idFast = await fast.submit(sweepText({}, params));
    await fast.pump();
    const [rFast] = await results(fast, idFast);
    expect(rFast?.state).toBe('completed');
    expect(await fast.store.get(keys.checkpoint(idFast, rFast!.trial_id))).toBeUndefined();

    const slow = await createHarness();
    let clock = Date.now();
    slow.deps.now = () => (clock += CHECKPOINT_INTERVAL_MS); // every epoch "takes" longer than the interval
    const idSlow = await slow.submit(sweepText({}, params));
    await slow.pump();
    const [rSlow] = await results(slow, idSlow);
    expect(rSlow?.state).toBe('completed');
    expect(await slow.store.get(keys.checkpoint(idSlow, rSlow!.trial_id))).toBeDefined();
    expect(rSlow?.history.map((e) => e.val_loss)).toEqual(rFast?.history.map((e) => e.val_loss));
  });

  it('absorbs duplicate deliveries: one row per trial and cost counted once', async () => {
    const once = await createHarness();
    const id1 = await once.submit(sweepText());
    await once.pump();
    const twice = await createHarness();
    const id2 = await twice.submit(sweepText());
    await twice.pump({ duplicate: true });
    const r1 = await results(once, id1);
    const r2 = await results(twice, id2);
    expect(r2).toHaveLength(4);
    const lb = await getJson<Leaderboard>(twice.store, keys.leaderboard(id2, 'json'));
    expect(new Set(lb!.rows.map((r) => r.trial_id)).size).toBe(4);
    const state = await getJson<SweepState>(twice.store, keys.sweepState(id2));
    expect(state?.totals.terminal).toBe(4);
    expect(state!.totals.cost_usd).toBeCloseTo(
      r2.reduce((s, r) => s + r.cost_usd, 0),
      12,
    );
    expect(r2.map((r) => r.val_accuracy).sort()).toEqual(r1.map((r) => r.val_accuracy).sort());
  });

  it('dead-letters a poison trial as failed with its error, and the rest completes', async () => {
    const h = await createHarness();
    // layers[0] does not match the data set's 784 inputs: the worker throws on every delivery.
    const id = await h.submitUnchecked(
      sweepText(
        {},
        {
          layers: { values: ['784-32-10', '100-10'] },
          activation: { value: 'relu' },
          learning_rate: { value: 0.001 },
        },
      ),
    );
    const run = await h.pump();
    expect(run.errors).toHaveLength(3);
    const rs = await results(h, id);
    expect(rs).toHaveLength(2);
    const failed = rs.find((r) => r.state === 'failed');
    expect(failed?.reason).toMatch(/dead-letter.*layers\[0\] is 100/);
    expect(rs.find((r) => r.state === 'completed')).toBeDefined();
    const status = await readSweepStatus(h.store, id);
    expect(status?.finished).toBe(true);
    expect(status?.counts.failed).toBe(1);
  });

  it('skips trials once max_cost_usd is spent, with the reason', async () => {
    const h = await createHarness();
    const id = await h.submit(sweepText({ max_cost_usd: 1e-9, max_concurrency: 1 }));
    await h.pump();
    const rs = await results(h, id);
    expect(rs).toHaveLength(4);
    expect(rs.filter((r) => r.state === 'completed')).toHaveLength(1);
    const skipped = rs.filter((r) => r.state === 'skipped');
    expect(skipped).toHaveLength(3);
    expect(skipped[0]?.reason).toMatch(/max_cost_usd/);
  });

  it('refuses a trial that would not fit in the worker memory, before training', async () => {
    const h = await createHarness({ memoryMb: 64 });
    const id = await h.submit(
      sweepText(
        {},
        {
          layers: { value: '784-2048-2048-10' },
          learning_rate: { value: 0.001 },
          activation: { value: 'relu' },
        },
      ),
    );
    await h.pump();
    const [r] = await results(h, id);
    expect(r?.state).toBe('failed');
    expect(r?.reason).toMatch(/refused before training/);
    expect(r?.epochs_run).toBe(0);
  });

  it('rejects an invalid sweep with every problem and enqueues nothing', async () => {
    const h = await createHarness();
    await expect(
      h.submit(sweepText({ method: 'gird' }, { learning_rate: { min: -1, max: 1 } })),
    ).rejects.toThrow(/\$\.method/);
    expect((await h.submissions.depth()).visible).toBe(0);
    await expect(h.submit(sweepText({ dataset: 'fashion-mnist' }))).rejects.toThrow(/not prepared/);
    expect((await h.submissions.depth()).visible).toBe(0);
  });

  it('sends the longest trials first, also when max_concurrency tops the queue up (expansion order kept as index)', async () => {
    const h = await createHarness();
    await h.submit(
      sweepText(
        { max_concurrency: 2 },
        { layers: { values: ['784-16-10', '784-64-10'] }, epochs: { values: [1, 2] } },
      ),
    );
    const m = await h.submissions.receive({ max: 1, waitSeconds: 0 });
    await dispatchSweep(submissionMessageSchema.parse(JSON.parse(m[0]!.body)), h.deps);
    await h.submissions.delete(m[0]!.receiptHandle);
    const sent: { layers: number[]; epochs: number; index: number }[] = [];
    for (;;) {
      const got = await h.trials.receive({ max: 10, waitSeconds: 0 });
      if (got.length === 0) break;
      expect(got.length).toBeLessThanOrEqual(2);
      for (const g of got) {
        const msg = trialMessageSchema.parse(JSON.parse(g.body));
        sent.push({ layers: msg.config.layers, epochs: msg.config.epochs, index: msg.index });
        await runTrial(msg, h.deps, { remainingMs: () => 900_000 });
        await h.trials.delete(g.receiptHandle);
      }
      const res = await h.results.receive({ max: 10, waitSeconds: 0 });
      await aggregate(
        res.map((r) => resultMessageSchema.parse(JSON.parse(r.body))),
        h.deps,
      );
      for (const r of res) await h.results.delete(r.receiptHandle);
    }
    const work = sent.map((t) => t.layers[1]! * t.epochs);
    expect(sent).toHaveLength(16);
    expect(work).toEqual([...work].sort((a, b) => b - a));
    expect(sent[0]).toMatchObject({ layers: [784, 64, 10], epochs: 2 });
  }, 60_000);

  it('renders a report of a running sweep on demand, from the results aggregated so far', async () => {
    const h = await createHarness();
    const id = await h.submit(sweepText());
    const m = await h.submissions.receive({ max: 1, waitSeconds: 0 });
    await dispatchSweep(submissionMessageSchema.parse(JSON.parse(m[0]!.body)), h.deps);
    const [t] = await h.trials.receive({ max: 1, waitSeconds: 0 });
    const msg = trialMessageSchema.parse(JSON.parse(t!.body));
    await runTrial(msg, h.deps, { remainingMs: () => 900_000 });
    const res = await h.results.receive({ max: 10, waitSeconds: 0 });
    await aggregate(
      res.map((r) => resultMessageSchema.parse(JSON.parse(r.body))),
      h.deps,
    );
    // Not due yet: the stored report waits for the interval or the end …
    expect(await h.store.get(keys.report(id))).toBeUndefined();
    // … but one can be rendered now.
    const now = await renderSweepReportNow(h.store, id);
    expect(now).toMatchObject({ results: 1, total: 4, finished: false });
    expect(now!.html).toContain(msg.trial_id);
    // The trials without a result yet show as pending (4 expanded, 1 finished).
    expect(now!.html).toMatch(/<span class="badge"[^>]*>pending 3<\/span>/);
    expect(await renderSweepReportNow(h.store, 'no-such-sweep')).toBeUndefined();
  });
});
