/**
 * W&B files as their users write them (issue 18): what each behaviour gives, beyond the messages the
 * fixture corpus pins (tests/fixtures/*-sweeps/expected.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Parsed } from '../../core/config.ts';
import { TRIAL_CONFIG_KEYS } from '../../core/config.ts';
import {
  DEFAULT_RANDOM_TRIALS,
  expandTrials,
  KEY_HINTS,
  KEY_SYNONYMS,
  parseSweep,
  parseSweepObject,
  problemLine,
  type Sweep,
  withMaxTrials,
  withTopLevel,
} from '../../core/sweep/index.ts';
import { GROUPED_KEYS, KEY_GROUPS } from '../../core/sweep/parse/synonyms.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const file = (kind: 'good' | 'bad', f: string) =>
  parseSweep(readFileSync(join(FIXTURES, `${kind}-sweeps`, f), 'utf8'), { filename: f });
function ok(r: Parsed<Sweep>): Sweep {
  if (!r.ok) throw new Error(r.problems.map(problemLine).join('\n'));
  return r.value;
}
const errorLines = (r: Parsed<Sweep>) =>
  r.ok ? [] : r.problems.filter((p) => p.severity === 'error').map(problemLine);

describe('1. random and bayes without run_cap', () => {
  it('run the default number of trials, and --max-trials (written into the text) overrides it', () => {
    const s = ok(file('good', 'wandb-docs-sweepdemo.yaml'));
    expect(s.method).toBe('random');
    expect(s.max_trials).toBe(DEFAULT_RANDOM_TRIALS);
    expect(expandTrials(s)).toHaveLength(DEFAULT_RANDOM_TRIALS);
    const text = readFileSync(join(FIXTURES, 'good-sweeps', 'wandb-docs-sweepdemo.yaml'), 'utf8');
    const seven = ok(parseSweep(withMaxTrials(text, 'x.yaml', 7), { filename: 'x.yaml' }));
    expect(seven.max_trials).toBe(7);
    expect(expandTrials(seven)).toHaveLength(7);
  });

  it('--max-trials replaces run_cap where the file has one, keeping every literal as written', () => {
    const yaml = 'program: x\nmethod: random\nrun_cap: 3\nparameters:\n  l2: {min: 0.0, max: 1.0}\n';
    const y = withMaxTrials(yaml, 'a.yaml', 9);
    expect(y).toContain('run_cap: 9');
    expect(y).toContain('min: 0.0');
    expect(ok(parseSweep(y, { filename: 'a.yaml' })).parameters.l2?.distribution).toBe('uniform');
    const json = '{\n  "method": "random",\n  "parameters": {"l2": {"min": 0.0, "max": 1.0}}\n}\n';
    const j = withMaxTrials(json, 'a.json', 4);
    expect(j).toBe(
      '{\n  "max_trials": 4,\n  "method": "random",\n  "parameters": {"l2": {"min": 0.0, "max": 1.0}}\n}\n',
    );
    const s = ok(parseSweep(j, { filename: 'a.json' }));
    expect(s.max_trials).toBe(4);
    expect(s.parameters.l2?.distribution).toBe('uniform');
    // --dataset goes the same way (it used to re-serialise the file and turn 1.0 into 1 → int_uniform).
    const d = withTopLevel(yaml, 'a.yaml', 'dataset', 'mnist-mini');
    expect(ok(parseSweep(d, { filename: 'a.yaml' })).parameters.l2?.distribution).toBe('uniform');
    expect(withTopLevel('{"method": "grid"}', 'a.json', 'max_trials', 2)).toBe(
      '{"max_trials": 2, "method": "grid"}',
    );
  });
});

describe('2. parameter names', () => {
  it('groups every trial key exactly once in the list a refusal prints', () => {
    const grouped = Object.values(KEY_GROUPS).flat();
    expect([...grouped].sort()).toEqual([...TRIAL_CONFIG_KEYS].sort());
    for (const k of TRIAL_CONFIG_KEYS) expect(GROUPED_KEYS).toContain(k);
  });

  it('synonyms map onto real keys, hints and synonyms never overlap, and neither shadows a key', () => {
    for (const [from, to] of Object.entries(KEY_SYNONYMS)) {
      expect(TRIAL_CONFIG_KEYS, from).toContain(to);
      expect(TRIAL_CONFIG_KEYS as string[], from).not.toContain(from);
      expect(KEY_HINTS[from], from).toBeUndefined();
    }
  });

  it('reads synonyms and dotted keys as ours; eta is a learning rate, never beta1', () => {
    const s = ok(file('good', 'wandb-synonyms.yaml'));
    expect(Object.keys(s.parameters).sort()).toEqual(
      ['beta2', 'dropout', 'init', 'l2', 'learning_rate', 'weight_decay'].sort(),
    );
    expect(s.metric).toEqual({ name: 'val_loss', goal: 'minimize' });
  });

  it("refuses a course assignment's file with one teaching line per thing to change", () => {
    const r = file('bad', 'wandb-course-mlp.yaml');
    const lines = errorLines(r);
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      '$.parameters.num_layers',
      '$.parameters.hidden_size',
      '$.parameters.optimizer.values[1]',
      '$.parameters.optimizer.values[2]',
      '$.parameters.optimizer.values[5]',
      '$.parameters.weight_init.values[0]',
      '$.parameters.weight_init.values[1]',
      '$.parameters.activation.values[2]',
      '$.parameters.loss.value',
    ]);
    expect(lines.join('\n')).not.toMatch(/core\/config\.ts|Invalid input|did you mean "beta1"/);
    for (const l of lines) expect(l).toMatch(/write|not available|layers: \{values|no plain/);
  });

  it('names the net for any name about hidden layers or units, and l2 for its variants', () => {
    const r = parseSweepObject({
      method: 'bayes',
      metric: { name: 'Accuracy', goal: 'maximize' },
      parameters: {
        no_of_hidden_layers: { values: [3, 4, 5] },
        hidden_size_1: { values: [32, 64] },
        l2_regpara: { values: [0, 0.05] },
      },
    });
    const lines = errorLines(r);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\$\.parameters\.no_of_hidden_layers: .*layers: \{values: \["784-128-64-10"/);
    expect(lines[1]).toMatch(
      /^\$\.parameters\.hidden_size_1: .*a hidden width or a layer count alone is not a net/,
    );
    expect(lines[2]).toMatch(/^\$\.parameters\.l2_regpara: .*write l2/);
    expect(r.ok ? [] : r.problems.map(problemLine)).toContain(
      'warning: $.metric.name: metric "Accuracy" is read as "val_accuracy"',
    );
  });

  it('a top-level sweep: wrapper is named as such (not read as a typo of seed)', () => {
    const lines = errorLines(file('bad', 'wandb-sweep-wrapper.yaml'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/seems nested under "sweep:"/);
    expect(lines[0]).not.toMatch(/seed/);
  });
});

describe('3. the net must fit the data', () => {
  it('checks the default layers too when the data set is not 28×28 digits (manifest shape)', async () => {
    const { checkNetFits, datasetShape, ProblemList } = await import('../../core/sweep/index.ts');
    const shape = datasetShape('iris', { rows: 1, cols: 4, classes: 3 });
    expect(shape).toEqual({ inputs: 4, outputs: 3 });
    expect(datasetShape('tabular', { rows: 1, cols: 1, classes: 2, inputs: 8, outputs: 2 })).toEqual({
      inputs: 8,
      outputs: 2,
    });
    const p = new ProblemList();
    checkNetFits(p, { parameters: {}, dataset: { name: 'iris' } }, shape!);
    expect(p.list.map(problemLine)).toEqual([
      '$.parameters.layers: layers is not given, and its default 784-128-64-10 does not fit data set iris: the input layer has 784 units but iris has 4 inputs, and the output layer has 10 units but iris has 3 classes (expected 4-…-3, found 784-128-64-10)',
    ]);
  });
});

describe('4. float bounds stay floats', () => {
  it('infers uniform from 0.0/1.0 and int_uniform from 0/1, as W&B does, in YAML and JSON alike', () => {
    const s = ok(file('good', 'wandb-float-bounds.yaml'));
    expect(s.parameters.l2?.distribution).toBe('uniform');
    expect(s.parameters.dropout?.distribution).toBe('uniform');
    expect(s.parameters.weight_decay?.distribution).toBe('int_uniform');
    expect(s.parameters.batch_size?.distribution).toBe('int_uniform');
    const l2 = expandTrials(s).map((t) => t.config.l2);
    expect(l2.some((x) => !Number.isInteger(x))).toBe(true);
    const json = ok(
      parseSweep('{"method": "random", "max_trials": 2, "parameters": {"l2": {"min": 0.0, "max": 1e0}}}', {
        filename: 'x.json',
      }),
    );
    expect(json.parameters.l2?.distribution).toBe('uniform');
    // A JavaScript object has no literal forms: integers are integers.
    const obj = ok(
      parseSweepObject({ method: 'random', max_trials: 2, parameters: { l2: { min: 0, max: 1 } } }),
    );
    expect(obj.parameters.l2?.distribution).toBe('int_uniform');
  });
});

describe('6. probabilities that sum to 1 within rounding', () => {
  it('are accepted and normalised (W&B: numpy isclose); 0.9 is not', () => {
    const s = ok(file('good', 'wandb-probabilities-rounded.json'));
    const spec = s.parameters.batch_size;
    if (spec?.distribution !== 'categorical_w_probabilities')
      throw new Error('not categorical_w_probabilities');
    expect(spec.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(spec.probabilities[0]).toBeCloseTo(1 / 7, 12);
    expect(file('bad', 'probabilities-far-from-one.json').ok).toBe(false);
  });
});

describe('7. keys we ignore change nothing', () => {
  it('the same file with and without program, command, project gives the same sweep', () => {
    const text = readFileSync(join(FIXTURES, 'good-sweeps', 'wandb-no-goal.yaml'), 'utf8');
    const bare = text.replace(/^program: .*\n/m, '');
    const a = ok(parseSweep(text, { filename: 'a.yaml' }));
    const b = ok(parseSweep(`${bare}project: p\ncommand: [python, train.py]\n`, { filename: 'a.yaml' }));
    const c = ok(parseSweep(bare, { filename: 'a.yaml' }));
    const strip = ({ source_format: _f, ...rest }: Sweep) => rest;
    expect(strip(a)).toEqual(strip(c));
    expect(strip(b)).toEqual(strip(c));
    expect(a.metric.goal).toBe('maximize');
  });
});

describe('8. nested parameters', () => {
  it('show the flat form when the inner keys are ours, and name the foreign ones otherwise', () => {
    expect(errorLines(file('bad', 'wandb-nested-parameters.yaml'))).toEqual([
      '$.parameters.optimizer: nested parameters ("optimizer" groups lr, momentum) are not supported: write its parameters directly under parameters: {"learning_rate":{"min":0.0001,"max":0.01},"momentum":{"values":[0.8,0.9]}} (expected one level: parameters: {trial key: spec}, found nested parameters under "optimizer")',
    ]);
    const r = parseSweepObject({
      method: 'grid',
      parameters: { model: { parameters: { units: { value: 64 }, epochs: { value: 1 } } } },
    });
    expect(errorLines(r)[0]).toMatch(/as our keys \(not ours: units\)/);
  });
});
