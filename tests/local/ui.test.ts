/** The CLI's small pure helpers: ETA, progress lines, the one-shot bar, sweep text rewriting. */
import { describe, expect, it } from 'vitest';
import { textBar } from '../../cli/commands/status.ts';
import { etaSeconds, formatEta, progressLine } from '../../cli/ui/progress.ts';
import { parseOrThrow, SweepProblemsError, withDataset } from '../../cli/ui/sweep-text.ts';

describe('progress helpers', () => {
  it('formats ETAs and estimates from the pace so far', () => {
    expect(formatEta(undefined)).toBe('?');
    expect(formatEta(7.4)).toBe('7s');
    expect(formatEta(125)).toBe('2m05s');
    expect(formatEta(3 * 3600 + 7 * 60)).toBe('3h07m');
    expect(etaSeconds({ total: 10, done: 0, running: 2, failed: 0, elapsedMs: 5000 })).toBeUndefined();
    expect(etaSeconds({ total: 10, done: 2, running: 2, failed: 0, elapsedMs: 10_000 })).toBe(40);
  });

  it('prints a plain progress line with the best so far', () => {
    const line = progressLine({
      total: 8,
      done: 3,
      running: 2,
      failed: 1,
      best: { metric: 'val_accuracy', value: 0.93625, trial_id: 't-1' },
      elapsedMs: 30_000,
    });
    expect(line).toBe('[3/8] running 2, failed 1, eta 50s, best val_accuracy 0.9363 (t-1)');
    expect(textBar(1, 4, 8)).toBe('██░░░░░░ 1/4');
  });
});

describe('sweep text', () => {
  const sweep = {
    name: 'x',
    dataset: { name: 'mnist', version: 'v1' },
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: { layers: { value: '784-8-10' }, epochs: { value: 1 } },
  };

  it('points a JSON or YAML sweep at another data set', () => {
    const json = withDataset(JSON.stringify(sweep), 's.json', 'mnist-mini');
    expect(parseOrThrow(json, 's.json').dataset).toEqual({ name: 'mnist-mini' });
    const yaml = withDataset(
      'name: x\ndataset: mnist\nmethod: grid\nparameters:\n  epochs:\n    value: 1\n',
      's.yaml',
      'kmnist',
    );
    expect(yaml).toContain('dataset: kmnist');
  });

  it('reports every problem of an invalid sweep as invalid input', () => {
    const bad = JSON.stringify({ ...sweep, parameters: { layers: { values: [] }, epochs: { value: -1 } } });
    try {
      parseOrThrow(bad, 'bad.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SweepProblemsError);
      expect((e as SweepProblemsError).problems.length).toBeGreaterThanOrEqual(2);
    }
  });
});
