/**
 * The scale model: how long a sweep of N trials takes on Lambda behind an SQS event source, and what it
 * costs, from measured trial durations. A deterministic discrete-event simulation of:
 *
 *  1. Submission → dispatch: the dispatcher makes the first `sweepMaxConcurrency` trial messages visible
 *     `dispatchS` after submission (all of them when the sweep has no max_concurrency).
 *  2. The event sources' scale-up (rules.ts, with the AWS statements quoted). The trials queue has
 *     `shards` shards, each with its own event source mapping (ESM) on the worker; messages are sent to
 *     the shards round-robin (adapters/queue/sharded.ts), continuations and refills too, and an ESM only
 *     reads its own shard. Each ESM scales on its own (our reading of the docs, marked as an assumption
 *     in rules.ts): in **standard** mode it allows `initialConcurrency` (5) concurrent invokes when
 *     messages appear and adds up to `addPerMinute` (300) per minute *while messages remain in its
 *     shard*, up to its own cap. In **provisioned** mode it starts at its minimum pollers ×
 *     invokesPerPoller and adds up to 1000 per minute. The growth is modelled as continuous (one more
 *     invoke every 60/addPerMinute s) and never shrinks during the sweep (pollers are busy; Lambda only
 *     scales back when traffic is low).
 *  3. Caps: each ESM allows min(its scale-up level, its share of `concurrency` — max(2, ⌈concurrency /
 *     shards⌉) as the stack sets MaximumConcurrency (maxPollers × invokesPerPoller in provisioned mode) —,
 *     the mode's per-ESM maximum). All ESMs together are bounded by the account's concurrency and by the
 *     function scaling rate: 1,000 more execution environments every 10 s from the first message on.
 *  4. Execution environments: an invocation reuses an idle warm environment if there is one (paying
 *     `warmStartS`: handler entry, data already in memory), otherwise it creates one (a cold start,
 *     `coldStartS`: module init + data load, billed since INIT billing of Aug 2025). Idle environments are
 *     assumed to stay warm for the whole sweep.
 *  5. One invocation runs at most `invocationLimitS` (900 s): the worker trains whole epochs while the next
 *     one fits in the time left minus `safetyS`, then checkpoints and sends a continuation message
 *     (`continuationS`), which goes to the back of the queue. A trial whose single epoch cannot fit in an
 *     invocation is an input error.
 *  6. Each finished trial writes its result (`resultWriteS`); the aggregator folds results into the
 *     leaderboard `aggregateS` later, and — when the sweep has a max_concurrency — enqueues the next trial
 *     then (that is what core/app/aggregator.ts does). The sweep's wall time ends with the last aggregate.
 *
 * Cost: every invocation's duration (start-up + work + writes) is billed at the worker's memory and
 * architecture (ms granularity) through `trialCostUsd`, plus its requests; aggregator runs (one per 10
 * results, the SQS batch) are billed at `aggregatorMemoryMb`. The dispatcher's one invocation is ignored.
 *
 * Not modelled: throttling/back-off on errors, message retries, SQS receive latency (long polling returns
 * at once when messages exist), environments recycled mid-sweep, and the dispatcher/aggregator taking
 * account concurrency from the workers (reported as a note when the workers use the whole account).
 */
import { DEFAULT_WORKER_MEMORY_MB } from '../service-spec.ts';
import { trialCostUsd } from '../sweep/cost.ts';
import type { PriceTable } from '../sweep/types.ts';
import { LAMBDA_RULES } from './rules.ts';

/** One trial's measured (or estimated) work on one worker. */
export interface SimTrial {
  /** Training + evaluation seconds of the whole trial, excluding start-up and result writes. */
  seconds: number;
  /** Epochs: a trial can only checkpoint between epochs (default 1). */
  epochs?: number;
}

