/** Optuna/Ray-shaped search interface over the (pure, seeded) expansion. */
import type { TrialResult } from '../result.ts';
import { expandTrials } from './expand.ts';
import type { Sweep, TrialSpec } from './types.ts';

export interface Sampler {
  /** The next trial to run, or undefined when the search space (or max_trials) is exhausted. */
  suggest(): TrialSpec | undefined;
  onTrialComplete(result: TrialResult): void;
}

/** Hands out a fixed list in order (grid: the product; random: the seeded draws). */
export class ListSampler implements Sampler {
  private next = 0;
  readonly completed = new Map<string, TrialResult>();
  constructor(
    readonly kind: 'grid' | 'random',
    private readonly trials: readonly TrialSpec[],
  ) {}
  suggest(): TrialSpec | undefined {
    return this.trials[this.next++];
  }
  onTrialComplete(result: TrialResult): void {
    this.completed.set(result.trial_id, result);
  }
  get remaining(): number {
    return Math.max(0, this.trials.length - this.next);
  }
}

export class GridSampler extends ListSampler {
  constructor(trials: readonly TrialSpec[]) {
    super('grid', trials);
  }
}
export class RandomSampler extends ListSampler {
  constructor(trials: readonly TrialSpec[]) {
    super('random', trials);
  }
}

export function createSampler(sweep: Sweep): Sampler {
  const trials = expandTrials(sweep);
  return sweep.method === 'grid' ? new GridSampler(trials) : new RandomSampler(trials);
}
