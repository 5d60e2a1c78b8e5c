/**
 * The report's charts: Vega-Lite specs built from the rows in analysis.ts, compiled with vega-lite's
 * compile() and rendered to SVG strings at build time by vega's headless View (renderer 'none').
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type {
  ConfusionCell,
  CurvePoint,
  Importance,
  LrPoint,
  NormPoint,
  ParallelDimension,
  ParallelPoint,
} from './analysis.ts';
import type { DatasetPreview } from './types.ts';

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

const CONFIG = {
  font: FONT,
  background: '#ffffff',
  view: { stroke: '#d0d7de' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    gridColor: '#eaeef2',
    domainColor: '#8c959f',
  },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start' },
} as const;

/**
 * A spec's shape: the spec with every inline `data: { values }` replaced by a named source (`d0`, `d1`, …
 * in walk order), and the values taken out. Two specs with the same shape compile to the same Vega
 * dataflow, so it is compiled and parsed once and each render only hands its View the data.
 */
function splitData(spec: TopLevelSpec): { shape: string; data: [string, unknown[]][] } {
  const data: [string, unknown[]][] = [];
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const values =
        k === 'data' && x !== null && typeof x === 'object' ? (x as { values?: unknown }).values : undefined;
      if (Array.isArray(values)) {
        const name = `d${data.length}`;
        data.push([name, values]);
        out[k] = { name };
      } else out[k] = walk(x);
    }
    return out;
  };
  return { shape: JSON.stringify(walk(spec)), data };
}

/** Parsed Vega dataflows by spec shape, least recently used first (a report has 7 charts). */
const runtimes = new Map<string, ReturnType<typeof parse>>();
const MAX_RUNTIMES = 64;

/** `reuse: false` compiles every chart afresh (the reference for tests); `clear()` drops the cache. */
export const chartCache = {
  reuse: true,
  /** Spec shapes compiled so far. */
  get size(): number {
    return runtimes.size;
  },
  clear(): void {
    runtimes.clear();
  },
};

function runtimeFor(shape: string): ReturnType<typeof parse> {
  const hit = runtimes.get(shape);
  if (hit) {
    runtimes.delete(shape);
    runtimes.set(shape, hit);
    return hit;
  }
  const spec = JSON.parse(shape) as TopLevelSpec;
  const runtime = parse(
    compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec,
  );
  runtimes.set(shape, runtime);
  for (const key of runtimes.keys()) {
    if (runtimes.size <= MAX_RUNTIMES) break;
    runtimes.delete(key);
  }
  return runtime;
}

/**
 * Render a Vega-Lite spec to a standalone SVG string; ids are prefixed to stay unique in a page. Compiling
 * and parsing a spec costs more than drawing it, so each spec shape is compiled and parsed once per
 * process and a fresh View of it gets the data (the same SVG as from the spec with its inline data;
 * tests/report/html.test.ts checks it).
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string, label: string): Promise<string> {
  let svg: string;
  if (chartCache.reuse) {
    const { shape, data } = splitData(spec);
    const view = new View(runtimeFor(shape), { renderer: 'none' });
    try {
      for (const [name, values] of data) view.data(name, values);
      svg = await view.toSVG();
    } finally {
      view.finalize();
    }
  } else svg = await renderSvgFresh(spec);
  // Vega numbers gradients (and clips) with a process-wide counter: renumber them per chart, so ids stay
  // unique in the page and the same data always gives the same bytes.
  const ids = new Map<string, string>();
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => {
      const renamed = `${idPrefix}-${id.replace(/_\d+$/, '')}-${ids.size}`;
      ids.set(id, renamed);
      return `id="${renamed}"`;
    })
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => {
      const renamed = ids.get(id);
      return renamed ? `url(#${renamed})` : m;
    })
    .replace(
      /^<svg /,
      `<svg role="img" aria-label="${label.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}" data-chart="${idPrefix}" `,
    );
}

/** The uncached path (compile, parse, a fresh View): the reference the cached one is tested against. */
async function renderSvgFresh(spec: TopLevelSpec): Promise<string> {
  const vg = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

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

export function learningCurveSpec(points: readonly CurvePoint[]): TopLevelSpec {
  const panel = (series: 'val_accuracy' | 'val_loss', title: string) => ({
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
    hconcat: [panel('val_accuracy', 'Validation accuracy'), panel('val_loss', 'Validation loss')],
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
  return {
    width: { step },
    height: { step },
    data: { values: cells as unknown as Record<string, unknown>[] },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'predicted', axis: { labelAngle: 0, orient: 'top' } },
      y: { field: 'actual', type: 'ordinal', title: 'true' },
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
  const rows: { digit: number; split: string; count: number; share: number }[] = [];
  for (const split of ['train', 'test'] as const) {
    const h = d.class_histogram[split];
    const total = h.reduce((s, x) => s + x, 0);
    h.forEach((count, digit) => {
      rows.push({ digit, split, count, share: total > 0 ? count / total : 0 });
    });
  }
  return {
    width: 420,
    height: 200,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'digit', type: 'ordinal', title: 'class', axis: { labelAngle: 0 } },
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
