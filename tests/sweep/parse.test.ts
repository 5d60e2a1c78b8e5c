import { describe, expect, it } from 'vitest';
import { type Parsed, TRIAL_CONFIG_KEYS } from '../../core/config.ts';
import { expandTrials, parseSweep, parseSweepObject, type Sweep } from '../../core/sweep/index.ts';
import { INTEGER_KEYS, REAL_KEYS } from '../../core/sweep/schema.ts';
import type { EarlyTerminate } from '../../core/sweep/types.ts';

function ok(r: Parsed<Sweep>): Sweep & { _warnings: string[] } {
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return Object.assign(r.value, { _warnings: r.warnings.map((w) => `${w.path}: ${w.message}`) });
}
function errors(r: Parsed<Sweep>): string[] {
  return r.ok ? [] : r.problems.filter((p) => p.severity === 'error').map((p) => p.path);
}

describe('W&B sweep files', () => {
  it('reads a W&B YAML file as is: run_cap, bayes → random, metric alias, ignored keys warned', () => {
    const s = ok(
      parseSweep(
        [
          'program: train.py',
          'project: p',
          'method: bayes',
          'run_cap: 7',
          'metric:',
          '  name: val_acc',
          '  goal: maximize',
          'parameters:',
          '  learning_rate:',
          '    distribution: log_uniform_values',
          '    min: 1e-4',
          '    max: 1e-1',
          'command: [python, train.py]',
        ].join('\n'),
        { filename: 'sweep.yaml' },
      ),
    );
    expect(s.source_format).toBe('wandb');
    expect(s.method).toBe('random');
    expect(s.max_trials).toBe(7);
    expect(s.metric).toEqual({ name: 'val_accuracy', goal: 'maximize' });
    expect(s._warnings.join('\n')).toMatch(/\$\.program/);
    expect(s._warnings.join('\n')).toMatch(/\$\.command/);
    expect(s._warnings.join('\n')).toMatch(/bayes/);
    expect(expandTrials(s)).toHaveLength(7);
  });

  it("gives a missing goal the metric's own direction whatever else the file has, and says so", () => {
    const base = { method: 'grid', metric: { name: 'val_accuracy' }, parameters: { epochs: { value: 1 } } };
    const w = ok(parseSweepObject({ program: 'train.py', ...base }));
    const n = ok(parseSweepObject(base));
    expect(w.source_format).toBe('wandb');
    expect(n.source_format).toBe('native');
    // `program` is ignored here, so it must not change the result (it used to flip the goal to minimize).
    expect(w.metric).toEqual({ name: 'val_accuracy', goal: 'maximize' });
    expect(n.metric).toEqual(w.metric);
    expect(w._warnings).toContain(
      "$.metric.goal: no goal: val_accuracy is maximized because it is an accuracy; W&B's default would be minimize (write goal: to choose)",
    );
    const l = ok(parseSweepObject({ ...base, metric: { name: 'val_loss' } }));
    expect(l.metric.goal).toBe('minimize');
    expect(l._warnings).toContain(
      '$.metric.goal: no goal: val_loss is minimized because it is a loss (write goal: to choose)',
    );
  });

  it('maps the documented metric aliases', () => {
    const cases: [string, string][] = [
      ['validation_accuracy', 'val_accuracy'],
      ['val_acc', 'val_accuracy'],
      ['accuracy', 'val_accuracy'],
      ['validation_loss', 'val_loss'],
      ['loss', 'val_loss'],
      ['test_acc', 'test_accuracy'],
    ];
    for (const [from, to] of cases) {
      const s = ok(
        parseSweepObject({
          method: 'grid',
          metric: { name: from, goal: 'maximize' },
          parameters: { epochs: { value: 1 } },
        }),
      );
      expect(s.metric.name).toBe(to);
      expect(s._warnings.some((w) => w.startsWith('$.metric.name'))).toBe(true);
    }
  });

  it('early_terminate means the same in a W&B file and in ours: W&B forms are one set of bands, min+max_iter several brackets', () => {
    const forms: [Record<string, unknown>, EarlyTerminate, RegExp | undefined][] = [
      // W&B's min_iter form: bands at 2, 6, 18, …; the top 1/3 continue at each (our asha).
      [
        { type: 'hyperband', min_iter: 2 },
        { type: 'asha', min_iter: 2, eta: 3, max_iter: 1000 },
        /min_iter alone is W&B's/,
      ],
      // W&B's max_iter + s form: bands ⌊27/3ᵏ⌋ for k ≤ 2 → 9, 3: the first is 3.
      [
        { type: 'hyperband', max_iter: 27, s: 2, eta: 3 },
        { type: 'asha', min_iter: 3, eta: 3, max_iter: 27 },
        /max_iter and s is W&B's/,
      ],
      // Hyperband's several brackets: min_iter and max_iter without s (W&B refuses max_iter without s).
      [
        { type: 'hyperband', min_iter: 1, max_iter: 9 },
        { type: 'hyperband', min_iter: 1, eta: 3, max_iter: 9 },
        undefined,
      ],
      [
        { type: 'asha', min_iter: 1, eta: 2 },
        { type: 'asha', min_iter: 1, eta: 2, max_iter: 1000 },
        undefined,
      ],
    ];
    for (const [et, expected, told] of forms)
      for (const wandbKeys of [{}, { program: 'train.py', project: 'p' }]) {
        const s = ok(
          parseSweepObject({
            ...wandbKeys,
            method: 'grid',
            parameters: { epochs: { value: 30 } },
            early_terminate: et,
          }),
        );
        const where = `${JSON.stringify(et)} ${JSON.stringify(wandbKeys)}`;
        expect(s.early_terminate, where).toEqual(expected);
        const said = s._warnings.filter((w) => w.startsWith('$.early_terminate.type'));
        if (told)
          expect(
            said.some((w) => told.test(w)),
            where,
          ).toBe(true);
        else expect(said, where).toEqual([]);
      }
  });

  it('infers distributions as W&B does (int min/max → int_uniform, else uniform; values; value)', () => {
    const s = ok(
      parseSweepObject({
        method: 'random',
        max_trials: 3,
        parameters: {
          epochs: { min: 1, max: 3 },
          learning_rate: { min: 0.001, max: 0.1 },
          optimizer: { values: ['adam'] },
          seed: { value: 4 },
          activation: { values: ['relu', 'tanh'], probabilities: [0.25, 0.75] },
        },
      }),
    );
    expect(s.parameters.epochs?.distribution).toBe('int_uniform');
    expect(s.parameters.learning_rate?.distribution).toBe('uniform');
    expect(s.parameters.optimizer?.distribution).toBe('categorical');
    expect(s.parameters.seed?.distribution).toBe('constant');
    expect(s.parameters.activation?.distribution).toBe('categorical_w_probabilities');
  });

  it('reads parameter-name aliases with a warning and rejects unknown names with a suggestion', () => {
    const s = ok(
      parseSweepObject({ method: 'grid', parameters: { lr: { values: [0.1] }, num_epochs: { value: 2 } } }),
    );
    expect(Object.keys(s.parameters).sort()).toEqual(['epochs', 'learning_rate']);
    const r = parseSweepObject({ method: 'grid', parameters: { learnig_rate: { values: [0.1] } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(/did you mean "learning_rate"/);
  });
});

describe('errors as data', () => {
  it('reports all problems at once, each with its path', () => {
    const r = parseSweepObject({
      method: 'grdi',
      max_trails: 3,
      metric: { name: 'val_accuracy', goal: 'up' },
      parameters: { optimizer: { values: [] }, momentum: { values: [2] }, epochs: { value: 0 } },
    });
    expect(errors(r).sort()).toEqual(
      [
        '$.max_trails',
        '$.method',
        '$.metric.goal',
        '$.parameters.epochs.value',
        '$.parameters.momentum.values[0]',
        '$.parameters.optimizer.values',
      ].sort(),
    );
  });

  it('computes the grid size before expanding: a 10⁹ grid is rejected at once', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const r = parseSweepObject({
      method: 'grid',
      parameters: {
        seed: { values },
        batch_size: { values: values.map((v) => v + 1) },
        epochs: { values: values.map((v) => v + 1) },
      },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems[0]?.path).toBe('$.parameters');
      expect(r.problems[0]?.found).toBe('1,000,000,000 trials');
    }
  });

  it('JSON syntax errors give line and column', () => {
    const r = parseSweep('{\n  "method": "grid",\n  "parameters": }\n', { filename: 'x.json' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(/line 3, column/);
  });

  it('sniffs JSON vs YAML without an extension', () => {
    expect(parseSweep('{"method": "grid", "parameters": {"epochs": {"value": 2}}}').ok).toBe(true);
    expect(parseSweep('method: grid\nparameters:\n  epochs:\n    value: 2\n').ok).toBe(true);
  });
});

describe('key classes', () => {
  it('every trial key is either numeric (real/integer) or categorical, and numeric keys really take numbers', () => {
    for (const k of [...REAL_KEYS, ...INTEGER_KEYS]) expect(TRIAL_CONFIG_KEYS as string[]).toContain(k);
    // every integer key accepts an integer value through a sweep
    for (const k of INTEGER_KEYS) {
      const r = parseSweepObject({ method: 'grid', parameters: { [k]: { value: 1 } } });
      expect(r.ok, k).toBe(true);
    }
  });
});
