/**
 * Every chart and panel of a sweep, defined once for the static report (html.ts) and the dashboard
 * (core/dashboard): each entry turns a sweep (or one trial) into HTML parts — heading, note, the drawn
 * chart, a table beside it — and asks its caller to draw the Vega-Lite spec (the report inlines SVG; the
 * dashboard draws the same SVG and pushes it to the page when it changes).
 *
 * A new chart is one entry here: SWEEP_CHARTS for the sweep (`section` says where the report puts it; the
 * dashboard's sweep page shows every section but `data`), TRIAL_PANELS for one trial (the report's best
 * trial, the dashboard's trial page). An entry returns no parts when it has nothing to show.
 */
import type { TopLevelSpec } from 'vega-lite';
import { REGRESSION_POINTS } from '../nn/regression.ts';
import { isRegressionTest, type TestMetrics, type TrialResult } from '../result.ts';
import {
  confusionCells,
  fitPoints,
  learningCurves,
  learningRateScatter,
  MAX_MATRIX_CLASSES,
  parallelCoordinates,
  parameterImportance,
  trainingDynamics,
} from './analysis.ts';
import { classTable, columnsTable, digitFigure, importanceTable, num, testRowsTable } from './blocks.ts';
import {
  confusionSpec,
  dynamicsSpec,
  histogramSpec,
  importanceSpec,
  learningCurveSpec,
  lrScatterSpec,
  parallelSpec,
  regressionFitSpec,
} from './charts.ts';
import { escapeHtml as e } from './escape.ts';
import type { DatasetPreview, Leaderboard, ReportSweep, TablePreview } from './types.ts';

/** Draws a spec as HTML (the chart's `id` prefixes the SVG's ids; `label` is its accessible name). */
export type Draw = (spec: TopLevelSpec, id: string, label: string) => Promise<string>;

/** What the sweep's charts are computed from. */
export interface SweepView {
  sweep: ReportSweep;
  results: readonly TrialResult[];
  lb: Leaderboard;
  dataset?: DatasetPreview;
}

export type ReportSection = 'parameters' | 'curves' | 'data' | 'dynamics';

export interface SweepChart {
  id: string;
  section: ReportSection;
  parts(v: SweepView, draw: Draw): Promise<string[]>;
}

/** What a trial's panels are computed from (image size for its digits). */
export interface TrialView {
  result: TrialResult;
  rows?: number;
  cols?: number;
}

export interface TrialPanel {
  id: string;
  parts(t: TrialView, draw: Draw): Promise<string[]>;
}

const withMetric = (lb: Leaderboard) => lb.rows.filter((r) => r.metric !== null).length;

/** A table data set at a glance: its rows and task, the label's classes (a histogram) or the target, its columns. */
async function tableParts(d: DatasetPreview, t: TablePreview, draw: Draw): Promise<string[]> {
  const rows = `${t.rows.train.toLocaleString('en-US')} training and ${t.rows.test.toLocaleString('en-US')} test rows, ${t.inputs} inputs after preprocessing`;
  const task =
    t.task === 'regression' && t.target
      ? `a regression of <b>${e(t.label)}</b> (training rows: mean ${num(t.target.mean)}, std ${num(t.target.std)}, from ${num(t.target.min)} to ${num(t.target.max)}; trained standardised, reported in its own units)`
      : `a classification of <b>${e(t.label)}</b> into ${t.classes?.length ?? 0} classes`;
  const hist = t.task === 'classification' ? await draw(histogramSpec(d), 'hist', 'class histogram') : '';
  return [`<p>${e(d.name)}: ${rows}; ${task}.</p><div class="row">${hist}${columnsTable(t)}</div>`];
}

