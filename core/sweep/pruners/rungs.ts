/**
 * Rungs and brackets, and the ASHA rule in its pure form.
 *
 * Rungs are at epochs ⌊min_iter·ηᵏ⌋ ≤ max_iter (k = 0, 1, …). Hyperband = several ASHA brackets: bracket s
 * (0 ≤ s ≤ s_max = ⌊log_η(max_iter/min_iter)⌋) starts its rungs at min_iter·ηˢ; a trial's bracket is
 * sha256(trial id) mod (s_max+1), so every delivery of a trial agrees. Trials compete only within their
 * bracket: the store rung number is bracket·10000 + epoch (ASHA: the epoch).
 */
import { sha256Hex } from '../../canonical.ts';
import { isBetter } from '../metric.ts';
import type { EarlyTerminate, MetricSpec } from '../types.ts';
import type { PruneDecision } from './types.ts';

export const BRACKET_STRIDE = 10_000;

export function bracketCount(et: EarlyTerminate): number {
  if (et.type === 'asha') return 1;
  let s = 0;
  while (et.min_iter * et.eta ** (s + 1) <= et.max_iter) s++;
  return s + 1;
}

/** Rung epochs of a bracket (ASHA: bracket 0). */
export function rungEpochs(et: EarlyTerminate, bracket = 0): number[] {
  const out: number[] = [];
  for (let k = bracket; k < 64; k++) {
    const e = Math.floor(et.min_iter * et.eta ** k + 1e-9);
    if (e > et.max_iter) break;
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

export function bracketOf(et: EarlyTerminate, trialId: string): number {
  const n = bracketCount(et);
  return n === 1 ? 0 : Number.parseInt(sha256Hex(trialId).slice(0, 8), 16) % n;
}

/**
 * The ASHA rule: with n records at a rung (the trial's own included) and rank r = the number of records
 * strictly better than its own (ties share the better rank; null = non-finite = worst), continue iff
 * r < max(1, ⌊n/η⌋). Early arrivals (few records) therefore continue, as in ASHA.
 */
export function ashaDecision(
  own: number | null,
  values: readonly (number | null)[],
  eta: number,
  goal: MetricSpec['goal'],
): PruneDecision {
  let rank = 0;
  for (const v of values) {
    if (v === null) continue;
    if (own === null || isBetter(v, own, goal)) rank++;
  }
  return rank < Math.max(1, Math.floor(values.length / eta)) ? 'continue' : 'prune';
}
