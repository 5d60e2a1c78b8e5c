/**
 * `npm run bench -- orchestration [--json] [--workers 1,2] [--epochs 2] [--data full|mini]`
 *
 * The same 16-trial sweep with 1 and with 2 workers: per-trial orchestration overhead as a share of
 * training time (goal ≤ 2 %) and the speed-up of 2 workers over 1 (goal ≥ 1.85×).
 *
 * Backends: `localstack` (default) — S3 + SQS in LocalStack, the real handler modules in child processes
 * (adapters/runner/processes.ts), figures from each invocation's batch report (see runLocalstack); and
 * `in-process` — the same service logic over an FsBlobStore and InProcessQueues, one worker_thread per
 * worker receiving one trial message at a time (as a Lambda with SQS batch size 1), so "queue" time is a
 * thread hand-off and S3 is the local disk.
 *
 * In-process timestamps (all performance.now in the thread that owns them):
 *   - invocation_s: the worker's wall time around runTrial (data load on the worker's first trial — its
 *     cold start — store reads/writes, training, test evaluation, result writes);
 *   - training_s: the trial's compute: its result's wall_s (Σ epoch wall times: training + validation)
 *     plus eval_s (the final test-set evaluation);
 *   - handoff_s: from a worker reporting its invocation done to the main thread receiving it, plus from
 *     the main thread sending the next message to the worker starting it;
 *   - aggregate_s: each aggregate() call in the main thread, attributed equally to the trials.
 * Overhead per trial = (invocation_s − training_s) + handoff_s + aggregate_s / trials: queue, store and
 * aggregation time, and everything else the invocation does that is not the trial's own computation.
 * It splits into marginal (what one more trial adds) and fixed (cold starts, report renders) parts.
 * `--trace` prints every invocation and result (stderr).
 * Speed-up = sweep wall (submission → last aggregate) with 1 worker / with 2 workers.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads';
import { BackendUnavailableError, openBackend } from '../../adapters/backend.ts';
import { loadIdxDirectory } from '../../adapters/data/idx-files.ts';
import { createDatasetLoader } from '../../adapters/data/loader.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import {
  allQueueUrls,
  bootstrapLocalstack,
  deleteBucket,
  deleteQueues,
  LOCAL_WORKER_TIMEOUT_SECONDS,
} from '../../adapters/localstack/bootstrap.ts';
import { localstackClients } from '../../adapters/localstack/clients.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import type { BatchReport } from '../../adapters/runner/poller.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { tsWorker } from '../../adapters/runner/ts-worker.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { aggregate } from '../../core/app/aggregator.ts';
import type { AppDeps, Log } from '../../core/app/deps.ts';
import { dispatchSweep } from '../../core/app/dispatcher.ts';
import { readSweepStatus } from '../../core/app/status.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { readState } from '../../core/app/sweep-record.ts';
import { runTrial } from '../../core/app/worker.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import type { Dataset } from '../../core/dataset.ts';
import { keys } from '../../core/layout.ts';
import { resultMessageSchema, submissionMessageSchema, trialMessageSchema } from '../../core/messages.ts';
import type { MessageQueue, ReceivedMessage } from '../../core/ports.ts';
import type { TrialResult } from '../../core/result.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../../core/service-spec.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';

/** A trial's own computation: its epochs (training + validation) and the final test evaluation. */
const computeS = (r: TrialResult): number => r.wall_s + (r.eval_s ?? 0);

const MNIST_DIR = fileURLToPath(new URL('../../../shared/data/mnist/', import.meta.url));
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };
const OVERHEAD_GOAL = 0.02;
const SPEEDUP_GOAL = 1.85;

type ToWorker = { body: string; sentAt: number };
type FromWorker = {
  ok: boolean;
  error?: string;
  trialId: string;
  outcome?: string;
  startLagMs: number;
  invocationMs: number;
  trainingS: number | null;
  results: string[];
  trials: string[];
  doneAt: number;
};

/** A MessageQueue that only collects what is sent (the main thread forwards it to the real queue). */
class Outbox implements MessageQueue {
  sent: string[] = [];
  constructor(readonly name: string) {}
  async send(bodies: readonly string[]): Promise<void> {
    this.sent.push(...bodies);
  }
  async receive(): Promise<ReceivedMessage[]> {
    return [];
  }
  async delete(): Promise<void> {}
  async changeVisibility(): Promise<void> {}
  async depth() {
    return { visible: 0, inFlight: 0 };
  }
}

