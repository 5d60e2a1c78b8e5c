/**
 * A regression's metrics in sweep files (val_rmse, val_mae, val_r2; val_loss is both tasks'): their
 * default goals, other tools' names for them, and the task check against the built-in image sets, which
 * are classifications (a prepared table's task comes from its manifest: tests/data/tabular/validate.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Parsed } from '../../core/config.ts';
import { metricAlias, parseSweepObject, type Sweep } from '../../core/sweep/index.ts';

const onTable = { method: 'grid', dataset: 'houses', parameters: { epochs: { value: 1 } } };
const problems = (r: Parsed<Sweep>) => (r.ok ? r.warnings : r.problems).map((p) => `${p.path}: ${p.message}`);

describe('regression metrics', () => {
  it('rmse and mae are minimized, r2 maximized, when the file gives no goal, and the notice says why', () => {
    for (const [name, goal, why] of [
      ['val_rmse', 'minimize', 'an error'],
      ['val_mae', 'minimize', 'an error'],
      ['val_r2', 'maximize', 'a coefficient of determination'],
    ] as const) {
      const r = parseSweepObject({ ...onTable, metric: { name } });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value.metric).toEqual({ name, goal });
      expect(problems(r).find((l) => l.startsWith('$.metric.goal'))).toContain(
        `${name} is ${goal}d because it is ${why}`,
      );
    }
  });

  it("reads other tools' names for them, and refuses a test or training one with ours", () => {
    expect(metricAlias('validation/rmse')).toEqual({ name: 'val_rmse' });
    expect(metricAlias('val_mean_absolute_error')).toEqual({ name: 'val_mae' });
    expect(metricAlias('eval/r2_score')).toEqual({ name: 'val_r2' });
    expect(metricAlias('rmse')).toEqual({ name: 'val_rmse' });
    expect(metricAlias('test_rmse')).toEqual({ hint: 'there is no test rmse to rank by here: use val_rmse' });
    expect(metricAlias('train/mae')).toEqual({ hint: 'training metrics are never ranked here: use val_mae' });
  });

  it('are refused on a built-in image set (a classification), as huber is, with the fix', () => {
    const r = parseSweepObject({
      method: 'grid',
      dataset: 'mnist-mini',
      metric: { name: 'val_r2', goal: 'maximize' },
      parameters: { loss: { values: ['cross_entropy', 'huber'] } },
    });
    expect(r.ok).toBe(false);
    expect(problems(r)).toEqual([
      "$.metric.name: metric val_r2 is not one of a classification's, and data set mnist-mini is a classification: write metric: {name: val_accuracy} (maximized), or another of val_accuracy, val_loss, test_accuracy",
      "$.parameters.loss.values[1]: loss huber is not a classification's loss, and data set mnist-mini is a classification: write cross_entropy or mse",
    ]);
  });
});
