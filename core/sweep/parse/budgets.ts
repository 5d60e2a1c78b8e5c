/** Budgets and prices: `max_trials` (W&B `run_cap`), `max_concurrency`, `max_cost_usd`, `max_minutes`, `price`. */
import type { ProblemList } from '../problems.ts';
import { MAX_CONCURRENCY, MAX_TRIALS } from '../schema.ts';
import type { PriceTable, Sweep } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { checkFields, type NumOpts, readNumber } from './read.ts';

export type Budgets = Pick<Sweep, 'max_trials' | 'max_concurrency' | 'max_cost_usd' | 'max_minutes'>;

const PRICE_NAMES = ['arm64_gb_s', 'x86_64_gb_s', 'request', 'sqs_request', 's3_put', 's3_get'] as const;

export function parseBudgets(p: ProblemList, obj: Record<string, unknown>): Budgets {
  const opt = (k: string, o: NumOpts): number | undefined =>
    k in obj ? readNumber(p, obj[k], `$.${k}`, o) : undefined;
  const out: Budgets = {};
  let maxTrials = opt('max_trials', { int: true, min: 1, max: MAX_TRIALS });
  if ('run_cap' in obj) {
    if ('max_trials' in obj)
      p.error('$.run_cap', 'give either max_trials or W&B run_cap, not both', 'one of them', 'both');
    else maxTrials = readNumber(p, obj.run_cap, '$.run_cap', { int: true, min: 1, max: MAX_TRIALS });
  }
  const maxConcurrency = opt('max_concurrency', { int: true, min: 1, max: MAX_CONCURRENCY });
  const maxCost = opt('max_cost_usd', { gt: 0 });
  const maxMinutes = opt('max_minutes', { gt: 0 });
  if (maxTrials !== undefined) out.max_trials = maxTrials;
  if (maxConcurrency !== undefined) out.max_concurrency = maxConcurrency;
  if (maxCost !== undefined) out.max_cost_usd = maxCost;
  if (maxMinutes !== undefined) out.max_minutes = maxMinutes;
  return out;
}

export function parsePrice(p: ProblemList, raw: unknown): Partial<PriceTable> | undefined {
  const path = '$.price';
  if (!isRecord(raw)) {
    p.error(path, 'expected an object of prices in USD', 'object', describe(raw));
    return undefined;
  }
  checkFields(p, raw, path, PRICE_NAMES, 'price');
  const out: Partial<PriceTable> = {};
  for (const k of PRICE_NAMES) {
    if (!(k in raw)) continue;
    const x = readNumber(p, raw[k], `${path}.${k}`, { min: 0 });
    if (x !== undefined) out[k] = x;
  }
  return out;
}
