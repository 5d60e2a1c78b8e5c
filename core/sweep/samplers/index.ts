/**
 * Samplers: one `Sampler` port (types.ts, with the observation rules) and three samplers behind it — grid
 * and random (lists fixed in advance, list.ts) and TPE (adaptive, tpe/). `createSampler(sweep)` is the one
 * production uses; `samplerFor(method, space, …)` builds the same samplers over any search space (the
 * search bench's tables).
 */
import { compileParams, expandTrials } from '../expand.ts';
import { ProblemList } from '../problems.ts';
import type { Sweep, TrialSpec } from '../types.ts';
import { ListSampler } from './list.ts';
import { Rng } from './rng.ts';
import { drawDistinct, type SearchSpace, type Trial } from './space.ts';
import { configSpace } from './sweep-space.ts';
import { type TpeOptions, TpeSampler } from './tpe/sampler.ts';
import type { Objective, Sampler, SamplerMethod } from './types.ts';

export { sample } from './distributions.ts';
export { ListSampler } from './list.ts';
export { Rng, suggestionSeed } from './rng.ts';
export type { CompiledParam, InvalidPoint, Point, SearchSpace, Trial } from './space.ts';
export { configSpace, trialId } from './sweep-space.ts';
export { TPE_DEFAULTS, type TpeOptions, TpeSampler } from './tpe/sampler.ts';
export {
  OBSERVATION_STATES,
  type Objective,
  type Observation,
  type ObservationState,
  SAMPLER_METHODS,
  type Sampler,
  type SamplerMethod,
} from './types.ts';

export interface SamplerOptions extends Omit<TpeOptions, 'objectives'> {
  objectives: readonly Objective[];
  /** random: how many trials its list holds (production: max_trials). */
  trials?: number;
}

/** A sampler of `method` over any search space (random: `trials` seeded draws; grid: not here, see below). */
export function samplerFor<T extends Trial>(
  method: Exclude<SamplerMethod, 'grid'>,
  space: SearchSpace<T>,
  options: SamplerOptions,
): Sampler<T> {
  if (method === 'tpe') return new TpeSampler(space, options);
  return new ListSampler('random', drawDistinct(space, new Rng(options.seed), options.trials ?? 0).trials);
}

/** The sampler of a parsed sweep: grid and random over its expansion (same trials, same order). */
export function createSampler(sweep: Sweep): Sampler<TrialSpec> {
  if (sweep.method === 'grid' || sweep.method === 'random')
    return new ListSampler(sweep.method, expandTrials(sweep));
  const order = compileParams(sweep, new ProblemList());
  if (!order) throw new Error('invalid sweep: its parameters do not compile');
  return new TpeSampler(configSpace(order), { seed: sweep.seed, objectives: [sweep.metric] });
}