export interface SimOptions {
  /**
   * Most concurrent worker invocations in total over the ESMs: the stack's workerMaxConcurrency
   * (standard; each ESM gets max(2, ⌈concurrency / shards⌉)) or maxPollers × invokes (provisioned).
   */
  concurrency: number;
  /** Trial queue shards = event source mappings on the worker, each ramping on its own (default 1). */
  shards?: number;
  /** Function scaling rate: execution environments added per 10 s (default 1000, rules.ts). */
  functionScalingPer10s?: number;
  /** The sweep's max_concurrency (trials sent and not finished); default: every trial is sent at once. */
  sweepMaxConcurrency?: number;
  /** Account concurrency available to the workers (default 1000). */
  accountConcurrency?: number;
  mode?: 'standard' | 'provisioned';
  /** Provisioned mode: minimum pollers in total (2…200, default 2); each ESM gets max(2, ⌈min / shards⌉). */
  minPollers?: number;
  /** Provisioned mode: concurrent invokes per poller (default 10, an assumption). */
  invokesPerPoller?: number;
  /** Overrides of the mode's scale-up rule (for sensitivity studies). */
  scaling?: { initialConcurrency?: number; addPerMinute?: number; maxConcurrency?: number };
  /** Cold start: module init + data load on a new environment, seconds. */
  coldStartS: number;
  /** Start-up of an invocation on a warm environment (default 0.05 s). */
  warmStartS?: number;
  /** Writes at the end of a trial: result, weights, result message (default 0.2 s). */
  resultWriteS?: number;
  /** Checkpoint write + continuation message at the end of a cut invocation (default 0.3 s). */
  continuationS?: number;
  /** Submission → the first trial messages visible (default 1 s). */
  dispatchS?: number;
  /** A result → its aggregate (leaderboard, report, refill) written (default 1 s). */
  aggregateS?: number;
  /** Longest invocation (default 900 s). */
  invocationLimitS?: number;
  /** Time the worker keeps in reserve before the limit (default 5 s, as core/app/worker.ts SAFETY_MS). */
  safetyS?: number;
  memoryMb?: number;
  arch?: 'arm64' | 'x86_64';
  aggregatorMemoryMb?: number;
  prices?: Partial<PriceTable>;
}

export interface SimSample {
  t: number;
  running: number;
  queued: number;
  allowed: number;
}

export interface SimResult {
  trials: number;
  mode: 'standard' | 'provisioned';
  /** Event source mappings (trial queue shards) on the worker. */
  shards: number;
  /** Cap of one ESM's concurrent invokes. */
  esm_cap: number;
  /** Effective cap of concurrent worker invocations (all ESMs, within the account). */
  cap: number;
  /** Submission → last aggregate written, seconds. */
  wall_s: number;
  last_result_s: number;
  /** The longest trial's own work (seconds): "one trial's time". */
  longest_trial_s: number;
  /** Goal: one trial's time + 60 s. */
  goal_s: number;
  /** wall_s / goal_s (≤ 1 meets the goal). */
  ratio_to_goal: number;
  meets_goal: boolean;
  /** When the allowed concurrency first reached min(cap, trials), seconds after submission; null: never. */
  full_concurrency_s: number | null;
  peak_running: number;
  invocations: number;
  continuations: number;
  cold_starts: number;
  /** Billed worker seconds (all invocations, init included). */
  billed_s: number;
  /** Workers + aggregator, USD. */
  cost_usd: number;
  cost_per_trial_usd: number;
  /** Why the wall time exceeds one trial's time, in words. */
  notes: string[];
  /** Up to ~120 evenly spaced samples of the run. */
  timeline: SimSample[];
}

export class SimInputError extends Error {
  override readonly name = 'SimInputError';
}

interface Job {
  trial: number;
  remaining: number;
  epochS: number;
}

type Event = { t: number; seq: number } & (
  | { kind: 'end'; job: Job; done: boolean; shard: number }
  | { kind: 'visible'; count: number }
  | { kind: 'aggregate' }
);

