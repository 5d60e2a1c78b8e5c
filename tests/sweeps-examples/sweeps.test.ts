import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFile } from '../../cli/commands/validate.ts';
import { expandTrials, parseSweep } from '../../core/sweep/index.ts';

function load(file: string) {
  const p = parseSweep(readFileSync(file, 'utf8'), { filename: file });
  if (!p.ok) throw new Error(`${file}: ${p.problems.map((x) => `${x.path}: ${x.message}`).join('\n')}`);
  return { sweep: p.value, warnings: p.warnings, trials: expandTrials(p.value) };
}

const key = (l: readonly number[]) => l.join('-');

describe('sweeps/seeds.json', () => {
  const { sweep, trials } = load('sweeps/seeds.json');

  it('spans the seed notebooks’ design space', () => {
    const set = (f: (c: (typeof trials)[number]['config']) => unknown) =>
      new Set(trials.map((t) => JSON.stringify(f(t.config))));
    expect(set((c) => key(c.layers))).toEqual(
      new Set(
        ['784-500-250-100-10', '784-128-64-10', '784-128-128-64-10', '784-128-24-10', '784-10'].map((s) =>
          JSON.stringify(s),
        ),
      ),
    );
    expect(set((c) => c.optimizer)).toEqual(new Set(['"sgd"', '"adam"', '"rmsprop"']));
    expect(set((c) => c.learning_rate)).toEqual(new Set(['0.01', '0.1', '1']));
    expect(set((c) => c.l2)).toEqual(new Set(['0', '0.01']));
    expect(set((c) => c.validation_split)).toEqual(new Set(['0.1']));
    for (const t of trials) expect(t.config.batch_size).toBeGreaterThanOrEqual(16);
    for (const t of trials) expect(t.config.batch_size).toBeLessThanOrEqual(64);
  });

  it('uses MSE only for softmax regression, and activations only where there are hidden layers', () => {
    for (const t of trials) {
      const soft = key(t.config.layers) === '784-10';
      expect(t.config.loss).toBe(soft ? 'mse' : 'cross_entropy');
    }
    const hiddenActs = new Set(
      trials.filter((t) => t.config.layers.length > 2).map((t) => t.config.activation),
    );
    expect(hiddenActs).toEqual(new Set(['sigmoid', 'tanh', 'relu', 'leaky_relu']));
    const softActs = new Set(
      trials.filter((t) => t.config.layers.length === 2).map((t) => t.config.activation),
    );
    expect(softActs.size).toBe(1); // the unused activation does not multiply the grid
  });

  it('is affordable: bounded concurrency and ASHA', () => {
    expect(trials.length).toBe(4 * 4 * 3 * 3 * 2 * 3 * 2 + 3 * 3 * 2 * 3 * 2);
    expect(sweep.max_concurrency).toBeGreaterThan(1);
    expect(sweep.max_concurrency).toBeLessThanOrEqual(1000);
    expect(sweep.early_terminate?.type).toBe('asha');
  });

  it('`sweep validate` reports its trial count and cost', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await validateFile(
      'sweeps/seeds.json',
      {},
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/trials:\s+1,836/);
    expect(out.join('\n')).toMatch(/cost:\s+~\$\d/);
  });
});

describe('sweeps/mnist-best.json', () => {
  const { sweep, trials } = load('sweeps/mnist-best.json');
  it('searches wide ReLU MLPs with dropout, Adam and a cosine schedule, pruned by ASHA', () => {
    expect(trials.length).toBeGreaterThan(1);
    for (const { config: c } of trials) {
      expect(c.layers.length).toBe(4);
      expect(Math.min(...c.layers.slice(1, -1))).toBeGreaterThanOrEqual(800);
      expect(c.activation).toBe('relu');
      expect(c.dropout).toBeGreaterThanOrEqual(0.2);
      expect(c.dropout).toBeLessThanOrEqual(0.5);
      expect(c.lr_schedule.type).toBe('cosine');
      expect(c.augment_shift).toBe(0);
      expect(c.epochs).toBeGreaterThanOrEqual(20);
    }
    expect(sweep.early_terminate?.type).toBe('asha');
    expect(sweep.early_terminate!.max_iter).toBe(trials[0]!.config.epochs);
  });
});

describe('sweeps/wandb-example.yaml', () => {
  const { sweep, warnings, trials } = load('sweeps/wandb-example.yaml');
  it('is read as W&B, with program/command ignored (warnings)', () => {
    expect(sweep.source_format).toBe('wandb');
    const paths = warnings.map((w) => w.path);
    expect(paths).toContain('$.program');
    expect(paths).toContain('$.command');
    expect(trials).toHaveLength(24);
    for (const t of trials) {
      expect(t.config.learning_rate).toBeGreaterThanOrEqual(0.0003);
      expect(t.config.learning_rate).toBeLessThanOrEqual(0.01);
      expect(t.config.epochs).toBe(9);
    }
  });
});

describe('sweeps/table-regression.json', () => {
  it('validates against a prepared 10-column regression table named diabetes (as the README prepares it)', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { prepareTableFiles } = await import('../../adapters/data/tabular/prepare.ts');
    const { FsBlobStore } = await import('../../adapters/store/fs.ts');
    const dir = await mkdtemp(join(tmpdir(), 'table-example-'));
    try {
      // diabetes's shape: ten numeric columns and a numeric target.
      const rows = Array.from({ length: 50 }, (_, i) =>
        [...Array.from({ length: 10 }, (_, j) => ((i * 7 + j * 13) % 17) + 0.5), 100 + ((i * 31) % 97)].join(
          ',',
        ),
      );
      const csv = join(dir, 'diabetes.csv');
      await writeFile(
        csv,
        [['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6', 'target'].join(','), ...rows].join(
          '\n',
        ),
      );
      const store = new FsBlobStore(join(dir, 'store'));
      await prepareTableFiles(store, { name: 'diabetes', from: csv, label: 'target', workerMemoryMb: 1769 });
      const out: string[] = [];
      const err: string[] = [];
      const code = await validateFile(
        'sweeps/table-regression.json',
        { storeDir: join(dir, 'store') },
        { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
      );
      expect(code, err.join('\n')).toBe(0);
      expect(out.join('\n')).toContain('trials:   8 (800 epochs)');
      const { sweep } = load('sweeps/table-regression.json');
      expect(sweep.metric).toEqual({ name: 'val_rmse', goal: 'minimize' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('every example in sweeps/', () => {
  it('parses', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('sweeps').filter((f) => /\.(json|ya?ml)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(() => load(`sweeps/${f}`), f).not.toThrow();
  });
});