export const SWEEP_CHARTS: readonly SweepChart[] = [
  {
    id: 'pc',
    section: 'parameters',
    async parts({ results, lb }, draw) {
      const n = withMetric(lb);
      if (n === 0) return ['<p class="muted">No trial has a metric yet.</p>'];
      const { metric } = lb.sweep;
      const pc = parallelCoordinates(results, lb);
      return [
        `<h3>Parallel coordinates</h3><p class="muted">One line per trial with a metric (${n}); each axis is normalised to its own range (log axes where the values are positive and span ≥ 2 decades; categories evenly spaced), coloured by ${e(metric.name)} (darker = better; the best trials are drawn on top).</p>`,
        await draw(parallelSpec(pc.dims, pc.points, metric.goal, metric.name), 'pc', 'parallel coordinates'),
      ];
    },
  },
  {
    id: 'lr',
    section: 'parameters',
    async parts({ results, lb }, draw) {
      const lr = withMetric(lb) > 0 ? learningRateScatter(results, lb) : [];
      if (lr.length === 0) return [];
      const { metric } = lb.sweep;
      return [
        `<h3>Learning rate vs ${e(metric.name)}</h3>`,
        await draw(lrScatterSpec(lr, metric.name), 'lr', 'learning rate scatter'),
      ];
    },
  },
  {
    id: 'imp',
    section: 'parameters',
    async parts({ results, lb }, draw) {
      const imp = parameterImportance(results, lb);
      if (imp.length === 0 || (imp[0]?.n ?? 0) < 3) return [];
      return [
        '<h3>Parameter importance</h3>',
        `<p class="muted">Importance of a parameter = η² of a one-way ANOVA: the fraction of the variance of ${e(lb.sweep.metric.name)} across completed trials that is explained by grouping the trials on that parameter's value (numeric parameters with more than 6 distinct values are grouped into quartiles). It is marginal — interactions are not credited and correlated parameters can both score — and it is biased upwards when groups are small; ε² (η² less that bias) is given alongside.</p>`,
        `<div class="row">${await draw(importanceSpec(imp), 'imp', 'parameter importance')}${importanceTable(imp)}</div>`,
      ];
    },
  },
  {
    id: 'lc',
    section: 'curves',
    async parts({ results, lb }, draw) {
      const curves = learningCurves(results, lb);
      if (curves.length === 0) return ['<p class="muted">No per-epoch history recorded.</p>'];
      const what = lb.task === 'regression' ? 'RMSE (in the target’s units)' : 'accuracy';
      return [
        `<p class="muted">Validation ${what} and loss per epoch of the top trials (coloured, by rank); pruned trials in grey.</p>${await draw(learningCurveSpec(curves, lb.task), 'lc', 'learning curves')}`,
      ];
    },
  },
  {
    id: 'hist',
    section: 'data',
    async parts({ dataset }, draw) {
      if (!dataset) return [];
      if (dataset.table) return tableParts(dataset, dataset.table, draw);
      const tr = dataset.class_histogram.train.reduce((s, x) => s + x, 0);
      const te = dataset.class_histogram.test.reduce((s, x) => s + x, 0);
      const samples = dataset.samples
        .slice(0, 60)
        .map((s) =>
          digitFigure(
            s.pixels_b64,
            String(s.label),
            `training image of a ${s.label}`,
            dataset.rows,
            dataset.cols,
          ),
        )
        .join('');
      return [
        `<p>${e(dataset.name)}: ${tr.toLocaleString('en-US')} training and ${te.toLocaleString('en-US')} test images of ${dataset.rows}×${dataset.cols} pixels, ${dataset.class_histogram.train.length} classes.</p>
<div class="row">${await draw(histogramSpec(dataset), 'hist', 'class histogram')}
<div class="digits small" id="samples">${samples}</div></div>`,
      ];
    },
  },
  {
    id: 'dyn',
    section: 'dynamics',
    async parts({ results, lb }, draw) {
      const dyn = trainingDynamics(results, lb);
      if (dyn.length === 0) return ['<p class="muted">No per-layer norms recorded.</p>'];
      return [
        `<p class="muted">Frobenius norm of each layer's weight matrix at the end of each epoch, and the mean over the epoch's batches of its gradient norm (log scale), for the best trials. W1 is the input layer.</p>${await draw(dynamicsSpec(dyn), 'dyn', 'training dynamics')}`,
      ];
    },
  },
];

