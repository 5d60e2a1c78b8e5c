/**
 * Early termination without a controller: workers coordinate through rung records in the store.
 *
 * When a trial reaches a rung of its bracket it records its value at `keys.rungRecord(sweep, rung, trial)`
 * with If-None-Match `*` (a redelivered message finds the record already there and reuses the recorded
 * value), then reads every record of that rung and applies the ASHA rule (rungs.ts). ASHA has one bracket;
 * Hyperband (HyperbandPruner) puts each trial in the bracket its id hashes to.
 */
import { keys } from '../../layout.ts';
import { type BlobStore, PreconditionFailedError } from '../../ports.ts';
import type { EarlyTerminate, MetricSpec } from '../types.ts';
import { ashaDecision, BRACKET_STRIDE, bracketOf, rungEpochs } from './rungs.ts';
import type { PruneDecision, PruneReport, Pruner, RungRecord } from './types.ts';

export class NopPruner implements Pruner {
  async decide(): Promise<PruneDecision> {
    return 'continue';
  }
}

export class AshaPruner implements Pruner {
  constructor(
    protected readonly et: EarlyTerminate,
    private readonly goal: MetricSpec['goal'],
    private readonly sweepId: string,
    private readonly store: BlobStore,
  ) {}

  /** The bracket a trial competes in (ASHA: the only one). */
  protected bracket(_trialId: string): number {
    return 0;
  }

  async decide(report: PruneReport): Promise<PruneDecision> {
    const bracket = this.bracket(report.trialId);
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

/** Hyperband: the ASHA rule inside the bracket the trial id hashes to. */
export class HyperbandPruner extends AshaPruner {
  protected override bracket(trialId: string): number {
    return bracketOf(this.et, trialId);
  }
}
