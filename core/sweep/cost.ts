/**
 * Cost and budgets. Cost of a trial = billed duration × memory (GB) × the Lambda price of the architecture
 * + its requests (Lambda invocations, SQS requests, S3 requests), from a documented price table that a
 * sweep's `price` may override.
 */
import { parameterCount } from '../config.ts';
import type { TrialResult } from '../result.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../service-spec.ts';
import { TrialState } from '../trial-state.ts';
import { expandTrials } from './expand.ts';
import type { PriceTable, Sweep } from './types.ts';

/**
 * AWS list prices, us-east-1, as published on aws.amazon.com/lambda/pricing, /sqs/pricing and /s3/pricing
 * (checked 2025-01; unchanged since Lambda's arm64 launch in 2021). Free tiers are ignored.
 *   Lambda x86_64 $0.0000166667 per GB-s (first 6 B GB-s/month tier), arm64 $0.0000133334 per GB-s,
 *   $0.20 per 1 M requests; SQS standard $0.40 per 1 M requests; S3 Standard PUT/COPY/POST/LIST $0.005 per
 *   1,000, GET/SELECT $0.0004 per 1,000.
 */
export const DEFAULT_PRICES: PriceTable = {
  arm64_gb_s: 0.0000133334,
  x86_64_gb_s: 0.0000166667,
  request: 0.2 / 1e6,
  sqs_request: 0.4 / 1e6,
  s3_put: 0.005 / 1000,
  s3_get: 0.0004 / 1000,
};
export const PRICES_AS_OF = '2025-01';

/**
 * Requests one worker invocation makes when the caller does not count them: SQS — its share of the
 * receive, the delete, the result message; S3 — GETs of the manifest, data and checkpoint/rung records,
 * PUTs of the checkpoint/rung record, result and weights.
 */
export const REQUESTS_PER_INVOCATION = { sqs: 3, s3_get: 4, s3_put: 3 } as const;

export interface UsageInput {
  billedMs: number;
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
  invocations: number;
  prices?: Partial<PriceTable>;
  /** Exact request counts, when known (default: REQUESTS_PER_INVOCATION × invocations). */
  sqsRequests?: number;
  s3Gets?: number;
  s3Puts?: number;
}

export function trialCostUsd(u: UsageInput): number {
  const p = { ...DEFAULT_PRICES, ...u.prices };
  const gbS = (Math.max(0, u.billedMs) / 1000) * (u.memoryMb / 1024);
  const compute = gbS * (u.arch === 'arm64' ? p.arm64_gb_s : p.x86_64_gb_s);
  const inv = Math.max(0, u.invocations);
  const requests =
    inv * p.request +
    (u.sqsRequests ?? inv * REQUESTS_PER_INVOCATION.sqs) * p.sqs_request +
    (u.s3Gets ?? inv * REQUESTS_PER_INVOCATION.s3_get) * p.s3_get +
    (u.s3Puts ?? inv * REQUESTS_PER_INVOCATION.s3_put) * p.s3_put;
  return compute + requests;
}

export type BudgetCheck = { ok: true } | { ok: false; reason: string };

/** What finished trials have spent: their summed cost and how many actually ran (not skipped). */
export interface Spent {
  cost_usd: number;
  ran: number;
}

export function spentOf(finished: readonly Pick<TrialResult, 'cost_usd' | 'state'>[]): Spent {
  let cost = 0;
  let ran = 0;
  for (const r of finished) {
    cost += Number.isFinite(r.cost_usd) ? r.cost_usd : 0;
    if (r.state !== TrialState.Skipped) ran++;
  }
  return { cost_usd: cost, ran };
}

/**
 * Budgets, checked before a trial starts: refuse when the recorded cost has reached `max_cost_usd` or
 * the next trial (forecast: the average cost of the trials that ran) would pass it, or when the sweep has
 * run `max_minutes`.
 */
