/**
 * Where the model's trial durations come from: one measured duration, a finished sweep's leaderboard
 * (each row's wall_s and epochs_run), or a sweep file (estimated as `estimateSweep` does: a throughput for
 * 784-128-64-10 scaled by parameter count, evaluation ≈ ⅓ of a training step, no pruning).
 */
import { parameterCount } from '../config.ts';
import { DEFAULT_SAMPLES_PER_SECOND } from '../sweep/cost.ts';
import { expandTrials } from '../sweep/expand.ts';
import type { Sweep } from '../sweep/types.ts';
import { SimInputError, type SimTrial } from './model.ts';

const REFERENCE_PARAMS = parameterCount([784, 128, 64, 10]);

/** `count` copies of one trial duration. */
export function uniformTrials(count: number, seconds: number, epochs = 1): SimTrial[] {
  if (!Number.isInteger(count) || count < 1)
    throw new SimInputError(`trials must be a positive integer, found ${count}`);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new SimInputError(`trial seconds must be ≥ 0, found ${seconds}`);
  return Array.from({ length: count }, () => ({ seconds, epochs }));
}

/** Repeats (or truncates) a list of measured trials to `count` trials, cyclically. */
export function resampleTrials(trials: readonly SimTrial[], count: number): SimTrial[] {
  if (trials.length === 0) throw new SimInputError('no measured trials to resample');
  return Array.from({ length: count }, (_, i) => ({ ...trials[i % trials.length]! }));
}

/**
 * Trials of a leaderboard JSON (`sweeps/<id>/leaderboard.json`, or `sweep leaderboard --json`): every row
 * that ran (wall_s > 0) with its wall_s and epochs_run.
 */
export function trialsFromLeaderboard(doc: unknown): SimTrial[] {
  const rows = (doc as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows))
    throw new SimInputError('not a leaderboard: expected an object with a "rows" array');
  const out: SimTrial[] = [];
  for (const r of rows as Record<string, unknown>[]) {
    const wall = r.wall_s;
    const epochs = r.epochs_run;
    if (typeof wall === 'number' && Number.isFinite(wall) && wall > 0)
      out.push({ seconds: wall, epochs: typeof epochs === 'number' && epochs >= 1 ? Math.floor(epochs) : 1 });
  }
  if (out.length === 0) throw new SimInputError('the leaderboard has no trial with a measured wall_s > 0');
  return out;
}

export interface SweepEstimateOptions {
  /** Training samples/s of 784-128-64-10 on one worker (default: estimateSweep's DEFAULT_SAMPLES_PER_SECOND). */
  samplesPerSecond?: number;
  /** Training images before the validation split (default 60,000). */
  trainCount?: number;
  testCount?: number;
}

/** Estimated trials of a sweep (no pruning: an upper bound when early_terminate is set). */
export function trialsFromSweep(sweep: Sweep, o: SweepEstimateOptions = {}): SimTrial[] {
  const sps = o.samplesPerSecond ?? DEFAULT_SAMPLES_PER_SECOND;
  const train = o.trainCount ?? 60_000;
  const test = o.testCount ?? 10_000;
  return expandTrials(sweep).map(({ config: c }) => {
    const speed = sps * (REFERENCE_PARAMS / parameterCount(c.layers));
    const vs = c.validation_split;
    const perEpoch = train * (1 - vs) + (train * vs) / 3;
    return { seconds: (c.epochs * perEpoch + test / 3) / speed, epochs: c.epochs };
  });
}
