/**
 * The report's charts: Vega-Lite specs built from the rows in analysis.ts (rendered to SVG by svg.ts).
 * Data travels in `data.values`; a spec's structure depends only on what the chart shows, not on which
 * trials it shows, so renders of one sweep reuse the compiled spec.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  type ConfusionCell,
  CURVE_SERIES,
  type CurvePoint,
  type CurveSeries,
  type EpochPoint,
  type FitPoint,
  type Importance,
  type LrPoint,
  type NormPoint,
  type ParallelDimension,
  type ParallelPoint,
} from './analysis.ts';
import type { DatasetPreview, ReportTask } from './types.ts';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Badge / mark colours per trial state (shared with the HTML badges). */
export const STATE_COLORS: Record<string, string> = {
  completed: '#1a7f37',
  pruned: '#9a6700',
  diverged: '#8250df',
  failed: '#cf222e',
  skipped: '#6e7781',
  running: '#0969da',
  queued: '#6e7781',
  pending: '#6e7781',
};

export function parallelSpec(
  dims: readonly ParallelDimension[],
  points: readonly ParallelPoint[],
  goal: 'maximize' | 'minimize',
  metricName: string,
): TopLevelSpec {
  const order = dims.map((d) => d.name);
  const labels = dims.flatMap((d) =>
    d.ticks.map((t) => ({
      dim: d.name,
      norm: t.norm,
      label: t.norm === 1 && d.kind === 'log' ? `${t.label} (log)` : t.label,
    })),
  );
  // Worst first so the best lines are drawn on top.
  const data = [...points].sort((a, b) => b.rank - a.rank);
  const x = {
    field: 'dim',
    type: 'nominal' as const,
    sort: order,
    scale: { domain: order },
    axis: {
      title: null,
      labelAngle: 0,
      orient: 'top' as const,
      domain: false,
      ticks: false,
      labelFontWeight: 600,
    },
  };
  const y = { field: 'norm', type: 'quantitative' as const, scale: { domain: [-0.04, 1.04] }, axis: null };
  return {
    width: Math.max(480, 130 * dims.length),
    height: 300,
    layer: [
      {
        data: { values: dims.map((d) => ({ dim: d.name })) },
        mark: { type: 'rule', color: '#8c959f', strokeWidth: 1 },
        encoding: { x },
      },
      {
        data: { values: data },
        mark: { type: 'line', strokeWidth: 1.2, opacity: data.length > 200 ? 0.35 : 0.7 },
        encoding: {
          x,
          y,
          detail: { field: 'trial_id', type: 'nominal' },
          color: {
            field: 'metric',
            type: 'quantitative',
            title: metricName,
            scale: { scheme: 'viridis', reverse: goal === 'maximize' },
          },
        },
      },
      // Labels twice: a white halo under the text keeps them readable over the lines.
      {
        data: { values: labels },
        mark: {
          type: 'text',
          align: 'left',
          dx: 4,
          fontSize: 10,
          stroke: '#ffffff',
          strokeWidth: 3,
          strokeOpacity: 0.85,
        },
        encoding: { x, y, text: { field: 'label' } },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#24292f' },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
    view: { stroke: null },
  } as TopLevelSpec;
}

export function lrScatterSpec(points: readonly LrPoint[], metricName: string): TopLevelSpec {
  const states = [...new Set(points.map((p) => p.state))].sort();
  const optimizers = [...new Set(points.map((p) => p.optimizer))];
  return {
    width: 480,
    height: 280,
    data: { values: points as unknown as Record<string, unknown>[] },
    mark: { type: 'point', filled: true, size: 40, opacity: 0.75 },
    encoding: {
      x: {
        field: 'learning_rate',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'learning rate (log)',
      },
      y: { field: 'metric', type: 'quantitative', scale: { zero: false }, title: metricName },
      color: {
        field: 'state',
        type: 'nominal',
        scale: { domain: states, range: states.map((s) => STATE_COLORS[s] ?? '#57606a') },
      },
      ...(optimizers.length > 1 ? { shape: { field: 'optimizer', type: 'nominal' } } : {}),
    },
  } as TopLevelSpec;
}

const CURVE_TITLES: Record<CurveSeries, string> = {
  val_accuracy: 'Validation accuracy',
  val_rmse: 'Validation RMSE (target units)',
  val_loss: 'Validation loss',
};

export function learningCurveSpec(
  points: readonly CurvePoint[],
  task: ReportTask = 'classification',
): TopLevelSpec {
  const panel = (series: CurveSeries, title: string) => ({
    width: 380,
    height: 240,
    title,
    transform: [{ filter: { field: 'series', equal: series } }],
    layer: [
      {
        transform: [{ filter: { field: 'highlight', equal: false } }],
        mark: { type: 'line', color: '#c9ced4', strokeWidth: 1 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: series },
          detail: { field: 'trial_id', type: 'nominal' },
        },
      },
      {
        transform: [
          { filter: { field: 'highlight', equal: true } },
          { calculate: "'#' + datum.rank + ' ' + datum.trial_id", as: 'trial' },
        ],
        mark: { type: 'line', point: { size: 20 }, strokeWidth: 2 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          color: { field: 'trial', type: 'nominal', sort: { field: 'rank' }, scale: { scheme: 'tableau10' } },
        },
      },
    ],
  });
  return {
    data: { values: points as unknown as Record<string, unknown>[] },
    hconcat: CURVE_SERIES[task].map((s) => panel(s, CURVE_TITLES[s])),
  } as TopLevelSpec;
}

export function importanceSpec(imp: readonly Importance[]): TopLevelSpec {
  // The bar order (η², highest first) travels in the data, so the spec's shape does not depend on it.
  const y = {
    field: 'param',
    type: 'nominal' as const,
    sort: { field: 'order', op: 'min' as const },
    title: null,
  };
  return {
    width: 420,
    height: { step: 24 },
    data: { values: imp.map((i, order) => ({ ...i, order })) },
    layer: [
      {
        mark: { type: 'bar', color: '#0969da' },
        encoding: {
          y,
          x: {
            field: 'eta2',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'η² (share of metric variance explained)',
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: {
          y: { ...y, title: undefined },
          x: { field: 'eta2', type: 'quantitative' },
          text: { field: 'eta2', type: 'quantitative', format: '.2f' },
        },
      },
    ],
  } as TopLevelSpec;
}

export function confusionSpec(cells: readonly ConfusionCell[]): TopLevelSpec {
  const classes = Math.round(Math.sqrt(cells.length));
  const step = classes <= 10 ? 30 : Math.max(12, Math.floor(320 / classes));
  // Classes by name, in class-id order.
  const longest = Math.max(0, ...cells.map((c) => c.predicted_label.length));
  return {
    width: { step },
    height: { step },
    data: { values: cells as unknown as Record<string, unknown>[] },
    encoding: {
      x: {
        field: 'predicted_label',
        type: 'ordinal',
        sort: { field: 'predicted', op: 'min' },
        title: 'predicted',
        axis: { labelAngle: longest > 3 && classes > 4 ? -45 : 0, orient: 'top', labelLimit: 120 },
      },
      y: {
        field: 'actual_label',
        type: 'ordinal',
        sort: { field: 'actual', op: 'min' },
        title: 'true',
        axis: { labelLimit: 120 },
      },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#e1e5ea', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            // A power scale so that 1% confusions are visible next to a 98% diagonal.
            scale: {
              range: ['#ffffff', '#08519c'],
              interpolate: 'rgb',
              domain: [0, 1],
              type: 'pow',
              exponent: 0.35,
            },
            legend: { values: [0, 0.01, 0.1, 0.5, 1], format: '.0%' },
            title: 'row share',
          },
        },
      },
      {
        mark: { type: 'text', fontSize: classes <= 10 ? 10 : 8 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.rate > 0.5', value: '#ffffff' }, value: '#24292f' },
        },
      },
    ],
  } as TopLevelSpec;
}

