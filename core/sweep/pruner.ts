/**
 * Early termination without a controller: workers coordinate through rung records in the store.
 *
 * ASHA rule. Rungs are at epochs ⌊min_iter·ηᵏ⌋ ≤ max_iter (k = 0, 1, …). When a trial reaches a rung it
 * records its metric at `keys.rungRecord(sweep, rung, trial)` with If-None-Match `*` (a redelivered
 * message finds the record already there and reuses the recorded value), then reads every record of that
 * rung. With n records (its own included) and rank r = the number of records strictly better than its own
 * (ties share the better rank; non-finite values are worst), it continues iff r < max(1, ⌊n/η⌋), otherwise
 * it is pruned. Early arrivals (few records) therefore continue, as in ASHA.
 *
 * Hyperband = several ASHA brackets: bracket s (0 ≤ s ≤ s_max = ⌊log_η(max_iter/min_iter)⌋) starts its rungs
 * at min_iter·ηˢ; a trial's bracket is sha256(trial id) mod (s_max+1), so every delivery of a trial agrees.
 * Trials compete only within their bracket: the store rung number is bracket·10000 + epoch (ASHA: the epoch).
 */

import { sha256Hex } from '../canonical.ts';
import { keys } from '../layout.ts';
import { type BlobStore, PreconditionFailedError } from '../ports.ts';
import { isBetter } from './metric.ts';
import type { EarlyTerminate, MetricSpec, Sweep } from './types.ts';

export type PruneDecision = 'continue' | 'prune';
export interface PruneReport {
  trialId: string;
  /** 1-based epoch just finished. */
  epoch: number;
  value: number;
}
export interface Pruner {
  decide(report: PruneReport): Promise<PruneDecision>;
}

/** What a rung record holds. */
export interface RungRecord {
  trial_id: string;
  epoch: number;
  /** null when the value was not finite (worst). */
  value: number | null;
}

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

/** Pure form of the rule: continue iff rank < max(1, ⌊n/η⌋). `values` includes the trial's own. */
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

export class NopPruner implements Pruner {
  async decide(): Promise<PruneDecision> {
    return 'continue';
  }
}

export class AshaPruner implements Pruner {
  constructor(
    private readonly et: EarlyTerminate,
    private readonly goal: MetricSpec['goal'],
    private readonly sweepId: string,
    private readonly store: BlobStore,
  ) {}

  async decide(report: PruneReport): Promise<PruneDecision> {
    const bracket = bracketOf(this.et, report.trialId);
    if (!rungEpochs(this.et, bracket).includes(report.epoch)) return 'continue';
    const rung = bracket * BRACKET_STRIDE + report.epoch;
    const key = keys.rungRecord(this.sweepId, rung, report.trialId);
    let own: number | null = Number.isFinite(report.value) ? report.value : null;
    const record: RungRecord = { trial_id: report.trialId, epoch: report.epoch, value: own };
    try {
      await this.store.put(key, JSON.stringify(record), {
        ifNoneMatch: '*',
        contentType: 'application/json',
      });
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) && (e as Error)?.name !== 'PreconditionFailedError')
        throw e;
      const got = await this.store.get(key);
      if (got) own = (JSON.parse(new TextDecoder().decode(got.body)) as RungRecord).value;
    }
    const listed = await this.store.list(keys.rung(this.sweepId, rung));
    const others = listed.filter((k) => k !== key && k.endsWith('.json'));
    const values: (number | null)[] = [own];
    for (let i = 0; i < others.length; i += 32) {
      const batch = await Promise.all(others.slice(i, i + 32).map((k) => this.store.get(k)));
      for (const o of batch) {
        if (!o) continue;
        try {
          const r = JSON.parse(new TextDecoder().decode(o.body)) as RungRecord;
          values.push(typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null);
        } catch {
          // a torn/foreign object under the rung prefix does not count
        }
      }
    }
    return ashaDecision(own, values, this.et.eta, this.goal);
  }
}

/** Hyperband: the same rule inside the trial's bracket (AshaPruner handles brackets from `et.type`). */
export class HyperbandPruner extends AshaPruner {}

/** NopPruner without early_terminate; AshaPruner for asha; HyperbandPruner for hyperband. */
export function createPruner(sweep: Sweep, sweepId: string, store: BlobStore): Pruner {
  const et = sweep.early_terminate;
  if (!et) return new NopPruner();
  return et.type === 'hyperband'
    ? new HyperbandPruner(et, sweep.metric.goal, sweepId, store)
    : new AshaPruner(et, sweep.metric.goal, sweepId, store);
}
