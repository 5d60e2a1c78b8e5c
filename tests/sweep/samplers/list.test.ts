import { describe, expect, it } from 'vitest';
import { createSampler, expandTrials, type Observation } from '../../../core/sweep/index.ts';
import { samplerFor } from '../../../core/sweep/samplers/index.ts';
import { runSequential, specSpace, sweepOf } from './helpers.ts';

const seen = (ids: string[], state: Observation['state'] = 'complete'): Observation[] =>
  ids.map((trial_id) => ({ trial_id, params: {}, state }));

describe('grid and random behind the Sampler interface', () => {
  it('grid: the plan is the expansion; suggestion k is the first planned trial not yet seen', () => {
    const sweep = sweepOf({
      method: 'grid',
      parameters: { optimizer: { values: ['adam', 'sgd'] }, batch_size: { values: [32, 64, 128] } },
    });
    const sampler = createSampler(sweep);
    const plan = expandTrials(sweep);
    expect(sampler.method).toBe('grid');
    expect(sampler.plan()?.map((t) => t.trial_id)).toEqual(plan.map((t) => t.trial_id));
    expect(sampler.suggest(0, [])?.trial_id).toBe(plan[0]!.trial_id);
    // whatever the order and state of what was seen (a failed trial is taken too)
    const ids = plan.map((t) => t.trial_id);
    expect(sampler.suggest(3, [...seen([ids[2]!, ids[0]!]), ...seen([ids[1]!], 'failed')])?.trial_id).toBe(
      ids[3],
    );
    expect(sampler.suggest(6, seen(ids, 'running'))).toBeUndefined();
  });

  it('random: the plan is the seeded expansion (same trials, same order as before)', () => {
    const sweep = sweepOf({
      method: 'random',
      max_trials: 12,
      seed: 4,
      parameters: { learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 0.1 } },
    });
    const sampler = createSampler(sweep);
    expect(sampler.method).toBe('random');
    expect(sampler.plan()).toEqual(expandTrials(sweep));
  });

  it('random over any space: distinct seeded draws, then exhausted', () => {
    const space = specSpace({
      a: { distribution: 'categorical', values: [1, 2, 3] },
      b: { distribution: 'categorical', values: ['x', 'y'] },
    });
    const run = runSequential(
      samplerFor('random', space, { seed: 3, objectives: [], trials: 50 }),
      50,
      (t) => t.params,
      () => [0],
    );
    expect(run).toHaveLength(6);
    expect(new Set(run.map((o) => o.trial_id)).size).toBe(6);
    const again = runSequential(
      samplerFor('random', space, { seed: 3, objectives: [], trials: 50 }),
      50,
      (t) => t.params,
      () => [0],
    );
    expect(again.map((o) => o.trial_id)).toEqual(run.map((o) => o.trial_id));
  });
});