export function histogramSpec(d: DatasetPreview): TopLevelSpec {
  const rows: { digit: number; name: string; split: string; count: number; share: number }[] = [];
  for (const split of ['train', 'test'] as const) {
    const h = d.class_histogram[split];
    const total = h.reduce((s, x) => s + x, 0);
    h.forEach((count, digit) => {
      const name = d.table?.classes?.[digit] ?? String(digit);
      rows.push({ digit, name, split, count, share: total > 0 ? count / total : 0 });
    });
  }
  return {
    width: 420,
    height: 200,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'name',
        type: 'ordinal',
        sort: { field: 'digit', op: 'min' },
        title: 'class',
        axis: { labelAngle: rows.some((r) => r.name.length > 3) ? -45 : 0, labelLimit: 120 },
      },
      xOffset: { field: 'split', sort: ['train', 'test'] },
      y: { field: 'share', type: 'quantitative', axis: { format: '.0%' }, title: 'share of split' },
      color: {
        field: 'split',
        type: 'nominal',
        sort: ['train', 'test'],
        scale: { range: ['#0969da', '#bf8700'] },
      },
    },
  } as TopLevelSpec;
}

export function dynamicsSpec(points: readonly NormPoint[]): TopLevelSpec {
  // One row per trial (in the order given: best first) and one column per kind; the rows are facets, so
  // the spec's shape does not depend on which trials are shown.
  const trials = [...new Set(points.map((p) => p.trial))];
  const rank = new Map(trials.map((t, i) => [t, i]));
  const column = (kind: NormPoint['kind']) => ({
    transform: [{ filter: { field: 'kind', equal: kind } }],
    facet: {
      row: {
        field: 'trial',
        type: 'nominal',
        sort: { field: 'order', op: 'min' },
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelFontSize: 13,
          labelFontWeight: 600,
          labelExpr: `datum.value + ' — ${kind}'`,
          labelPadding: 4,
        },
      },
    },
    spec: {
      width: 300,
      height: 150,
      mark: { type: 'line', point: { size: 16 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: {
          field: 'value',
          type: 'quantitative',
          scale: kind === 'gradient norm' ? { type: 'log' } : { zero: false },
          title: kind === 'gradient norm' ? '‖∇W‖ (log)' : '‖W‖',
        },
        color: { field: 'layer', type: 'nominal', scale: { scheme: 'category10' } },
      },
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
  });
  return {
    data: { values: points.map((p) => ({ ...p, order: rank.get(p.trial) ?? 0 })) },
    hconcat: [column('weight norm'), column('gradient norm')],
    spacing: 16,
  } as TopLevelSpec;
}

/** Accuracy and loss per epoch, one colour per trial, solid = validation, dashed = training. */
export function epochCurvesSpec(points: readonly EpochPoint[]): TopLevelSpec {
  const panel = (metric: EpochPoint['metric'], title: string) => ({
    width: 380,
    height: 240,
    title,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: { size: 24 }, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: metric },
      color: { field: 'trial', type: 'nominal', scale: { scheme: 'tableau10' } },
      strokeDash: { field: 'split', type: 'nominal', sort: ['val', 'train'], title: 'split' },
      detail: { field: 'split', type: 'nominal' },
    },
  });
  return {
    data: { values: points as unknown as Record<string, unknown>[] },
    hconcat: [panel('accuracy', 'Accuracy'), panel('loss', 'Loss')],
  } as TopLevelSpec;
}