/** Worker thread: one trial message per invocation, like a Lambda with batch size 1. */
function workerMain(): void {
  const { root, name } = workerData as { root: string; name: string };
  const store = new FsBlobStore(root);
  const datasets = createDatasetLoader(store, { tmpDir: false });
  parentPort!.on('message', async (m: ToWorker) => {
    const t0 = performance.now();
    const startLagMs = Date.now() - m.sentAt;
    const results = new Outbox('results');
    const trials = new Outbox('trials');
    const deps: AppDeps = {
      store,
      trials,
      results,
      datasets,
      log: quiet,
      now: Date.now,
      workerId: name,
      memoryMb: DEFAULT_WORKER_MEMORY_MB,
      arch: 'arm64',
    };
    const msg = trialMessageSchema.parse(JSON.parse(m.body));
    const reply: FromWorker = {
      ok: true,
      trialId: msg.trial_id,
      startLagMs,
      invocationMs: 0,
      trainingS: null,
      results: [],
      trials: [],
      doneAt: 0,
    };
    try {
      const r = await runTrial(msg, deps, { remainingMs: () => 900_000 - (performance.now() - t0) });
      reply.outcome = r.outcome;
    } catch (e) {
      reply.ok = false;
      reply.error = (e as Error).message;
    }
    reply.invocationMs = performance.now() - t0;
    const res = await store.get(keys.result(msg.sweep_id, msg.trial_id));
    if (res) reply.trainingS = computeS(JSON.parse(new TextDecoder().decode(res.body)) as TrialResult);
    reply.results = results.sent;
    reply.trials = trials.sent;
    reply.doneAt = Date.now();
    parentPort!.postMessage(reply);
  });
}

function sweepText(epochs: number, dataset: string): string {
  return JSON.stringify({
    name: 'orchestration-bench',
    dataset,
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: {
      layers: { values: ['784-64-10', '784-128-10'] },
      activation: { values: ['relu', 'tanh'] },
      optimizer: { values: ['adam', 'rmsprop'] },
      learning_rate: { values: [0.001, 0.003] },
      batch_size: { value: 64 },
      epochs: { value: epochs },
      seed: { value: 1 },
    },
  });
}

interface RunFigures {
  workers: number;
  trials: number;
  wall_s: number;
  training_s: number;
  invocation_s: number;
  handoff_s: number;
  aggregate_s: number;
  dispatch_s: number;
  overhead_s: number;
  overhead_share: number;
  /** What one more trial adds (warm invocation overhead, a median aggregation, queue hand-offs). */
  marginal_overhead_per_trial_s: number;
  marginal_overhead_share: number;
  /** Paid once per worker or per sweep: cold starts (data set load), report renders. */
  fixed_overhead_s: number;
  failures: number;
}

