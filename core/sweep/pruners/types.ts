/**
 * The pruner port: a worker asks it, after each epoch, whether its trial goes on. Contract: `decide` is
 * called with the trial's id, the 1-based epoch it just finished and the value of the sweep's prune metric
 * at that epoch (non-finite = worst); it answers 'prune' only at a rung epoch, and a redelivered trial that
 * asks again about the same rung gets the answer its first recorded value gives. No state lives in the
 * pruner between calls: whatever decides lives in the store (rung records).
 */
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

/** What a rung record holds (`keys.rungRecord(sweep, rung, trial)`). */
export interface RungRecord {
  trial_id: string;
  epoch: number;
  /** null when the value was not finite (worst). */
  value: number | null;
}
