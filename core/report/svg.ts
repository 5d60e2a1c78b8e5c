/**
 * Vega-Lite specs to standalone SVG strings, at build time, with vega's headless View (renderer 'none').
 * Each spec shape is compiled and parsed once per process (see renderSvg).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT } from './charts.ts';

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

/** Vega-Lite → Vega → the parsed dataflow a View is built from. */
function compileSpec(spec: TopLevelSpec): ReturnType<typeof parse> {
  return parse(compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec);
}

function runtimeFor(shape: string): ReturnType<typeof parse> {
  const hit = runtimes.get(shape);
  if (hit) {
    runtimes.delete(shape);
    runtimes.set(shape, hit);
    return hit;
  }
  const runtime = compileSpec(JSON.parse(shape) as TopLevelSpec);
  runtimes.set(shape, runtime);
  for (const key of runtimes.keys()) {
    if (runtimes.size <= MAX_RUNTIMES) break;
    runtimes.delete(key);
  }
  return runtime;
}

/** A fresh View of a parsed dataflow, given its named data sets, drawn to SVG. */
async function draw(
  runtime: ReturnType<typeof parse>,
  data: readonly [string, unknown[]][],
): Promise<string> {
  const view = new View(runtime, { renderer: 'none' });
  try {
    for (const [name, values] of data) view.data(name, values);
    return await view.toSVG();
  } finally {
    view.finalize();
  }
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
    svg = await draw(runtimeFor(shape), data);
  } else svg = await draw(compileSpec(spec), []); // the reference: compiled afresh, data inline
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
