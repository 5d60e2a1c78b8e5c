/**
 * A 40-trial sweep through a network that fails as a cloud does: every handler (child processes of the real
 * local runner, tests/faults/net/proxy.ts between them and LocalStack via AWS_ENDPOINT_URL) and the runner's
 * own event source mappings (their receives and deletes) talk to S3 and SQS through a seeded, scripted fault
 * proxy. One run per fault kind, after a fault-free run on the same resources:
 *
 *   throttling         S3 503 SlowDown and SQS RequestThrottled on 20 % of calls
 *   internal-errors    500 InternalError on 10 % of calls
 *   connection-resets  connections reset mid-request (5 %) and mid-response (5 %)
 *   lost-responses     the write applied, its response lost, on 10 % of PutObject If-None-Match and If-Match
 *                      (the compare-and-swaps of state.json and aggregate.json), SendMessageBatch, DeleteMessage
 *   latency-spikes     2-second delays on 10 % of calls (invocations outlive the 6-s trials visibility)
 *   lost-responses-30  the lost-responses faults on 30 % of those writes: no invocation may fail (the SDK's
 *                      retry quota ran dry here before the functions' clients dropped it:
 *                      adapters/aws/clients.ts FunctionRetryStrategy); nor may one in lost-responses
 *
 * A ReceiveMessage is never given a response-losing fault: the messages it took would stay invisible for
 * their queue's visibility timeout (up to 30 min here), a property of SQS that involves no code of ours.
 *
 * Each run has fresh function instances (the SDK's retry quota and the JSON caches start anew). Per run:
 * trials lost, leaderboard rows duplicated, cost double-counted, the state's totals against the sum of the
 * result files, records that failed (retried by SQS), messages left on the queues 30 s after the sweep
 * finished, and the wall time against the fault-free run — one JSON line each on stdout and in
 * test-artifacts/network-faults.jsonl.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../../adapters/backend.ts';
import { allQueueUrls } from '../../adapters/localstack/bootstrap.ts';
import { sqsQueueAt } from '../../adapters/queue/sqs.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { queuesDrained } from '../../adapters/runner/sweep-run.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { getJson } from '../../core/app/json.ts';
import { submitSweep } from '../../core/app/submit.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { keys } from '../../core/layout.ts';
import type { MessageQueue } from '../../core/ports.ts';
import { TrialState } from '../../core/trial-state.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { localstackResources, prepareMini, type TestResources } from '../local/helpers.ts';
import { FaultProxy, type FaultRule, type Operation } from './net/proxy.ts';
import { FAULT_WORKER_TIMEOUT_S, readOutcome, tinySweepText } from './world.ts';

const TRIALS = 40;
const SEED = 0x5eed;
const ARTIFACT = join(import.meta.dirname, '..', '..', 'test-artifacts', 'network-faults.jsonl');

const notReceive = (op: Operation) => op.name !== 'ReceiveMessage';
const appliedWrites = new Set([
  'PutObject:IfNoneMatch',
  'PutObject:IfMatch',
  'SendMessageBatch',
  'DeleteMessage',
]);

/** `noFailedInvocation`: no record may fail (the SDK's retries absorb every fault of the run). */
const SCENARIOS: { name: string; rules: FaultRule[]; noFailedInvocation?: boolean }[] = [
  { name: 'throttling', rules: [{ kind: 'throttle', rate: 0.2 }] },
  { name: 'internal-errors', rules: [{ kind: 'internal', rate: 0.1 }] },
  {
    name: 'connection-resets',
    rules: [
      { kind: 'reset-request', rate: 0.05 },
      { kind: 'reset-response', rate: 0.05, ops: notReceive },
    ],
  },
  {
    name: 'lost-responses',
    rules: [{ kind: 'lost-response', rate: 0.1, ops: (op) => appliedWrites.has(op.name) }],
    noFailedInvocation: true,
  },
  { name: 'latency-spikes', rules: [{ kind: 'latency', rate: 0.1 }] },
  // A storm: every retry of a lost conditional put meets its own write (412), which refunds nothing to the
  // SDK's retry quota; with the quota (before FunctionRetryStrategy) the aggregator's ran dry in this run.
  {
    name: 'lost-responses-30',
    rules: [{ kind: 'lost-response', rate: 0.3, ops: (op) => appliedWrites.has(op.name) }],
    noFailedInvocation: true,
  },
];

let ls: TestResources;
let proxy: FaultProxy;
/** The runner's backend: every client (its functions' and its event source mappings') through the proxy. */
let proxied: Backend;
/** The test's own view, straight to LocalStack. */
let store: S3BlobStore;
let direct: { submissions: MessageQueue; all: MessageQueue[] };
let baselineS: number | undefined;

beforeAll(async () => {
  const o = {
    prefix: `net-${process.pid.toString(36)}-${Date.now().toString(36)}`,
    workerTimeoutSeconds: FAULT_WORKER_TIMEOUT_S,
  };
  ls = await localstackResources(o.prefix, o);
  proxy = await FaultProxy.start({ upstream: ls.endpoint, seed: SEED });
  const { clients: c, res } = ls;
  store = new S3BlobStore(c.s3, res.bucket);
  direct = {
    submissions: sqsQueueAt(c.sqs, res.queueUrls.submissions),
    all: allQueueUrls(res).map((u) => sqsQueueAt(c.sqs, u)),
  };
  await prepareMini(store);
  mkdirSync(dirname(ARTIFACT), { recursive: true });
  writeFileSync(ARTIFACT, ''); // this run's lines only
  proxied = await openBackend('localstack', { ...o, endpoint: proxy.url });
}, 15 * 60_000);

