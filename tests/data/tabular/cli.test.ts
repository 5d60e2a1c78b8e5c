/** `sweep data prepare --from …` through commander, against a local files store in a temp directory. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataCli } from '../cli-helpers.ts';
import { tempDir } from '../helpers.ts';
import { fixture } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let out: string[];
let err: string[];
let run: (...args: string[]) => Promise<void>;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tabular-cli'));
  ({ out, err, sweep: run } = dataCli());
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  cleanup();
});

/** `sweep …` against the test's own store directory. */
const sweep = (...args: string[]) => run(...args, '--store-dir', join(dir, 'store'));

describe('sweep data prepare --from', () => {
  it('--json ends with one line that starts with dataset, version, task, inputs, outputs', async () => {
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'mixed',
      '--from',
      fixture('mixed-train.csv'),
      '--label',
      'label',
      '--json',
    );
    expect(process.exitCode).toBeUndefined();
    expect(out).toHaveLength(1);
    const line = JSON.parse(out[0]!);
    expect(Object.keys(line).slice(0, 5)).toEqual(['dataset', 'version', 'task', 'inputs', 'outputs']);
    expect(line).toMatchObject({
      dataset: 'mixed',
      task: 'classification',
      inputs: 9, // age, income, color × 4, size × 3 (id and const dropped)
      outputs: 2,
      ok: true,
      train: 64,
      test: 16,
      skipped: false,
      classes: ['no', 'yes'],
      backend: 'local',
    });
    expect(line.notices).toContain('dropped column "const": constant: every training value is "k"');
  });

  it('prints the task and why, every notice, the input width after one-hot and the split', async () => {
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'reg',
      '--from',
      fixture('regress.csv'),
      '--label',
      'y',
      '--test-split',
      '0.25',
    );
    const text = out.join('');
    expect(text).toContain('task: regression: the label has non-integer numbers (--task to override)');
    expect(text).toContain(
      'inputs: 3 (after one-hot); outputs: 1 (the target "y", standardised for training',
    );
    expect(text).toContain('split: 45 train / 15 test (25% held out, seed 0)');
    expect(text).toMatch(
      /use it in a sweep as {2}"dataset": \{ "name": "reg", "version": "[0-9a-f]{12}" \} {2}with layers "3-…-1"/,
    );
    out.length = 0;
    await sweep('data', 'list');
    expect(out.join('')).toMatch(/^reg@[0-9a-f]{12} {2}table regression 3→1 {2}45 train \/ 15 test/);
  });

  it('exits 2 on a bad table, with the problem as data in the --json line, and on bad flags', async () => {
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'bad',
      '--from',
      fixture('ragged.csv'),
      '--label',
      'label',
      '--json',
    );
    expect(process.exitCode).toBe(2);
    const line = JSON.parse(out[0]!);
    expect(line).toMatchObject({ ok: false, kind: 'TableInputError', problem: { at: 'line 4', found: '4' } });
    expect(err.join('')).toContain('ragged.csv, line 4: expected 3 fields, as the header has, found 4.');
    for (const flags of [
      ['--from', fixture('regress.csv'), '--label', 'y'], // no --dataset
      ['--dataset', 'r', '--from', fixture('regress.csv')], // no --label
      ['--dataset', 'r', '--from', fixture('regress.csv'), '--label', 'y', '--task', 'ranking'],
      ['--dataset', 'r', '--from', fixture('regress.csv'), '--label', 'y', '--test-split', '1.5'],
      [
        '--dataset',
        'r',
        '--from',
        fixture('regress.csv'),
        '--label',
        'y',
        '--test',
        fixture('regress.csv'),
        '--test-split',
        '0.1',
      ],
      ['--dataset', 'r/..', '--from', fixture('regress.csv'), '--label', 'y'],
    ]) {
      process.exitCode = undefined;
      err.length = 0;
      await sweep('data', 'prepare', ...flags);
      expect(process.exitCode, flags.join(' ')).toBe(2);
    }
    expect(err.join('')).toContain('invalid dataset id');
  });
});
