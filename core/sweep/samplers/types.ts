/**
 * The sampler port. A sampler keeps no state between calls (the serverless rule): suggestion number k is a
 * pure function of (the sweep's seed, k, the set of trial records read, the set of trials in flight), so a
 * suggester rebuilt from the store in any process suggests what any other would.
 *
 * Rules every sampler follows:
 * - **Sets, not sequences**: the observations are sorted by trial id inside; the same records in another
 *   order give the same suggestion.
 * - **No repeats**: a suggestion is never a trial_id among the observations, whatever their state (a given
 *   config + seed is bit-identical, so a repeat is pure waste); such a candidate is replaced by the next.
 * - **Exhaustion**: when no new valid trial is left, `suggest` returns undefined.
 *
 * How the adaptive sampler (TPE) reads each state (tpe/evidence.ts):
 * - `complete`: its objective values.
 * - `pruned`: evidence from its rung values: the model is fitted at the highest level (the final result,
 *   else a rung epoch, highest first) that at least `startup` trials reached; a trial pruned below that
 *   level counts as worse than every trial that reached it (it lost a rung to them).
 * - `diverged`: the worst value seen (it marks a bad region; never in the good group).
 * - `failed` (an infrastructure error): excluded from the model (only its trial_id is taken).
 * - `running`: constant liar: it joins the "bad" group, so parallel workers are pushed apart.
 */

export const OBSERVATION_STATES = ['complete', 'pruned', 'diverged', 'failed', 'running'] as const;
export type ObservationState = (typeof OBSERVATION_STATES)[number];

/** What a sampler reads about one trial. */
export interface Observation {
  /** The trial's identity (production: its content-hash trial id); the canonical sort key. */
  trial_id: string;
  /** Its parameter values (production: the trial's whole config; keys that are not swept are ignored). */
  params: Readonly<Record<string, unknown>>;
  state: ObservationState;
  /** `complete`: one value per objective, in the sampler's objective order (non-finite = diverged). */
  values?: readonly number[];
  /** The first objective's value at each rung epoch the trial reached (pruned and complete trials). */
  rungs?: readonly { epoch: number; value: number }[];
}

export interface Objective {
  goal: 'maximize' | 'minimize';
}

export const SAMPLER_METHODS = ['grid', 'random', 'tpe'] as const;
export type SamplerMethod = (typeof SAMPLER_METHODS)[number];

/**
 * `plan()`: the trials in suggestion order when they do not depend on results (grid: the product; random:
 * the seeded draws), so a dispatcher may send them all at once; undefined for an adaptive sampler.
 * `suggest(k, observations)`: suggestion number k (0-based) given every trial record read and every trial
 * in flight (state `running`), or undefined when the space is exhausted.
 */
export interface Sampler<T> {
  readonly method: SamplerMethod;
  plan(): readonly T[] | undefined;
  suggest(k: number, observations: readonly Observation[]): T | undefined;
}