/** The confidently wrong test rows of a classification: pictures of images, a table of a table's rows. */
function wrongParts(t: TestMetrics, rows?: number, cols?: number): string {
  const wrong = t.confidently_wrong.slice(0, 24);
  const name = (c: number) => t.class_names?.[c] ?? String(c);
  if (wrong.length === 0) return '<p class="muted">None recorded.</p>';
  if (wrong.every((w) => w.pixels_b64 === undefined))
    return testRowsTable(
      'wrong',
      ['test row', 'true', 'predicted', 'p'],
      wrong.map((w) => ({
        cells: [w.index, name(w.label), name(w.predicted), Number(w.probability.toFixed(3))],
        ...(w.row ? { row: w.row } : {}),
      })),
    );
  return `<div class="digits" id="wrong">${wrong
    .map((w) =>
      digitFigure(
        w.pixels_b64 ?? '',
        `#${w.index}: true <b>${e(name(w.label))}</b> → ${e(name(w.predicted))}<br>p=${w.probability.toFixed(3)}`,
        `test image ${w.index}: true ${name(w.label)}, predicted ${name(w.predicted)}`,
        rows,
        cols,
      ),
    )
    .join('')}</div>`;
}

export const TRIAL_PANELS: readonly TrialPanel[] = [
  {
    id: 'cm',
    async parts({ result }, draw) {
      const t = result.test;
      if (!t || isRegressionTest(t)) return [];
      const K = t.confusion.length;
      const note =
        K > MAX_MATRIX_CLASSES
          ? `<p class="muted">The ${MAX_MATRIX_CLASSES} classes with the most test rows, of ${K}; the table lists every class.</p>`
          : '';
      return [
        `<div class="row"><div><h3>Confusion matrix</h3>${note}${await draw(confusionSpec(confusionCells(t.confusion, t.class_names)), 'cm', 'confusion matrix')}</div>
<div><h3>Per-class precision / recall / F1</h3>${classTable(t)}</div></div>`,
      ];
    },
  },
  {
    id: 'wrong',
    async parts({ result, rows, cols }) {
      const t = result.test;
      if (!t || isRegressionTest(t)) return [];
      const what = t.confidently_wrong.some((w) => w.pixels_b64 !== undefined) ? 'images' : 'rows';
      return [`<h3>Most confidently wrong test ${what}</h3>${wrongParts(t, rows, cols)}`];
    },
  },
  {
    id: 'fit',
    async parts({ result }, draw) {
      const t = result.test;
      if (!t || !isRegressionTest(t)) return [];
      const points = fitPoints(t);
      if (points.length === 0) return [];
      return [
        `<h3>Predicted vs actual, and residuals</h3><p class="muted">${points.length} test rows${points.length >= REGRESSION_POINTS ? ' (evenly spaced)' : ''}, in ${e(t.target)}’s own units: on the dashed diagonal a prediction is exact; residuals (actual − predicted) should scatter around 0 without a pattern.</p>${await draw(regressionFitSpec(points, t.target), 'fit', 'predicted vs actual and residuals')}`,
      ];
    },
  },
  {
    id: 'worst',
    async parts({ result }) {
      const t = result.test;
      if (!t || !isRegressionTest(t) || t.worst.length === 0) return [];
      return [
        `<h3>Largest errors</h3>${testRowsTable(
          'worst',
          ['test row', `actual ${t.target}`, 'predicted', 'error'],
          t.worst.map((w) => ({
            cells: [w.index, w.actual, w.predicted, w.predicted - w.actual],
            ...(w.row ? { row: w.row } : {}),
          })),
        )}`,
      ];
    },
  },
];

/** The parts of every sweep chart of `section`, in registry order. */
export async function sectionParts(section: ReportSection, v: SweepView, draw: Draw): Promise<string[]> {
  const out: string[] = [];
  for (const c of SWEEP_CHARTS) if (c.section === section) out.push(...(await c.parts(v, draw)));
  return out;
}

/** The parts of every trial panel, in registry order. */
export async function trialParts(t: TrialView, draw: Draw): Promise<string[]> {
  const out: string[] = [];
  for (const p of TRIAL_PANELS) out.push(...(await p.parts(t, draw)));
  return out;
}