afterAll(async () => {
  await proxy?.close();
  await ls?.cleanup();
});

/** Runs the 40-trial sweep under `rules`; returns the figures of the run. */
async function run(name: string, rules: FaultRule[]) {
  // Fresh function instances per run: SDK retry quotas and caches start anew, so runs do not depend on order.
  let failedRecords = 0;
  const records: Record<string, number> = {};
  const runner = new ProcessRunner({
    backend: proxied,
    modules: SOURCE_HANDLERS,
    workers: 2,
    workerTimeoutSeconds: FAULT_WORKER_TIMEOUT_S,
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    logDir: join(dirname(ARTIFACT), 'network-faults', name),
    onBatch: (r) => {
      failedRecords += r.failed;
      const fn = r.function.replace(/^local-/, '');
      records[fn] = (records[fn] ?? 0) + r.records;
    },
  });
  await runner.start();
  proxy.script(rules);
  const t0 = Date.now();
  let wallS: number;
  let id: string;
  try {
    const sub = await submitSweep(tinySweepText(`net-${name}`, TRIALS), 'sweep.json', {
      store,
      submissions: direct.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    id = sub.value.sweep_id;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const state = await getJson<SweepState>(store, keys.sweepState(id));
      if (state?.finished) break;
      if (Date.now() > deadline)
        throw new Error(`${name}: not finished in 240 s (${JSON.stringify(state?.totals)})`);
      await sleep(500);
    }
    wallS = (Date.now() - t0) / 1000;
    // Late duplicates (a redelivery, a re-sent message) still run; what they may change is checked below.
    for (let i = 0; i < 60 && !(await queuesDrained(direct.all)); i++) await sleep(500);
  } finally {
    proxy.disarm();
    await runner.stop(20_000);
  }
  const left = await Promise.all(direct.all.map((q) => q.depth()));
  const injected = proxy.report();
  const out = await readOutcome(store, id);
  const results = [...out.results.values()];
  const rows = out.leaderboard?.rows ?? [];
  const byState: Record<string, number> = {};
  for (const r of results) byState[r.state] = (byState[r.state] ?? 0) + 1;
  const costOfResults = results.reduce((s, r) => s + r.cost_usd, 0);
  const totals = out.state!.totals;
  return {
    out,
    figures: {
      run: name,
      trials: TRIALS,
      trials_lost: TRIALS - results.length,
      rows: rows.length,
      rows_duplicated: rows.length - new Set(rows.map((r) => r.trial_id)).size,
      // Summation order differs (≈ 1e-19): a double count would be a whole trial's cost (≈ 1e-5).
      cost_double_counted_usd: Math.round((totals.cost_usd - costOfResults) * 1e12) / 1e12 || 0,
      totals_match_result_files:
        totals.terminal === results.length &&
        JSON.stringify(Object.entries(totals.by_state).sort()) ===
          JSON.stringify(Object.entries(byState).sort()) &&
        Math.abs(totals.cost_usd - costOfResults) < 1e-12,
      by_state: byState,
      wall_s: wallS,
      ...(baselineS !== undefined ? { time_vs_fault_free: Math.round((wallS / baselineS) * 100) / 100 } : {}),
      /** Records delivered per function: redeliveries and duplicates show as more than one per message. */
      records_delivered: records,
      failed_records: failedRecords,
      restarts: runner.activity().restarts,
      messages_left: left.reduce((n, d) => n + d.visible + d.inFlight, 0),
      requests: injected.requests,
      faults: injected.faults,
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function record(figures: Record<string, unknown>): void {
  const line = JSON.stringify({ suite: 'network-faults', seed: SEED, ...figures });
  console.log(`[faults] network ${line}`);
  appendFileSync(ARTIFACT, `${line}\n`);
}

describe('a 40-trial sweep through a network that fails as a cloud does', () => {
  it('fault-free through the proxy: the reference time', { timeout: 300_000 }, async () => {
    const { figures } = await run('fault-free', []);
    baselineS = figures.wall_s;
    record(figures);
    expect(figures.trials_lost).toBe(0);
    expect(figures.by_state).toEqual({ [TrialState.Completed]: TRIALS });
  });

  it.each(SCENARIOS)(
    '$name: every trial counted exactly once',
    { timeout: 300_000 },
    async ({ name, rules, noFailedInvocation }) => {
      const { figures, out } = await run(name, rules);
      record(figures);
      expect(Object.keys(figures.faults).length, 'faults were injected').toBeGreaterThan(0);
      expect(figures.trials_lost).toBe(0);
      expect(figures.rows_duplicated).toBe(0);
      expect(figures.rows).toBe(TRIALS);
      expect(figures.cost_double_counted_usd).toBe(0);
      expect(figures.totals_match_result_files).toBe(true);
      expect(out.state?.finished).toBe(true);
      expect(Object.keys(out.aggregate?.results ?? {})).toHaveLength(TRIALS);
      expect(figures.by_state).toEqual({ [TrialState.Completed]: TRIALS });
      if (noFailedInvocation) {
        expect(figures.failed_records, 'records failed (see the function logs)').toBe(0);
        expect(figures.messages_left).toBe(0);
      }
    },
  );
});
