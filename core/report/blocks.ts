/** HTML pieces shared by the report (html.ts), its chart registry (registry.ts) and the dashboard. */
import type { TestMetrics } from '../result.ts';
import type { Importance } from './analysis.ts';
import { STATE_COLORS } from './charts.ts';
import { escapeHtml as e } from './escape.ts';
import { formatUnits } from './format.ts';
import { digitDataUri } from './png.ts';
import type { TablePreview } from './types.ts';

export const pct = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(d)}%`;
export const fix = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d);
/** A value in a data set's own units (format.ts `formatUnits`). */
export const num = formatUnits;

export function badge(state: string): string {
  return `<span class="badge state-${e(state)}" style="background:${STATE_COLORS[state] ?? '#57606a'}">${e(state)}</span>`;
}

export function numCell(v: number | null, text: string): string {
  return `<td class="num" data-v="${v === null || !Number.isFinite(v) ? '' : v}">${e(text)}</td>`;
}

export function importanceTable(imp: readonly Importance[]): string {
  return `<table><thead><tr><th>parameter</th><th class="num">η²</th><th class="num">ε²</th><th class="num">groups</th><th class="num">trials</th><th>grouping</th></tr></thead><tbody>${imp
    .map(
      (i) =>
        `<tr><td>${e(i.param)}</td><td class="num">${i.eta2.toFixed(3)}</td><td class="num">${i.epsilon2.toFixed(3)}</td><td class="num">${i.groups}</td><td class="num">${i.n}</td><td>${i.bucketed ? 'quartiles' : 'distinct values'}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

export function classTable(t: TestMetrics): string {
  const row = (name: string, c: { precision: number; recall: number; f1: number; support: number }) =>
    `<tr><td>${e(name)}</td><td class="num">${fix(c.precision, 3)}</td><td class="num">${fix(c.recall, 3)}</td><td class="num">${fix(c.f1, 3)}</td><td class="num">${c.support}</td></tr>`;
  const rep = t.report;
  return `<table id="per-class"><thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th></tr></thead><tbody>${rep.perClass
    .map((c, i) => row(t.class_names?.[i] ?? String(i), c))
    .join(
      '',
    )}</tbody><tfoot>${row('macro avg', rep.macro)}${row('weighted avg', rep.weighted)}<tr><td>accuracy</td><td></td><td></td><td class="num">${fix(rep.accuracy, 3)}</td><td class="num">${rep.weighted.support}</td></tr></tfoot></table>`;
}

export function digitFigure(
  pixelsB64: string,
  caption: string,
  alt: string,
  rows?: number,
  cols?: number,
): string {
  let src: string;
  try {
    src = digitDataUri(pixelsB64, rows, cols);
  } catch {
    return `<figure><div class="muted">(bad pixels)</div><figcaption>${caption}</figcaption></figure>`;
  }
  return `<figure><img src="${src}" alt="${e(alt)}"><figcaption>${caption}</figcaption></figure>`;
}

export function chartBlock(svg: string): string {
  return `<div class="chart">${svg}</div>`;
}

/** A cell of a table of test rows: a number (right-aligned) or text. */
export type RowCell = number | string | null | undefined;

/**
 * Test rows as a table: `heads` then the rows' own columns (a table data set's values in the source's terms,
 * `row` of each), one line per row. Columns that no row has are left out.
 */
export function testRowsTable(
  id: string,
  heads: readonly string[],
  rows: readonly { cells: readonly RowCell[]; row?: Record<string, RowCell> }[],
): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.row ?? {})))];
  const cell = (v: RowCell) =>
    typeof v === 'number'
      ? `<td class="num">${e(num(v))}</td>`
      : `<td>${v === null || v === undefined ? '<span class="muted">—</span>' : e(v)}</td>`;
  const th = [...heads, ...columns].map(
    (h, i) => `<th${i < heads.length ? ' class="num"' : ''}>${e(h)}</th>`,
  );
  const body = rows
    .map((r) => `<tr>${[...r.cells, ...columns.map((c) => r.row?.[c])].map(cell).join('')}</tr>`)
    .join('');
  return `<div class="scroll"><table id="${e(id)}"><thead><tr>${th.join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A table data set's columns as prepared (and the ones dropped, with why). */
export function columnsTable(t: TablePreview): string {
  const missing = (m: { train: number; test: number }) =>
    m.train + m.test === 0 ? '' : `${m.train.toLocaleString('en-US')} / ${m.test.toLocaleString('en-US')}`;
  const rows = t.columns.map(
    (c) =>
      `<tr><td>${e(c.column)}</td><td>${c.type}</td><td>${e(c.summary)}</td><td class="num">${missing(c.missing)}</td></tr>`,
  );
  const dropped = t.dropped.map(
    (d) => `<tr class="muted"><td>${e(d.column)}</td><td>dropped</td><td>${e(d.reason)}</td><td></td></tr>`,
  );
  return `<table id="columns"><thead><tr><th>column</th><th>type</th><th>as prepared</th><th class="num">missing (train / test)</th></tr></thead><tbody>${[...rows, ...dropped].join('')}</tbody></table>`;
}
