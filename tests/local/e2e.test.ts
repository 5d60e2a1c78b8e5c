/**
 * End to end on this machine: a 6-trial sweep through LocalStack's SQS and S3 with the real handler
 * modules in 2 worker processes (+ dispatcher + aggregator processes), then the same sweep on the embedded
 * backend (files + in-process queues + worker threads): bit-identical per-trial metrics and weights.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../../adapters/backend.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { keys } from '../../core/layout.ts';
import type { Leaderboard } from '../../core/report/index.ts';
import type { TrialResult } from '../../core/result.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';
import {
  deleteBackendResources,
  expectSameRuns,
  prepareMini,
  readResults,
  runSixOnEmbedded,
  SIX_TRIAL_SWEEP,
  weightsDigest,
} from './helpers.ts';

const dec = new TextDecoder();
const prefix = `e2e-${randomBytes(4).toString('hex')}`;
let endpoint: string;
let backend: Backend;
let lsSweepId: string;
let lsResults: Map<string, TrialResult>;
const tmpDirs: string[] = [];

beforeAll(async () => {
  endpoint = await ensureLocalstack();
}, 15 * 60_000);

afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
  await deleteBackendResources(endpoint, backend);
});

describe('LocalStack: submissions queue → dispatcher → 2 worker processes → aggregator', () => {
  it('runs a 6-trial sweep to completion through SQS and S3', async () => {
    backend = await openBackend('localstack', { endpoint, prefix, workerTimeoutSeconds: 30 });
    await prepareMini(backend.store);
    const batches: { instance: string; function: string; succeeded: number }[] = [];
    const runner = new ProcessRunner({
      backend,
      modules: SOURCE_HANDLERS,
      workers: 2,
      workerTimeoutSeconds: 30,
      onBatch: (r) => batches.push(r),
    });
    await runner.start();
    try {
      const sub = await submitSweep(SIX_TRIAL_SWEEP, 'e2e.json', {
        store: backend.store,
        submissions: backend.queues!.submissions,
        now: Date.now,
      });
      expect(sub.ok).toBe(true);
      if (!sub.ok) return;
      expect(sub.value.trials).toBe(6);
      lsSweepId = sub.value.sweep_id;
      const q = backend.queues!;
      const status = await waitForSweep(backend.store, lsSweepId, {
        queues: [q.submissions, q.trials, q.results, backend.trialsDlq!],
      });
      expect(status.finished).toBe(true);
      expect(status.counts.completed).toBe(6);
      expect(runner.activity().restarts).toBe(0);
    } finally {
      await runner.stop();
    }
    // Every function ran in its own process, fed by SQS.
    const fns = new Set(batches.map((b) => b.function));
    expect(fns).toEqual(new Set(['local-dispatcher', 'local-worker', 'local-aggregator']));
    const workerRuns = batches.filter((b) => b.function === 'local-worker');
    expect(workerRuns.reduce((s, b) => s + b.succeeded, 0)).toBeGreaterThanOrEqual(6);

    lsResults = await readResults(backend.store, lsSweepId);
    expect(lsResults.size).toBe(6);
    for (const r of lsResults.values()) {
      expect(r.state).toBe('completed');
      expect(r.weights_key).toBe(keys.weights(lsSweepId, r.trial_id));
      expect(await weightsDigest(backend.store, lsSweepId, r.trial_id)).toBeDefined();
    }
  });

  it('ranks the leaderboard by the metric and writes the report to S3', async () => {
    const obj = await backend.store.get(keys.leaderboard(lsSweepId, 'json'));
    expect(obj).toBeDefined();
    const lb = JSON.parse(dec.decode(obj!.body)) as Leaderboard;
    expect(lb.rows).toHaveLength(6);
    expect(lb.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    const metrics = lb.rows.map((r) => r.metric!);
    expect(metrics).toEqual([...metrics].sort((a, b) => b - a));
    // The leaderboard's metric is each trial's own val_accuracy.
    for (const row of lb.rows) expect(row.metric).toBe(lsResults.get(row.trial_id)!.val_accuracy);
    expect(lb.best?.trial_id).toBe(lb.rows[0]!.trial_id);

    const csv = await backend.store.get(keys.leaderboard(lsSweepId, 'csv'));
    expect(dec.decode(csv!.body).split('\r\n').filter(Boolean)).toHaveLength(7);
    const report = await backend.store.get(keys.report(lsSweepId));
    const html = dec.decode(report!.body);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(lb.rows[0]!.trial_id);
  });
});

describe('embedded backend: the same sweep', () => {
  it('gives bit-identical per-trial metrics and weights to the LocalStack run', async () => {
    expect(lsResults?.size).toBe(6);
    const dir = await mkdtemp(join(tmpdir(), 'embedded-e2e-'));
    tmpDirs.push(dir);
    const local = await runSixOnEmbedded(dir);
    expect(local.sweepId).toBe(lsSweepId); // same content ⇒ same id
    await expectSameRuns(
      lsSweepId,
      { store: local.store, results: await readResults(local.store, lsSweepId) },
      { store: backend.store, results: lsResults },
    );
  });
});
