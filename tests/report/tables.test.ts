/**
 * The leaderboard and the report of table sweeps, from real trainer results on the toy tables: a regression
 * gets its error columns (in the target's units), RMSE learning curves, the predicted-vs-actual and
 * residual plots and a table of its largest errors; a table classification its classes by name and its
 * confident mistakes as rows in the source's terms; both a look at the table's columns as prepared.
 */
import { describe, expect, it } from 'vitest';
import { parseTrialConfig } from '../../core/config.ts';
import { testRow } from '../../core/data/tabular/decode.ts';
import type { TableManifest } from '../../core/data/tabular/manifest.ts';
import type { TableDataset } from '../../core/dataset.ts';
import { createTrainer } from '../../core/nn/index.ts';
import {
  buildLeaderboard,
  formatLeaderboard,
  type ReportSweep,
  renderReport,
  tableDatasetPreview,
} from '../../core/report/index.ts';
import { isRegressionTest, type TrialResult } from '../../core/result.ts';
import { toyClassificationTable, toyRegressionTable } from '../core/toy-table.ts';

/** A completed trial's result as the worker writes it (rows described), for one config. */
function result(ds: TableDataset, over: Record<string, unknown>, index: number): TrialResult {
  const p = parseTrialConfig({
    batch_size: 16,
    epochs: 6,
    learning_rate: 0.01,
    validation_split: 0.2,
    ...over,
  });
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  const t = createTrainer(p.value, ds);
  while (t.status === 'running') t.runEpoch();
  const raw = t.evaluateTest(8);
  const test = isRegressionTest(raw)
    ? { ...raw, worst: raw.worst.map((w) => ({ ...w, row: testRow(ds, w.index) })) }
    : { ...raw, confidently_wrong: raw.confidently_wrong.map((w) => ({ ...w, row: testRow(ds, w.index) })) };
  const last = t.history.at(-1)!;
  return {
    sweep_id: 's',
    trial_id: `t-${index}`,
    index,
    config: p.value,
    state: 'completed',
    epochs_run: t.history.length,
    history: [...t.history],
    test,
    val_loss: last.val_loss,
    ...(isRegressionTest(test)
      ? {
          val_rmse: last.val_rmse,
          val_mae: last.val_mae,
          val_r2: last.val_r2,
          test_rmse: test.rmse,
          test_mae: test.mae,
          test_r2: test.r2,
        }
      : { val_accuracy: last.val_accuracy, test_accuracy: test.accuracy }),
    wall_s: 1,
    samples_per_s: 100,
    billed_ms: 1000,
    memory_mb: 1769,
    cost_usd: 0.00001 * (index + 1),
    invocations: 1,
    started_at: '2026-01-01T00:00:00Z',
    finished_at: '2026-01-01T00:00:01Z',
  };
}

const manifestOf = (ds: TableDataset): TableManifest =>
  ({
    kind: 'table',
    name: ds.name,
    version: ds.version,
    task: ds.task,
    inputs: ds.inputs,
    outputs: ds.task === 'classification' ? ds.classes : 1,
    train: [{ key: 'k', count: ds.train.count }],
    test: [{ key: 'k', count: ds.test.count }],
    label:
      ds.task === 'classification'
        ? {
            task: 'classification',
            column: 'level',
            classes: ds.classNames,
            histogram: { train: [100, 100, 100], test: [30, 30, 30] },
          }
        : { task: 'regression', column: 'y', mean: 200, std: 40, min: 90, max: 330 },
    features: ds.steps,
    feature_names: ds.featureNames,
    dropped: [{ column: 'id', reason: 'ID-like: a row number' }],
  }) as unknown as TableManifest;

describe('the report of a regression sweep', () => {
  const ds = toyRegressionTable();
  const results = [0.003, 0.01, 0.03].map((lr, i) =>
    result(ds, { layers: [5, 12, 1], loss: 'huber', learning_rate: lr }, i),
  );
  const sweep: ReportSweep = {
    sweep_id: 's',
    name: 'houses',
    metric: { name: 'val_rmse', goal: 'minimize' },
  };

  it('ranks by RMSE and shows the regression columns in the target’s units', () => {
    const lb = buildLeaderboard(sweep, results);
    expect(lb.task).toBe('regression');
    const rmse = lb.rows.map((r) => r.metric!);
    expect(rmse).toEqual([...rmse].sort((a, b) => a - b));
    expect(lb.rows[0]!.test_r2).toBe(results.find((r) => r.trial_id === lb.rows[0]!.trial_id)!.test_r2);
    const csv = formatLeaderboard(lb, 'csv').split('\r\n')[0]!;
    expect(csv).toContain('val_rmse,val_mae,val_r2,test_rmse,test_mae,test_r2,val_loss');
    expect(csv).not.toContain('accuracy');
    // 4 significant digits for errors in units (≈ 5–40 here), 4 decimals for R².
    const md = formatLeaderboard(lb, 'md');
    expect(md).toMatch(/\| \d+(\.\d+)? \| \d+(\.\d+)? \| 0\.\d{4} \|/);
  });

  it('draws RMSE curves, predicted vs actual, residuals, and lists the largest errors with their columns', async () => {
    const html = await renderReport({
      sweep,
      results,
      dataset: tableDatasetPreview(manifestOf(ds), 'toy (r1)'),
    });
    expect(html).toContain('Validation RMSE (target units)');
    expect(html).toContain('data-chart="fit"');
    expect(html).toContain('Predicted vs actual');
    expect(html).toContain('Residuals');
    const worst = html.slice(html.indexOf('<table id="worst"'));
    for (const h of ['test row', 'actual y', 'predicted', 'error', 'x0', 'x1', 'x2', 'kind'])
      expect(worst).toContain(`>${h}<`);
    expect(html).toMatch(/test RMSE <b>[\d.,]+<\/b>, MAE [\d.,]+, R² 0\.\d{4} \(y, in its own units\)/);
    // The table at a glance: its columns as prepared, the dropped one, and the target's statistics.
    expect(html).toContain('a regression of <b>y</b> (training rows: mean 200, std 40, from 90 to 330');
    expect(html).toContain('<table id="columns">');
    expect(html).toContain('ID-like: a row number');
    expect(html).not.toContain('Confusion matrix');
    expect(html).not.toContain('<img');
  });
});

describe('the report of a table classification', () => {
  const ds = toyClassificationTable();
  const results = [0.001, 0.003].map((lr, i) =>
    result(ds, { layers: [5, 8, 3], learning_rate: lr, epochs: 2 }, i),
  );
  const sweep: ReportSweep = {
    sweep_id: 's',
    name: 'levels',
    metric: { name: 'val_accuracy', goal: 'maximize' },
  };

  it('names the classes in the matrix and the per-class table, and shows its mistakes as rows', async () => {
    const html = await renderReport({
      sweep,
      results,
      dataset: tableDatasetPreview(manifestOf(ds), 'toy (c1)'),
    });
    expect(buildLeaderboard(sweep, results).task).toBe('classification');
    expect(html).toContain('Confusion matrix');
    const perClass = html.slice(html.indexOf('<table id="per-class"'));
    for (const name of ['low', 'mid', 'high']) expect(perClass).toContain(`<td>${name}</td>`);
    expect(html).toContain('Most confidently wrong test rows');
    const wrong = html.slice(html.indexOf('<table id="wrong"'));
    for (const h of ['true', 'predicted', 'p', 'x0', 'colour']) expect(wrong).toContain(`>${h}<`);
    expect(html).toContain('a classification of <b>level</b> into 3 classes');
    expect(html).not.toContain('<img');
  });
});
