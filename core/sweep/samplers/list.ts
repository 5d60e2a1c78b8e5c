/**
 * Grid and random: samplers over a list fixed in advance (the grid product; random's seeded draws). Suggestion
 * k is the first trial of the list that is not among the observations, whatever k: a pure function of the
 * observed set, and the list in order when trials are suggested one after another.
 */
import type { Trial } from './space.ts';
import type { Observation, Sampler } from './types.ts';

export class ListSampler<T extends Trial> implements Sampler<T> {
  constructor(
    readonly method: 'grid' | 'random',
    private readonly trials: readonly T[],
  ) {}

  plan(): readonly T[] {
    return this.trials;
  }

  suggest(_k: number, observations: readonly Observation[]): T | undefined {
    const taken = new Set(observations.map((o) => o.trial_id));
    return this.trials.find((t) => !taken.has(t.trial_id));
  }
}