/** A binary min-heap on (t, seq): deterministic order for simultaneous events. */
class EventHeap {
  private readonly a: Event[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Event | undefined {
    return this.a[0];
  }
  push(e: Event): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
const less = (x: Event, y: Event) => x.t < y.t || (x.t === y.t && x.seq < y.seq);

function positive(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new SimInputError(`${name} must be ${allowZero ? '≥ 0' : '> 0'}, found ${v}`);
  return v;
}

/** Runs the model. Deterministic: the same input gives the same result. */
export function simulate(trialsIn: readonly SimTrial[], o: SimOptions): SimResult {
  if (trialsIn.length === 0) throw new SimInputError('no trials to simulate');
  const mode = o.mode ?? 'standard';
  const rules = mode === 'standard' ? LAMBDA_RULES.standard : LAMBDA_RULES.provisioned;
  const shards = o.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1)
    throw new SimInputError(`shards must be an integer ≥ 1, found ${shards}`);
  // One ESM's share of a total, as the stack splits it (core/service-spec.ts perShard): max(2, ⌈total / N⌉).
  const share = (total: number) =>
    shards === 1 ? total : Math.max(Math.min(2, total), Math.ceil(total / shards));
  const ipp = o.invokesPerPoller ?? LAMBDA_RULES.provisioned.invokesPerPoller;
  const minPollers = o.minPollers ?? LAMBDA_RULES.provisioned.minPollers.min;
  const initial = positive(
    'scaling.initialConcurrency',
    o.scaling?.initialConcurrency ??
      (mode === 'standard' ? LAMBDA_RULES.standard.initialConcurrency : share(minPollers) * ipp),
  );
  const rate = positive('scaling.addPerMinute', o.scaling?.addPerMinute ?? rules.addPerMinute);
  const modeMax = o.scaling?.maxConcurrency ?? rules.maxConcurrency;
  const account = positive('accountConcurrency', o.accountConcurrency ?? LAMBDA_RULES.accountConcurrency);
  const fnRate = positive(
    'functionScalingPer10s',
    o.functionScalingPer10s ?? LAMBDA_RULES.functionScalingPer10s,
  );
  const concurrency = positive('concurrency', o.concurrency);
  const esmCap = Math.floor(Math.min(share(concurrency), modeMax));
  const cap = Math.floor(Math.min(shards * esmCap, account));
  if (cap < 1) throw new SimInputError(`the concurrency cap is ${cap}; it must be at least 1`);
  const coldS = positive('coldStartS', o.coldStartS, true);
  const warmS = positive('warmStartS', o.warmStartS ?? 0.05, true);
  const resultS = positive('resultWriteS', o.resultWriteS ?? 0.2, true);
  const contS = positive('continuationS', o.continuationS ?? 0.3, true);
  const dispatchS = positive('dispatchS', o.dispatchS ?? 1, true);
  const aggregateS = positive('aggregateS', o.aggregateS ?? 1, true);
  const limitS = positive('invocationLimitS', o.invocationLimitS ?? LAMBDA_RULES.invocationLimitS);
  const safetyS = positive('safetyS', o.safetyS ?? 5, true);
  const memoryMb = o.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
  const arch = o.arch ?? 'arm64';
  const n = trialsIn.length;
  const sweepMax =
    o.sweepMaxConcurrency === undefined
      ? n
      : Math.floor(positive('sweepMaxConcurrency', o.sweepMaxConcurrency));

  const jobs: Job[] = trialsIn.map((tr, i) => {
    positive(`trials[${i}].seconds`, tr.seconds, true);
    const epochs = Math.max(1, Math.floor(tr.epochs ?? 1));
    return { trial: i, remaining: tr.seconds, epochS: tr.seconds / epochs };
  });
  const trialBilledMs = new Float64Array(n);
  const trialInvocations = new Uint32Array(n);

  const heap = new EventHeap();
  let seq = 0;
  // One FIFO per shard (ESM): jobs with a head index, compacted now and then.
  const queues: { jobs: Job[]; head: number; running: number; backlogS: number }[] = Array.from(
    { length: shards },
    () => ({ jobs: [], head: 0, running: 0, backlogS: 0 }),
  );
  const queuedIn = (i: number) => queues[i]!.jobs.length - queues[i]!.head;
  let queuedTotal = 0;
  let sendCursor = 0; // round-robin over the shards, as ShardedQueue.send
  const enqueue = (job: Job) => {
    queues[sendCursor]!.jobs.push(job);
    sendCursor = (sendCursor + 1) % shards;
    queuedTotal++;
  };
  let nextToSend = 0;
  let running = 0;
  let idleEnvs = 0;
  let coldStarts = 0;
  let invocations = 0;
  let continuations = 0;
  let peak = 0;
  let results = 0;
  let lastResult = 0;
  let lastAggregate = 0;
  let aggregatorRuns = 0;
  let fullAt: number | null = null;
  const target = Math.min(cap, n);
  const samples: SimSample[] = [];

  /** ESM i's allowed concurrent invokes: its scale-up level (driven by its shard's backlog), its cap. */
  const allowedIn = (i: number) =>
    Math.min(esmCap, Math.floor(initial + (queues[i]!.backlogS * rate) / 60 + 1e-9));
  /** The function's scaling limit: 1,000 (fnRate) more environments per 10 s since the first message. */
  const fnLimit = (t: number) =>
    t < dispatchS ? fnRate : fnRate * (1 + Math.floor((t - dispatchS) / 10 + 1e-9));
  const send = (t: number, count: number) => heap.push({ t, seq: seq++, kind: 'visible', count });
  send(dispatchS, Math.min(sweepMax, n));

  const start = (t: number, shard: number, job: Job) => {
    let startup: number;
    if (idleEnvs > 0) {
      idleEnvs--;
      startup = warmS;
    } else {
      coldStarts++;
      startup = coldS;
    }
    const budget = limitS - safetyS - startup - Math.max(resultS, contS);
    let work: number;
    let done: boolean;
    if (job.remaining <= budget + 1e-9) {
      work = job.remaining;
      done = true;
    } else {
      const k = Math.floor((budget + 1e-9) / job.epochS);
      if (k < 1) {
        throw new SimInputError(
          `trial ${job.trial}: one epoch takes ${job.epochS.toFixed(1)} s but an invocation has ${budget.toFixed(1)} s ` +
            `(${limitS} s limit − ${safetyS} s reserve − start-up − writes); give more epochs or a shorter trial`,
        );
      }
      work = k * job.epochS;
      done = false;
    }
    const dur = startup + work + (done ? resultS : contS);
    trialBilledMs[job.trial]! += Math.ceil(dur * 1000);
    trialInvocations[job.trial]!++;
    invocations++;
    running++;
    queues[shard]!.running++;
    peak = Math.max(peak, running);
    heap.push({
      t: t + dur,
      seq: seq++,
      kind: 'end',
      job: { ...job, remaining: job.remaining - work },
      done,
      shard,
    });
  };

  let t = 0;
  for (let guard = 0; ; guard++) {
    if (guard > 50_000_000) throw new Error('simulation did not converge');
    const limit = Math.min(cap, fnLimit(t));
    let allowedSum = 0;
    for (let i = 0; i < shards; i++) allowedSum += allowedIn(i);
    const allowed = Math.min(limit, allowedSum);
    if (fullAt === null && t >= dispatchS && allowed >= target) fullAt = t;
    // Each ESM starts what its shard holds, within its own allowance and the function/account limit.
    for (let i = 0; i < shards && running < limit; i++) {
      const q = queues[i]!;
      const mine = allowedIn(i);
      while (q.head < q.jobs.length && q.running < mine && running < limit) {
        queuedTotal--;
        start(t, i, q.jobs[q.head++]!);
      }
      if (q.head > 4096 && q.head * 2 > q.jobs.length) {
        q.jobs.splice(0, q.head);
        q.head = 0;
      }
    }
    samples.push({ t, running, queued: queuedTotal, allowed });
    const next = heap.peek();
    // The next moment an ESM's allowance grows (its shard still has messages waiting).
    let crossing = Number.POSITIVE_INFINITY;
    for (let i = 0; i < shards; i++) {
      const a = allowedIn(i);
      if (queuedIn(i) > 0 && a < esmCap) {
        crossing = Math.min(
          crossing,
          t + Math.max(1e-9, ((a - initial + 1) * 60) / rate - queues[i]!.backlogS),
        );
      }
    }
    // … or the function's limit steps up while it holds invokes back.
    if (queuedTotal > 0 && limit < cap && allowedSum > limit) {
      crossing = Math.min(crossing, dispatchS + 10 * (1 + Math.floor((t - dispatchS) / 10 + 1e-9)));
    }
    const tn = Math.min(next?.t ?? Number.POSITIVE_INFINITY, crossing);
    if (!Number.isFinite(tn)) break;
    for (let i = 0; i < shards; i++) if (queuedIn(i) > 0) queues[i]!.backlogS += tn - t;
    t = tn;
    while (heap.size > 0 && heap.peek()!.t <= t) {
      const e = heap.pop()!;
      if (e.kind === 'visible') {
        for (let i = 0; i < e.count && nextToSend < n; i++) enqueue(jobs[nextToSend++]!);
      } else if (e.kind === 'end') {
        running--;
        queues[e.shard]!.running--;
        idleEnvs++;
        if (e.done) {
          results++;
          lastResult = e.t;
          heap.push({ t: e.t + aggregateS, seq: seq++, kind: 'aggregate' });
        } else {
          continuations++;
          enqueue(e.job);
        }
      } else {
        aggregatorRuns++;
        lastAggregate = e.t;
        if (nextToSend < n && sweepMax < n) send(e.t, 1);
      }
    }
  }
  if (results !== n) throw new Error(`simulation ended with ${results}/${n} results`);

  let cost = 0;
  let billedMs = 0;
  for (let i = 0; i < n; i++) {
    billedMs += trialBilledMs[i]!;
    cost += trialCostUsd({
      billedMs: trialBilledMs[i]!,
      memoryMb,
      arch,
      invocations: trialInvocations[i]!,
      ...(o.prices ? { prices: o.prices } : {}),
    });
  }
  const aggRuns = Math.ceil(aggregatorRuns / 10);
  cost += trialCostUsd({
    billedMs: aggRuns * aggregateS * 1000,
    memoryMb: o.aggregatorMemoryMb ?? 1024,
    arch,
    invocations: aggRuns,
    ...(o.prices ? { prices: o.prices } : {}),
  });

  const longest = Math.max(...trialsIn.map((x) => x.seconds));
  const goal = longest + 60;
  const notes: string[] = [];
  const sources =
    shards === 1
      ? `the event source's scale-up (${initial} concurrent invokes, +${rate}/min while messages wait)`
      : `the ${shards} event sources' scale-up (each ${initial} concurrent invokes, +${rate}/min while its shard has messages, up to ${esmCap})`;
  if (fullAt !== null && fullAt > dispatchS + 1) {
    notes.push(`${sources} reached ${target} concurrent invokes ${Math.round(fullAt)} s after submission`);
  } else if (fullAt === null && target > initial * shards) {
    notes.push(
      `${shards === 1 ? 'the event source' : sources} never reached ${target} concurrent invokes (the queue drained first)`,
    );
  }
  if (cap < n)
    notes.push(`${n} trials on at most ${cap} concurrent invocations: ≈ ${Math.ceil(n / cap)} waves`);
  if (sweepMax < Math.min(n, cap))
    notes.push(
      `the sweep's max_concurrency ${sweepMax} holds back trials (each refill waits for the aggregator)`,
    );
  if (continuations > 0)
    notes.push(
      `${continuations} continuations: trials longer than one ${limitS}-s invocation resume from checkpoints`,
    );
  if (coldStarts > 0) notes.push(`${coldStarts} cold starts of ${coldS} s (module init + data load)`);
  if (shards * esmCap >= account)
    notes.push(
      `the workers can take the whole account concurrency (${account}): the aggregator and dispatcher would be ` +
        'throttled meanwhile — raise the quota or reserve concurrency for them',
    );

  return {
    trials: n,
    mode,
    shards,
    esm_cap: esmCap,
    cap,
    wall_s: lastAggregate,
    last_result_s: lastResult,
    longest_trial_s: longest,
    goal_s: goal,
    ratio_to_goal: lastAggregate / goal,
    meets_goal: lastAggregate <= goal,
    full_concurrency_s: fullAt,
    peak_running: peak,
    invocations,
    continuations,
    cold_starts: coldStarts,
    billed_s: billedMs / 1000,
    cost_usd: cost,
    cost_per_trial_usd: cost / n,
    notes,
    timeline: thin(samples, 120),
  };
}

/** Keeps the last sample of each of k equal time slices (so the final state is always kept). */
function thin(s: readonly SimSample[], k: number): SimSample[] {
  if (s.length <= k) return [...s];
  const end = s[s.length - 1]!.t;
  const slice = (x: SimSample) => (end > 0 ? Math.min(k - 1, Math.floor((x.t / end) * k)) : 0);
  return s.filter((x, i) => i === s.length - 1 || slice(s[i + 1]!) !== slice(x));
}