/**
 * A regression's test rows: predicted against actual (the diagonal is a perfect fit) and the residual
 * (actual − predicted) against the prediction (a pattern there is what the net missed), in the target's units.
 */
export function regressionFitSpec(points: readonly FitPoint[], target: string): TopLevelSpec {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.actual, p.predicted);
    hi = Math.max(hi, p.actual, p.predicted);
  }
  const diagonal = Number.isFinite(lo) ? [{ v: lo }, { v: hi }] : [];
  const dot = { type: 'point', filled: true, size: 22, opacity: 0.6, color: '#0969da' } as const;
  const tooltip = [
    { field: 'index', type: 'quantitative', title: 'test row' },
    { field: 'actual', type: 'quantitative', format: '.4~g' },
    { field: 'predicted', type: 'quantitative', format: '.4~g' },
  ];
  return {
    hconcat: [
      {
        width: 320,
        height: 300,
        title: 'Predicted vs actual',
        layer: [
          {
            data: { values: diagonal },
            mark: { type: 'line', color: '#8c959f', strokeDash: [4, 4] },
            encoding: {
              x: { field: 'v', type: 'quantitative' },
              y: { field: 'v', type: 'quantitative' },
            },
          },
          {
            data: { values: points as unknown as Record<string, unknown>[] },
            mark: dot,
            encoding: {
              x: { field: 'actual', type: 'quantitative', scale: { zero: false }, title: `actual ${target}` },
              y: {
                field: 'predicted',
                type: 'quantitative',
                scale: { zero: false },
                title: `predicted ${target}`,
              },
              tooltip,
            },
          },
        ],
      },
      {
        width: 320,
        height: 300,
        title: 'Residuals',
        layer: [
          {
            data: { values: [{ zero: 0 }] },
            mark: { type: 'rule', color: '#8c959f', strokeDash: [4, 4] },
            encoding: { y: { field: 'zero', type: 'quantitative' } },
          },
          {
            data: { values: points as unknown as Record<string, unknown>[] },
            mark: dot,
            encoding: {
              x: {
                field: 'predicted',
                type: 'quantitative',
                scale: { zero: false },
                title: `predicted ${target}`,
              },
              y: { field: 'residual', type: 'quantitative', title: 'actual − predicted' },
              tooltip,
            },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
