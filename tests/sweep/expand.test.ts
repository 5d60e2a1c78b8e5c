import { describe, expect, it } from 'vitest';
import { parseTrialConfig } from '../../core/config.ts';
import {
  createSampler,
  expandTrials,
  parseSweepObject,
  Rng,
  type Sweep,
  sample,
  type TrialSpec,
  trialId,
} from '../../core/sweep/index.ts';

function sweep(obj: Record<string, unknown>): Sweep {
  const r = parseSweepObject(obj);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.value;
}
const cfg = (o: Record<string, unknown>) => {
  const r = parseTrialConfig(o);
  if (!r.ok) throw new Error('bad config');
  return r.value;
};

describe('grid expansion', () => {
  it('is the cartesian product in W&B order (names sorted, last fastest)', () => {
    const t = expandTrials(
      sweep({
        method: 'grid',
        parameters: { optimizer: { values: ['adam', 'sgd'] }, learning_rate: { values: [0.1, 0.01, 0.001] } },
      }),
    );
    expect(t.map((x) => [x.config.learning_rate, x.config.optimizer])).toEqual([
      [0.1, 'adam'],
      [0.1, 'sgd'],
      [0.01, 'adam'],
      [0.01, 'sgd'],
      [0.001, 'adam'],
      [0.001, 'sgd'],
    ]);
    expect(t.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('an inactive conditional parameter takes its default and does not multiply the grid', () => {
    const t = expandTrials(
      sweep({
        method: 'grid',
        parameters: {
          optimizer: { values: ['adam', 'sgd', 'rmsprop'] },
          momentum: { values: [0.5, 0.9], when: { optimizer: 'sgd' } },
          nesterov: { values: [true, false], when: { optimizer: 'sgd', momentum: 0.9 } },
        },
      }),
    );
    // adam, rmsprop: 1 each; sgd: momentum 0.5 (nesterov default) + momentum 0.9 × 2 nesterov = 3
    expect(t).toHaveLength(5);
    for (const x of t.filter((y) => y.config.optimizer !== 'sgd')) {
      expect(x.config.momentum).toBe(0);
      expect(x.config.nesterov).toBe(false);
    }
    expect(
      t.filter((y) => y.config.optimizer === 'sgd').map((y) => [y.config.momentum, y.config.nesterov]),
    ).toEqual([
      [0.5, false],
      [0.9, true],
      [0.9, false],
    ]);
  });

  it('removes duplicates keeping the first, then truncates at max_trials', () => {
    // momentum 0 on adam equals the default: "0" and "inactive" collapse into one trial
    const s = sweep({
      method: 'grid',
      parameters: { epochs: { values: [1, 1, 2] }, layers: { values: ['784-10', [784, 10]] } },
    });
    const t = expandTrials(s);
    expect(t.map((x) => x.config.epochs)).toEqual([1, 2]);
    const cut = expandTrials({ ...s, max_trials: 1 });
    expect(cut.map((x) => x.config.epochs)).toEqual([1]);
  });

  it('int_uniform enumerates min..max and q_uniform arange(min, max, q) as W&B', () => {
    const t = expandTrials(
      sweep({
        method: 'grid',
        parameters: {
          epochs: { min: 2, max: 4 },
          dropout: { distribution: 'q_uniform', min: 0, max: 0.3, q: 0.1 },
        },
      }),
    );
    expect([...new Set(t.map((x) => x.config.dropout))]).toEqual([0, 0.1, 0.2]);
    expect([...new Set(t.map((x) => x.config.epochs))]).toEqual([2, 3, 4]);
  });

  it('the grid sampler hands out the expansion in order, then undefined', () => {
    const s = sweep({ method: 'grid', parameters: { epochs: { values: [1, 2] } } });
    const sampler = createSampler(s);
    const running = (t: TrialSpec) => ({ trial_id: t.trial_id, params: t.config, state: 'running' as const });
    const first = sampler.suggest(0, [])!;
    expect(first.config.epochs).toBe(1);
    const second = sampler.suggest(1, [running(first)])!;
    expect(second.config.epochs).toBe(2);
    expect(sampler.suggest(2, [running(first), running(second)])).toBeUndefined();
    expect(sampler.plan()?.map((t) => t.trial_id)).toEqual([first.trial_id, second.trial_id]);
  });
});

describe('trial ids', () => {
  it('are a content hash of the fully defaulted config: key order and spelling do not matter', () => {
    const a = trialId(cfg({ layers: '784-64-10', learning_rate: 0.01 }));
    const b = trialId(cfg({ learning_rate: 0.01, layers: [784, 64, 10], epochs: 5 }));
    expect(a).toBe(b);
    expect(a).toMatch(/^t-[0-9a-f]{12}$/);
    expect(trialId(cfg({ learning_rate: 0.02 }))).not.toBe(a);
  });

  it('the same sweep submitted twice gives the same trials', () => {
    const obj = {
      method: 'random',
      max_trials: 10,
      seed: 3,
      parameters: { learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 1e-1 } },
    };
    expect(expandTrials(sweep(obj)).map((t) => t.trial_id)).toEqual(
      expandTrials(sweep(obj)).map((t) => t.trial_id),
    );
  });
});

describe('random expansion', () => {
  const space = {
    method: 'random',
    max_trials: 50,
    parameters: {
      learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 1e-1 },
      optimizer: { values: ['adam', 'sgd'] },
      momentum: { distribution: 'uniform', min: 0.5, max: 0.95, when: { optimizer: 'sgd' } },
    },
  };
  it('is seeded: same seed same draws, another seed other draws', () => {
    const a = expandTrials(sweep({ ...space, seed: 1 }));
    const b = expandTrials(sweep({ ...space, seed: 1 }));
    const c = expandTrials(sweep({ ...space, seed: 2 }));
    expect(a).toHaveLength(50);
    expect(a.map((t) => t.trial_id)).toEqual(b.map((t) => t.trial_id));
    expect(a.map((t) => t.trial_id)).not.toEqual(c.map((t) => t.trial_id));
    for (const t of a) {
      expect(t.config.learning_rate).toBeGreaterThanOrEqual(1e-4);
      expect(t.config.learning_rate).toBeLessThanOrEqual(1e-1);
      if (t.config.optimizer === 'adam') expect(t.config.momentum).toBe(0);
      else expect(t.config.momentum).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('a finite space gives its distinct configs only, with a warning', () => {
    const r = parseSweepObject({
      method: 'random',
      max_trials: 10,
      parameters: { optimizer: { values: ['adam', 'sgd'] } },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(expandTrials(r.value)).toHaveLength(2);
    expect(r.warnings.map((w) => w.path)).toContain('$.max_trials');
  });
});

describe('distributions follow W&B semantics', () => {
  const draws = (spec: Record<string, unknown>, n = 4000) => {
    const s = sweep({ method: 'random', max_trials: 1, parameters: { l2: spec } }).parameters.l2!;
    const rng = new Rng(42);
    return Array.from({ length: n }, () => sample(s, rng) as number);
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it('log_uniform takes natural-log exponents: exp(U(min, max))', () => {
    const xs = draws({ distribution: 'log_uniform', min: -6, max: -2 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(Math.exp(-6));
    expect(Math.max(...xs)).toBeLessThanOrEqual(Math.exp(-2));
    expect(Math.log(median(xs))).toBeCloseTo(-4, 0);
  });

  it('log_uniform_values takes the values; inv_log_uniform_values lies between them', () => {
    for (const d of ['log_uniform_values', 'inv_log_uniform_values']) {
      const xs = draws({ distribution: d, min: 0.001, max: 1 });
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.001);
      expect(Math.max(...xs)).toBeLessThanOrEqual(1);
      expect(median(xs)).toBeGreaterThan(0.015);
      expect(median(xs)).toBeLessThan(0.065); // geometric mean 0.0316
    }
  });

  it('inv_log_uniform is exp(−U(min, max))', () => {
    const xs = draws({ distribution: 'inv_log_uniform', min: 2, max: 6 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(Math.exp(-6));
    expect(Math.max(...xs)).toBeLessThanOrEqual(Math.exp(-2));
  });

  it('q_ distributions round to multiples of q; int_uniform is inclusive', () => {
    for (const x of draws({ distribution: 'q_uniform', min: 0, max: 1, q: 0.25 }, 500))
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(x);
    for (const x of draws({ distribution: 'q_log_uniform_values', min: 0.01, max: 1, q: 0.01 }, 500))
      expect(Math.abs(x * 100 - Math.round(x * 100))).toBeLessThan(1e-9);
    const s = sweep({ method: 'random', max_trials: 1, parameters: { epochs: { min: 1, max: 3 } } })
      .parameters.epochs!;
    const rng = new Rng(1);
    const seen = new Set(Array.from({ length: 300 }, () => sample(s, rng)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('normal draws outside the key range are redrawn (truncated)', () => {
    const t = expandTrials(
      sweep({
        method: 'random',
        max_trials: 200,
        parameters: { momentum: { distribution: 'normal', mu: 0.95, sigma: 0.1 } },
      }),
    );
    for (const x of t) {
      expect(x.config.momentum).toBeGreaterThanOrEqual(0);
      expect(x.config.momentum).toBeLessThan(1);
    }
  });

  it('categorical_w_probabilities follows its probabilities', () => {
    const s = sweep({
      method: 'random',
      max_trials: 1,
      parameters: { optimizer: { values: ['adam', 'sgd'], probabilities: [0.8, 0.2] } },
    }).parameters.optimizer!;
    const rng = new Rng(5);
    const n = 5000;
    let adam = 0;
    for (let i = 0; i < n; i++) if (sample(s, rng) === 'adam') adam++;
    expect(adam / n).toBeGreaterThan(0.77);
    expect(adam / n).toBeLessThan(0.83);
  });
});
