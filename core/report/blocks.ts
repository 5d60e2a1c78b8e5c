/** HTML pieces shared by the report (html.ts), its chart registry (registry.ts) and the dashboard. */
import type { TestMetrics } from '../result.ts';
import type { Importance } from './analysis.ts';
import { STATE_COLORS } from './charts.ts';
import { escapeHtml as e } from './escape.ts';
import { digitDataUri } from './png.ts';

export const pct = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(d)}%`;
export const fix = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d);
/** A value in a data set's own units: 4 significant digits, thousands separated ("1,234", "0.004512"). */
export const num = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '—'
    : Number(x.toPrecision(4)).toLocaleString('en-US', { maximumSignificantDigits: 4 });

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
    .map((c, i) => row(String(i), c))
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