async function runOnce(data: Dataset, workers: number, epochs: number): Promise<RunFigures> {
  const root = mkdtempSync(join(tmpdir(), 'bench-orch-'));
  const threads: Worker[] = [];
  try {
    const store = new FsBlobStore(root);
    const { manifest } = await prepareDataset(store, data, []);
    const submissions = new InProcessQueue('submissions');
    const trials = new InProcessQueue('trials', { visibilityTimeoutSeconds: 900, maxReceiveCount: 3 });
    const results = new InProcessQueue('results');
    const deps: AppDeps = {
      store,
      trials,
      results,
      datasets: createDatasetLoader(store, { tmpDir: false }),
      log: quiet,
      now: Date.now,
      workerId: 'main',
      memoryMb: DEFAULT_WORKER_MEMORY_MB,
      arch: 'arm64',
    };
    for (let i = 0; i < workers; i++) {
      threads.push(
        tsWorker(new URL(import.meta.url), {
          workerData: { role: 'orchestration-worker', root, name: `w${i}` },
        }),
      );
    }
    const t0 = performance.now();
    const sub = await submitSweep(sweepText(epochs, manifest.name), 'bench.json', {
      store,
      submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    const td = performance.now();
    for (const m of await submissions.receive({ max: 10, waitSeconds: 0 })) {
      await dispatchSweep(submissionMessageSchema.parse(JSON.parse(m.body)), deps);
      await submissions.delete(m.receiptHandle);
    }
    const dispatchS = (performance.now() - td) / 1000;
    const total = sub.value.trials;
    let finished = 0;
    let failures = 0;
    let trainingS = 0;
    let invocationS = 0;
    let handoffS = 0;
    let aggregateS = 0;
    let lastAggregate = t0;
    const warm = { overhead: 0, count: 0 };
    const aggCalls: number[] = [];
    const started = new Set<number>();
    const busy = new Map<number, string>(); // thread → receipt handle
    const inbox: { i: number; r: FromWorker; at: number }[] = [];
    let wake: (() => void) | undefined;
    for (const [i, w] of threads.entries()) {
      w.on('message', (r: FromWorker) => {
        inbox.push({ i, r, at: Date.now() });
        wake?.();
      });
      w.on('error', (e: Error) => {
        inbox.push({
          i,
          r: {
            ok: false,
            error: e.message,
            trialId: '?',
            startLagMs: 0,
            invocationMs: 0,
            trainingS: null,
            results: [],
            trials: [],
            doneAt: Date.now(),
          },
          at: Date.now(),
        });
        wake?.();
      });
    }
    while (finished < total) {
      for (let i = 0; i < threads.length; i++) {
        if (busy.has(i)) continue;
        const [m] = await trials.receive({ max: 1, waitSeconds: 0 });
        if (!m) break;
        busy.set(i, m.receiptHandle);
        threads[i]!.postMessage({ body: m.body, sentAt: Date.now() } satisfies ToWorker);
      }
      const res = await results.receive({ max: 10, waitSeconds: 0 });
      if (res.length > 0) {
        const ta = performance.now();
        await aggregate(
          res.map((x) => resultMessageSchema.parse(JSON.parse(x.body))),
          deps,
        );
        for (const x of res) await results.delete(x.receiptHandle);
        lastAggregate = performance.now();
        aggregateS += (lastAggregate - ta) / 1000;
        aggCalls.push((lastAggregate - ta) / 1000);
        finished += res.length;
      }
      if (finished >= total) break;
      if (inbox.length === 0 && busy.size === 0)
        throw new Error(`stalled: ${finished}/${total} trials aggregated, nothing queued or running`);
      if (inbox.length === 0)
        await new Promise<void>((r) => {
          wake = r;
        });
      wake = undefined;
      while (inbox.length > 0) {
        const { i, r, at } = inbox.shift()!;
        const receipt = busy.get(i)!;
        busy.delete(i);
        handoffS += (r.startLagMs + (at - r.doneAt)) / 1000;
        invocationS += r.invocationMs / 1000;
        if (!r.ok) {
          failures++;
          throw new Error(`trial ${r.trialId} failed: ${r.error}`);
        }
        await trials.delete(receipt);
        if (r.trials.length > 0) await trials.send(r.trials);
        if (r.results.length > 0) await results.send(r.results);
        if (r.outcome !== 'continued' && r.trainingS !== null) {
          trainingS += r.trainingS;
          if (started.has(i)) {
            warm.overhead += r.invocationMs / 1000 - r.trainingS;
            warm.count++;
          }
        }
        started.add(i);
      }
    }
    const wall = (lastAggregate - t0) / 1000;
    const overhead = invocationS - trainingS + handoffS + aggregateS;
    const meanWarm = warm.count > 0 ? warm.overhead / warm.count : 0;
    const marginal = marginalOverhead(meanWarm, total, aggCalls, handoffS);
    return {
      workers,
      trials: total,
      wall_s: wall,
      training_s: trainingS,
      invocation_s: invocationS,
      handoff_s: handoffS,
      aggregate_s: aggregateS,
      dispatch_s: dispatchS,
      overhead_s: overhead,
      overhead_share: overhead / trainingS,
      marginal_overhead_per_trial_s: marginal / total,
      marginal_overhead_share: marginal / trainingS,
      fixed_overhead_s: overhead - marginal,
      failures,
    };
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * LocalStack: S3 + SQS in LocalStack, the real handlers in child processes (adapters/runner/processes.ts:
 * one dispatcher, `workers` workers, one aggregator), resources under a fresh prefix, deleted afterwards.
 * Timestamps: every invocation's batch report (its duration and the time it was reported), and each
 * trial's result wall_s. Queue time = each worker's idle gaps between invocations while trials remained,
 * plus submission → first worker invocation start.
 */
async function runLocalstack(
  data: Dataset,
  workers: number,
  epochs: number,
  trace = false,
): Promise<RunFigures> {
  const prefix = `bench-orch-${process.pid}-${workers}-${Date.now().toString(36)}`;
  const backend = await openBackend('localstack', { prefix });
  const store = backend.store;
  const { manifest } = await prepareDataset(store, data, []);
  const reports: (BatchReport & { instance: string; end: number })[] = [];
  const runner = new ProcessRunner({
    backend,
    modules: SOURCE_HANDLERS,
    workers,
    workerTimeoutSeconds: LOCAL_WORKER_TIMEOUT_SECONDS,
    onBatch: (r) => {
      reports.push({ ...r, end: Date.now() });
      if (trace) console.error(JSON.stringify({ trace: 'batch', t: Date.now(), ...r }));
    },
  });
  const c = localstackClients();
  try {
    await runner.start();
    const t0 = Date.now();
    const sub = await submitSweep(sweepText(epochs, manifest.name), 'bench.json', {
      store,
      submissions: backend.queues!.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    const sweepId = sub.value.sweep_id;
    // Only state.json while waiting (one GET): the bench must not load LocalStack it measures.
    for (;;) {
      const state = await readState(store, sweepId);
      if (state?.finished) break;
      if (Date.now() - t0 > 30 * 60_000) throw new Error('the sweep did not finish within 30 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    // the aggregator's batch report arrives over IPC right after its write
    await new Promise((r) => setTimeout(r, 500));
    const st = (await readSweepStatus(store, sweepId))!;
    const work = reports.filter((r) => r.function === 'local-worker' || r.instance.startsWith('worker'));
    const agg = reports.filter((r) => r.instance === 'aggregator');
    const lastAgg = Math.max(...agg.map((r) => r.end));
    if (trace)
      for (const r of st.results)
        console.error(
          JSON.stringify({
            trace: 'result',
            trial: r.trial_id.slice(0, 8),
            started_at: r.started_at,
            billed_ms: r.billed_ms,
            wall_s: r.wall_s,
            eval_s: r.eval_s,
          }),
        );
    const trainingS = st.results.reduce((s, r) => s + computeS(r), 0);
    const invocationS = work.reduce((s, r) => s + r.ms / 1000, 0);
    let gaps = 0;
    const firstStart = Math.min(...work.map((r) => r.end - r.ms));
    const lastWorkerStart = Math.max(...work.map((r) => r.end - r.ms));
    const byInstance = new Map<string, typeof work>();
    for (const r of work) byInstance.set(r.instance, [...(byInstance.get(r.instance) ?? []), r]);
    for (const list of byInstance.values()) {
      list.sort((a, b) => a.end - b.end);
      for (let i = 1; i < list.length; i++) {
        const start = list[i]!.end - list[i]!.ms;
        if (start <= lastWorkerStart) gaps += Math.max(0, start - list[i - 1]!.end) / 1000;
      }
    }
    const handoffS = gaps + Math.max(0, firstStart - t0) / 1000;
    const aggregateS = agg.reduce((s, r) => s + r.ms / 1000, 0);
    // Marginal vs fixed. Each worker invocation is matched to the result that started nearest to it; a
    // worker's first invocation is its cold start (it loads the data set), and the aggregator's dearest
    // invocations are its report renders. Marginal = what one more trial adds: the mean warm in-invocation
    // overhead and the median aggregator invocation, per trial, plus the queue hand-offs. Fixed = the rest
    // (cold starts and report renders, paid once per worker or per sweep).
    const nearest = (start: number) => {
      let best: { r: TrialResult; d: number } | undefined;
      for (const r of st.results) {
        const d = Math.abs(Date.parse(r.started_at) - start);
        if (!best || d < best.d) best = { r, d };
      }
      return best?.r;
    };
    const warmInside: number[] = [];
    for (const list of byInstance.values())
      for (const inv of list.slice(1)) {
        const r = nearest(inv.end - inv.ms);
        if (r) warmInside.push(inv.ms / 1000 - computeS(r));
      }
    const n = st.results.length;
    const meanWarm = warmInside.length ? warmInside.reduce((a, b) => a + b, 0) / warmInside.length : 0;
    const marginal = marginalOverhead(
      meanWarm,
      n,
      agg.map((r) => r.ms / 1000),
      handoffS,
    );
    const overhead = invocationS - trainingS + handoffS + aggregateS;
    if (trace)
      console.error(
        JSON.stringify({
          trace: 'overhead',
          warm_inside_ms: warmInside.map((x) => Math.round(x * 1000)),
          aggregator_ms: agg.map((r) => r.ms),
        }),
      );
    return {
      workers,
      trials: st.state.total,
      wall_s: (lastAgg - t0) / 1000,
      training_s: trainingS,
      invocation_s: invocationS,
      handoff_s: handoffS,
      aggregate_s: aggregateS,
      dispatch_s: Math.max(0, firstStart - t0) / 1000,
      overhead_s: overhead,
      overhead_share: overhead / trainingS,
      marginal_overhead_per_trial_s: marginal / n,
      marginal_overhead_share: marginal / trainingS,
      fixed_overhead_s: overhead - marginal,
      failures: work.reduce((s, r) => s + r.failed, 0),
    };
  } finally {
    await runner.stop();
    try {
      const r = await bootstrapLocalstack(c, { prefix });
      await deleteQueues(c, allQueueUrls(r));
      await deleteBucket(c, r.bucket);
    } catch (e) {
      console.error(
        `could not delete the bench's LocalStack resources (${prefix}-*): ${(e as Error).message}`,
      );
    }
  }
}

/**
 * Overhead one more trial adds, summed over `trials`: the mean warm in-invocation overhead per trial, the
 * median aggregator invocation (not its renders) per invocation, and the queue hand-offs (seconds).
 */
function marginalOverhead(
  meanWarmS: number,
  trials: number,
  aggregatorS: number[],
  handoffS: number,
): number {
  const sorted = [...aggregatorS].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return meanWarmS * trials + median * sorted.length + handoffS;
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export default async function orchestration(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const get = (n: string) => {
    const i = args.indexOf(`--${n}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const workerCounts = (get('workers') ?? '1,2').split(',').map(Number);
  const epochs = Number(get('epochs') ?? '2');
  const useMini = get('data') === 'mini' || !existsSync(MNIST_DIR);
  const data = useMini ? loadMnistMini() : await loadIdxDirectory(MNIST_DIR, { name: 'mnist' });
  const source = useMini
    ? `mnist-mini${get('data') === 'mini' ? '' : ' (NOTICE: full MNIST not found)'}`
    : `mnist ${data.train.count}/${data.test.count}`;
  let backend = get('backend') ?? 'localstack';
  if (backend === 'localstack') {
    try {
      await openBackend('localstack', { prefix: `bench-orch-probe-${process.pid}` }).then(async () => {
        const c = localstackClients();
        const r = await bootstrapLocalstack(c, { prefix: `bench-orch-probe-${process.pid}` });
        await deleteQueues(c, allQueueUrls(r));
        await deleteBucket(c, r.bucket);
      });
    } catch (e) {
      if (!(e instanceof BackendUnavailableError)) throw e;
      console.error(`NOTICE: ${e.message}; falling back to the in-process backend`);
      backend = 'in-process';
    }
  }
  if (!json)
    console.log(
      `orchestration bench (${backend === 'localstack' ? 'LocalStack S3+SQS, handler child processes' : 'in-process: FsBlobStore + worker_threads'}): 16 trials × ${epochs} epochs on ${source}; ` +
        `${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`,
    );
  const runs: RunFigures[] = [];
  for (const w of workerCounts) {
    const r =
      backend === 'localstack'
        ? await runLocalstack(data, w, epochs, args.includes('--trace'))
        : await runOnce(data, w, epochs);
    runs.push(r);
    const line = {
      suite: 'orchestration',
      backend,
      data: source,
      ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? r4(v) : v])),
      overhead_goal: OVERHEAD_GOAL,
      overhead_ratio_to_goal: r4(r.overhead_share / OVERHEAD_GOAL),
      load_average: r4(loadavg()[0]!),
    };
    if (json) console.log(JSON.stringify(line));
    else
      console.log(
        `  ${w} worker(s): wall ${r.wall_s.toFixed(1)} s, training ${r.training_s.toFixed(1)} s, overhead ${r.overhead_s.toFixed(2)} s ` +
          `= ${(100 * r.overhead_share).toFixed(2)} % of training (marginal ${(100 * r.marginal_overhead_share).toFixed(2)} % = ${(1000 * r.marginal_overhead_per_trial_s).toFixed(0)} ms per trial, fixed ${r.fixed_overhead_s.toFixed(2)} s; goal ≤ 2 %)` +
          ` [invocation−training ${(r.invocation_s - r.training_s).toFixed(2)} s, hand-off ${r.handoff_s.toFixed(3)} s, aggregate ${r.aggregate_s.toFixed(2)} s]`,
      );
  }
  const one = runs.find((r) => r.workers === 1);
  const two = runs.find((r) => r.workers === 2);
  if (one && two) {
    const speedup = one.wall_s / two.wall_s;
    const line = {
      suite: 'orchestration',
      backend,
      figure: 'speedup_2_over_1',
      speedup: r4(speedup),
      goal: SPEEDUP_GOAL,
      ratio_to_goal: r4(speedup / SPEEDUP_GOAL),
      meets_goal: speedup >= SPEEDUP_GOAL,
      cpus: cpus().length,
      load_average: r4(loadavg()[0]!),
    };
    if (json) console.log(JSON.stringify(line));
    else console.log(`  speed-up 2 over 1: ${speedup.toFixed(2)}× (goal ≥ ${SPEEDUP_GOAL}×)`);
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'orchestration-worker') workerMain();