export function checkBudget(
  sweep: Pick<Sweep, 'max_cost_usd' | 'max_minutes'>,
  spentSoFar: Spent,
  sweepStartedMs: number,
  nowMs: number,
): BudgetCheck {
  if (sweep.max_cost_usd !== undefined) {
    const spent = spentSoFar.cost_usd;
    const next = spentSoFar.ran > 0 ? spent / spentSoFar.ran : 0;
    if (spent >= sweep.max_cost_usd) {
      return {
        ok: false,
        reason: `over budget: finished trials cost $${fmt(spent)} ≥ max_cost_usd $${sweep.max_cost_usd}`,
      };
    }
    if (spent + next > sweep.max_cost_usd) {
      return {
        ok: false,
        reason: `over budget: $${fmt(spent)} spent + $${fmt(next)} expected for this trial > max_cost_usd $${sweep.max_cost_usd}`,
      };
    }
  }
  if (sweep.max_minutes !== undefined) {
    const minutes = (nowMs - sweepStartedMs) / 60_000;
    if (minutes >= sweep.max_minutes) {
      return {
        ok: false,
        reason: `out of time: the sweep has run ${minutes.toFixed(1)} min ≥ max_minutes ${sweep.max_minutes}`,
      };
    }
  }
  return { ok: true };
}

function fmt(x: number): string {
  return x < 0.01 ? x.toPrecision(3) : x.toFixed(4);
}

/**
 * Training throughput of our core on the default net, one thread: `npm run bench -- core --impls ours`
 * measured 10,129 samples/s (784-128-64-10, batch 64, Adam) on the development machine; a Lambda vCPU may
 * differ — pass a measured figure (`sweep validate --samples-per-second`) to refine.
 */
export const DEFAULT_SAMPLES_PER_SECOND = 10_000;
/** The reference network of `samplesPerSecond` (the default layers). */
const REFERENCE_PARAMS = parameterCount([784, 128, 64, 10]);
/** Full MNIST: 60,000 training images (before the validation split), 10,000 test images. */
const MNIST_TRAIN = 60_000;
const MNIST_TEST = 10_000;
/** Per-invocation overhead billed besides training: start, data load, result writes. */
const OVERHEAD_S = 2;
/** Work per invocation before a checkpoint and continuation (Lambda's 15-minute limit, with margin). */
const INVOCATION_S = 840;

export interface Estimate {
  trials: number;
  epochs: number;
  compute_s: number;
  cost_usd: number;
  assumptions: string;
}

/**
 * Upper-bound estimate (no pruning): training cost ∝ parameter count, evaluation ≈ ⅓ of a training step.
 * `samplesPerSecond` is the training throughput of the default 784-128-64-10 net on one worker.
 */
export function estimateSweep(
  sweep: Sweep,
  opts: {
    trainCount?: number;
    testCount?: number;
    samplesPerSecond?: number;
    memoryMb?: number;
    arch?: 'arm64' | 'x86_64';
  } = {},
): Estimate {
  const trainCount = opts.trainCount ?? MNIST_TRAIN;
  const testCount = opts.testCount ?? MNIST_TEST;
  const sps = opts.samplesPerSecond ?? DEFAULT_SAMPLES_PER_SECOND;
  const memoryMb = opts.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
  const arch = opts.arch ?? 'arm64';
  const trials = expandTrials(sweep);
  let epochs = 0;
  let computeS = 0;
  let cost = 0;
  for (const t of trials) {
    const c = t.config;
    const speed = sps * (REFERENCE_PARAMS / parameterCount(c.layers));
    const vs = c.validation_split;
    const perEpoch = trainCount * (1 - vs) + (trainCount * vs) / 3;
    const s = (c.epochs * perEpoch + testCount / 3) / speed;
    const invocations = Math.max(1, Math.ceil(s / INVOCATION_S));
    const billed = s + invocations * OVERHEAD_S;
    epochs += c.epochs;
    computeS += billed;
    cost += trialCostUsd({ billedMs: billed * 1000, memoryMb, arch, invocations, prices: sweep.price ?? {} });
  }
  const assumptions =
    `${trainCount.toLocaleString('en-US')} training samples, ${sps.toLocaleString('en-US')} samples/s for 784-128-64-10 ` +
    `(scaled by parameter count), ${memoryMb} MB ${arch}, ${OVERHEAD_S} s overhead per invocation, ` +
    `${INVOCATION_S} s per invocation, no pruning${sweep.early_terminate ? ' (early termination will lower it)' : ''}, ` +
    `list prices of ${PRICES_AS_OF}${sweep.price ? " with the sweep's overrides" : ''}`;
  return { trials: trials.length, epochs, compute_s: computeS, cost_usd: cost, assumptions };
}
