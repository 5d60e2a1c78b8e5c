/**
 * The dashboard's pages, as HTML from snapshots (live.ts): each page is a frame (layout.ts) around parts
 * that the server renders again and pushes when what they show changed. The charts and trial panels are
 * the report's (core/report/registry.ts), drawn by the caller's `draw`.
 */

import { canonicalJson } from '../canonical.ts';
import type { TrialConfig } from '../config.ts';
import { epochCurves } from '../report/analysis.ts';
import { badge } from '../report/blocks.ts';
import { epochCurvesSpec, STATE_COLORS } from '../report/charts.ts';
import { escapeHtml as e } from '../report/escape.ts';
import { formatDuration, formatMetricValue, formatUsd } from '../report/format.ts';
import { buildLeaderboard } from '../report/leaderboard.ts';
import {
  type Draw,
  type ReportSection,
  SWEEP_CHARTS,
  type SweepView,
  trialParts,
} from '../report/registry.ts';
import { leaderboardGrid, leaderboardToolbar } from '../report/table.ts';
import type { Leaderboard } from '../report/types.ts';
import type { TrialResult } from '../result.ts';
import { page, part } from './layout.ts';
import type { SweepListItem, SweepSnapshot, TrialSnapshot } from './live.ts';

export type Parts = Record<string, string>;

/** Where a chart goes until it is drawn (the server pushes it as soon as it is). */
const DRAWING = '<p class="muted">Drawing…</p>';

const enc = encodeURIComponent;
export const urls = {
  sweeps: () => '/',
  sweep: (id: string) => `/sweeps/${enc(id)}`,
  trial: (id: string, t: string) => `/sweeps/${enc(id)}/trials/${enc(t)}`,
  compare: (id: string, trials: readonly string[] = []) =>
    `/sweeps/${enc(id)}/compare${trials.length > 0 ? `?${trials.map((t) => `t=${enc(t)}`).join('&')}` : ''}`,
  download: (id: string, t: string, file: 'weights.safetensors' | 'model.onnx' | 'result.json') =>
    `${urls.trial(id, t)}/${file}`,
  report: (id: string) => `/sweeps/${enc(id)}/report.html`,
  /** A page's event stream; `has`: what the page was built with (the hub's parts token). */
  events: (path: string, has: string) =>
    `/events${path === '/' ? '' : path}${path.includes('?') ? '&' : '?'}v=${enc(has)}`,
};

const when = (iso: string | undefined) => (iso ? e(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) : '—');
const metricText = formatMetricValue;

function countBadges(counts: Partial<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(
      ([s, n]) =>
        `<span class="badge" style="background:${STATE_COLORS[s] ?? '#57606a'}">${e(s)} ${n}</span>`,
    )
    .join(' ');
}

// --- sweeps -----------------------------------------------------------------------------------------

export function sweepsPart(sweeps: readonly SweepListItem[]): string {
  if (sweeps.length === 0)
    return '<p class="muted">No sweeps in this store yet. Start one with <code>sweep run &lt;file&gt;</code>.</p>';
  const rows = sweeps.map((s) => {
    const terminal = Object.values(s.by_state).reduce((a, n) => a + (n ?? 0), 0);
    const counts = { ...s.by_state, ...(s.finished ? {} : { pending: Math.max(0, s.total - terminal) }) };
    return `<tr data-sweep="${e(s.sweep_id)}"><td><a href="${e(urls.sweep(s.sweep_id))}">${e(s.name)}</a><br><code>${e(s.sweep_id)}</code></td><td>${e(s.method)}</td><td>${countBadges(counts)}</td><td class="num">${terminal}/${s.total}</td><td class="num">${s.best ? `${e(s.best.metric)} ${metricText(s.best.metric, s.best.value)}` : '—'}</td><td class="num">${formatUsd(s.cost_usd)}</td><td>${when(s.submitted_at)}</td><td>${s.finished ? when(s.finished_at) : badge('running')}</td></tr>`;
  });
  return `<table id="sweeps"><thead><tr><th scope="col">sweep</th><th scope="col">method</th><th scope="col">trials by state</th><th scope="col" class="num">done</th><th scope="col" class="num">best</th><th scope="col" class="num">cost so far</th><th scope="col">started</th><th scope="col">finished</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function sweepsPage(where: string, parts: Parts, has: string): string {
  return page(
    { title: 'Sweeps', crumbs: [['Sweeps', '/']], events: urls.events('/', has) },
    `<h1>Sweeps</h1><p class="sub">In ${e(where)}; this page follows the store as sweeps start and finish.</p>${part('sweeps', parts.sweeps ?? '')}`,
  );
}

// --- one sweep --------------------------------------------------------------------------------------

const BAR_ORDER = ['completed', 'pruned', 'diverged', 'failed', 'skipped', 'running', 'queued'];

const SECTIONS: [ReportSection, string][] = [
  ['parameters', 'Parameters vs metric'],
  ['curves', 'Learning curves'],
  ['dynamics', 'Training dynamics'],
];

function summaryPart(s: SweepSnapshot, lb: Leaderboard): string {
  const total = s.state.total;
  // Finished states first, then running, queued last: the bar fills from the left.
  const bar = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => BAR_ORDER.indexOf(a) - BAR_ORDER.indexOf(b))
    .map(
      ([st, n]) =>
        `<span title="${e(st)}: ${n}" style="width:${((100 * n) / Math.max(1, total)).toFixed(2)}%;background:${STATE_COLORS[st] ?? '#57606a'}"></span>`,
    )
    .join('');
  const done = s.state.totals.terminal;
  const best = lb.best;
  const cards: [string, string][] = [
    ['trials done', `${done} / ${total}`],
    [`best ${s.report.metric.name}`, best ? metricText(s.report.metric.name, best.metric) : '—'],
    ['cost so far', formatUsd(s.state.totals.cost_usd)],
    ['compute so far', formatDuration(s.state.totals.compute_s)],
    ['started', when(s.state.submitted_at)],
    ['finished', s.state.finished ? when(s.state.finished_at) : 'running'],
  ];
  return `<div class="progress" role="img" aria-label="${e(
    Object.entries(s.counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', '),
  )}">${bar}</div>
<div class="badges">${countBadges(s.counts)}</div>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${e(k)}</div><div class="v">${v}</div></div>`).join('')}</div>
${best ? `<p>Best so far: <a href="${e(urls.trial(s.sweep_id, best.trial_id))}">${e(best.trial_id)}</a> · download <a href="${e(urls.download(s.sweep_id, best.trial_id, 'model.onnx'))}">ONNX</a>, <a href="${e(urls.download(s.sweep_id, best.trial_id, 'weights.safetensors'))}">safetensors</a></p>` : ''}`;
}

/** The leaderboard of a sweep as of its snapshot, with what its charts are computed from. */
export function sweepView(s: SweepSnapshot): SweepView {
  const lb = buildLeaderboard(s.report, s.results, { expectedTrials: s.state.total });
  return { sweep: s.report, results: s.results, lb };
}

/** The progress part of a sweep's page. */
export function sweepSummary(s: SweepSnapshot, v: SweepView): Parts {
  return { summary: summaryPart(s, v.lb) };
}

/** The leaderboard part of a sweep's page. */
export function sweepLeaderboard(s: SweepSnapshot, v: SweepView): Parts {
  const weights = (r: { trial_id: string; weights_key?: string }) =>
    r.weights_key ? urls.download(s.sweep_id, r.trial_id, 'weights.safetensors') : undefined;
  return {
    leaderboard: leaderboardGrid(v.lb, s.results, weights, { trialHref: (t) => urls.trial(s.sweep_id, t) }),
    'trial-ids': v.lb.rows.map((r) => `<option value="${e(r.trial_id)}">`).join(''),
  };
}

/** The charts of a sweep's page (every registry chart but the data set's), each as soon as it is drawn. */
export async function* sweepCharts(v: SweepView, draw: Draw): AsyncGenerator<Parts> {
  for (const c of SWEEP_CHARTS)
    if (c.section !== 'data') yield { [`chart-${c.id}`]: (await c.parts(v, draw)).join('\n') };
}

export function sweepPage(s: SweepSnapshot, parts: Parts, has: string): string {
  const ds = `${s.state.dataset.name}@${s.state.dataset.version}`;
  const sections = SECTIONS.map(
    ([sec, title]) =>
      `<section id="${sec}"><h2>${e(title)}</h2>${SWEEP_CHARTS.filter((c) => c.section === sec)
        .map((c) => part(`chart-${c.id}`, parts[`chart-${c.id}`] ?? DRAWING))
        .join('\n')}</section>`,
  ).join('\n');
  return page(
    {
      title: s.report.name,
      crumbs: [
        ['Sweeps', '/'],
        [s.report.name, urls.sweep(s.sweep_id)],
      ],
      events: urls.events(urls.sweep(s.sweep_id), has),
    },
    `<h1>${e(s.report.name)}</h1>
<p class="sub">Sweep <code>${e(s.sweep_id)}</code> · ${e(s.method)} · data set ${e(ds)} · ranked by <b>${e(s.report.metric.name)}</b> (${e(s.report.metric.goal)}) · <a href="${e(urls.report(s.sweep_id))}">static report</a></p>
<section id="progress"><h2>Progress</h2>${part('summary', parts.summary ?? '')}</section>
<section id="leaderboard"><h2>Leaderboard</h2><p class="muted">Click a header (or focus it and press Enter) to sort, type to filter.</p>
<form id="compare" class="toolbar" method="get" action="${e(urls.compare(s.sweep_id))}"><span>Compare 2–4 trials:</span>${[1, 2, 3, 4].map((i) => `<input name="t" list="trial-ids" size="16" placeholder="trial id" aria-label="trial ${i} to compare" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*"${i <= 2 ? ' required' : ''}>`).join('')}<button type="submit">Compare</button></form>
<datalist id="trial-ids" data-part="trial-ids">${parts['trial-ids'] ?? ''}</datalist>
${leaderboardToolbar(s.results.length)}
${part('leaderboard', parts.leaderboard ?? '')}
<p id="lb-more" class="muted" hidden><span></span><button type="button"></button></p></section>
${sections}`,
  );
}

// --- one trial --------------------------------------------------------------------------------------

function configTable(c: TrialConfig, highlight?: ReadonlySet<string>): string {
  return `<table class="kv">${Object.entries(c)
    .map(
      ([k, v]) =>
        `<tr${highlight?.has(k) ? ' class="diff"' : ''}><td>${e(k)}</td><td><code>${e(typeof v === 'string' ? v : canonicalJson(v))}</code></td></tr>`,
    )
    .join('')}</table>`;
}

/** A trial's state and epochs so far: its result's, else running once it has started, else queued. */
function trialNow(t: TrialSnapshot): { state: string; epochs: TrialResult['history'] } {
  const r = t.result;
  return {
    state: r?.state ?? (t.live || t.progress ? 'running' : 'queued'),
    epochs: r?.history ?? t.live?.history ?? [],
  };
}

function trialHead(t: TrialSnapshot): string {
  const r = t.result;
  const { state, epochs } = trialNow(t);
  const wall = epochs.reduce((s, x) => s + x.wall_s, 0);
  const rows: [string, string][] = [
    ['state', badge(state)],
    ...(r?.reason ? ([['reason', e(r.reason)]] as [string, string][]) : []),
    ['epochs run', `${epochs.length} of ${t.config.epochs}`],
    ...(epochs.at(-1)?.val_rmse !== undefined || r?.test?.task === 'regression'
      ? ([
          ['val RMSE', metricText('val_rmse', epochs.at(-1)?.val_rmse)],
          ['test RMSE', metricText('test_rmse', r?.test_rmse)],
          ['test R²', metricText('test_r2', r?.test_r2)],
        ] as [string, string][])
      : ([
          ['val accuracy', metricText('val_accuracy', epochs.at(-1)?.val_accuracy)],
          ['test accuracy', metricText('test_accuracy', r?.test_accuracy)],
        ] as [string, string][])),
    ['training time', formatDuration(wall)],
    ...(r?.eval_s !== undefined
      ? ([['test evaluation', formatDuration(r.eval_s)]] as [string, string][])
      : []),
    [
      'billed',
      r ? `${(r.billed_ms / 1000).toFixed(1)} s in ${r.invocations} invocation(s), ${r.memory_mb} MB` : '—',
    ],
    ['cost', r ? formatUsd(r.cost_usd) : '—'],
    ['started', when(r?.started_at ?? t.live?.started_at ?? t.progress?.started_at)],
    ['finished', when(r?.finished_at)],
  ];
  const dl = r?.weights_key
    ? `<p class="downloads">Download: <a href="${e(urls.download(t.sweep_id, t.trial_id, 'model.onnx'))}">ONNX</a> <a href="${e(urls.download(t.sweep_id, t.trial_id, 'weights.safetensors'))}">weights (safetensors)</a> <a href="${e(urls.download(t.sweep_id, t.trial_id, 'result.json'))}">result JSON</a></p>`
    : r
      ? `<p class="downloads">Download: <a href="${e(urls.download(t.sweep_id, t.trial_id, 'result.json'))}">result JSON</a> (no weights)</p>`
      : '';
  return `<table class="kv">${rows.map(([k, v]) => `<tr><td>${e(k)}</td><td>${v}</td></tr>`).join('')}</table>${dl}`;
}

function errorsPart(t: TrialSnapshot): string {
  if (t.errors.length === 0) return '<p class="muted">No failed attempts.</p>';
  return `<table id="errors"><thead><tr><th>when</th><th>error</th><th>message</th><th>worker</th></tr></thead><tbody>${t.errors
    .map(
      (x) =>
        `<tr><td>${e(x.at)}</td><td>${e(x.error)}</td><td>${e(x.message)}</td><td>${e(x.worker ?? '')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

async function curvesOf(trials: Pick<TrialResult, 'trial_id' | 'history'>[], draw: Draw): Promise<string> {
  const points = epochCurves(trials);
  if (points.length === 0) return '<p class="muted">No epoch finished yet.</p>';
  return draw(epochCurvesSpec(points), 'curves', 'accuracy and loss per epoch');
}

/** The quick parts of a trial's page: status and failed attempts. */
export function trialPageParts(t: TrialSnapshot): Parts {
  return { head: trialHead(t), errors: errorsPart(t) };
}

/** The charts and panels of a trial's page: its curves, then (once it has a result) its test-set panels. */
export async function* trialPageCharts(t: TrialSnapshot, draw: Draw): AsyncGenerator<Parts> {
  const history = t.result?.history ?? t.live?.history ?? [];
  yield { curves: await curvesOf([{ trial_id: t.trial_id, history }], draw) };
  const panels = t.result
    ? await trialParts({ result: t.result, ...(t.rows ? { rows: t.rows, cols: t.cols } : {}) }, draw)
    : [];
  yield {
    panels:
      panels.length > 0
        ? panels.join('\n')
        : '<p class="muted">Test-set results appear when the trial completes.</p>',
  };
}

export function trialPage(t: TrialSnapshot, parts: Parts, has: string): string {
  return page(
    {
      title: `${t.trial_id} — ${t.sweep_name}`,
      crumbs: [
        ['Sweeps', '/'],
        [t.sweep_name, urls.sweep(t.sweep_id)],
        [t.trial_id, urls.trial(t.sweep_id, t.trial_id)],
      ],
      events: urls.events(urls.trial(t.sweep_id, t.trial_id), has),
    },
    `<h1>Trial ${e(t.trial_id)}</h1><p class="sub">Trial ${t.index + 1} of sweep <a href="${e(urls.sweep(t.sweep_id))}">${e(t.sweep_name)}</a></p>
<div class="row"><section id="status"><h2>Status</h2>${part('head', parts.head ?? '')}</section>
<section id="config"><h2>Configuration</h2>${configTable(t.config)}</section></div>
<section id="curves"><h2>Curves per epoch</h2>${part('curves', parts.curves ?? DRAWING)}</section>
<section id="test"><h2>Test set</h2>${part('panels', parts.panels ?? DRAWING)}</section>
<section id="attempts"><h2>Failed attempts</h2>${part('errors', parts.errors ?? '')}</section>`,
  );
}

// --- compare ----------------------------------------------------------------------------------------

/** A head row naming each compared trial (linked), after `corner`. */
const trialColumns = (corner: string, trials: readonly TrialSnapshot[]) =>
  `<thead><tr><th scope="col">${e(corner)}</th>${trials
    .map(
      (t) => `<th scope="col"><a href="${e(urls.trial(t.sweep_id, t.trial_id))}">${e(t.trial_id)}</a></th>`,
    )
    .join('')}</tr></thead>`;

/** The compared trials' progress and results so far, side by side (the part that changes while they run). */
export function compareParts(trials: readonly TrialSnapshot[]): Parts {
  const now = trials.map(trialNow);
  const rows: [string, string[]][] = [
    ['state', now.map((n) => badge(n.state))],
    ['epochs run', now.map((n, i) => `${n.epochs.length} of ${trials[i]!.config.epochs}`)],
    ['val accuracy', now.map((n) => metricText('val_accuracy', n.epochs.at(-1)?.val_accuracy))],
    ['val loss', now.map((n) => metricText('val_loss', n.epochs.at(-1)?.val_loss))],
    ['test accuracy', trials.map((t) => metricText('test_accuracy', t.result?.test_accuracy))],
    ['cost', trials.map((t) => (t.result ? formatUsd(t.result.cost_usd) : '—'))],
  ];
  const body = rows
    .map(
      ([label, cells]) =>
        `<tr><th scope="row">${e(label)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`,
    )
    .join('');
  return {
    status: `<table id="compare-status">${trialColumns('trial', trials)}<tbody>${body}</tbody></table>`,
  };
}

/** The compared trials' curves per epoch, overlaid. */
export async function* compareCharts(trials: readonly TrialSnapshot[], draw: Draw): AsyncGenerator<Parts> {
  const now = trials.map(trialNow);
  yield {
    curves: await curvesOf(
      trials.map((t, i) => ({ trial_id: t.trial_id, history: now[i]!.epochs })),
      draw,
    ),
  };
}

export function comparePage(trials: readonly TrialSnapshot[], parts: Parts, has: string): string {
  const first = trials[0]!;
  const keysOf = Object.keys(first.config) as (keyof TrialConfig)[];
  const differ = new Set(
    keysOf.filter((k) => trials.some((t) => canonicalJson(t.config[k]) !== canonicalJson(first.config[k]))),
  );
  const rows = keysOf
    .map(
      (k) =>
        `<tr${differ.has(k) ? ' class="diff"' : ''}><th scope="row">${e(k)}</th>${trials.map((t) => `<td><code>${e(canonicalJson(t.config[k]))}</code></td>`).join('')}</tr>`,
    )
    .join('');
  const path = urls.compare(
    first.sweep_id,
    trials.map((t) => t.trial_id),
  );
  return page(
    {
      title: `Compare ${trials.length} trials`,
      crumbs: [
        ['Sweeps', '/'],
        [first.sweep_name, urls.sweep(first.sweep_id)],
        ['compare', path],
      ],
      events: urls.events(path, has),
    },
    `<h1>Compare ${trials.length} trials</h1><p class="sub">Differences are highlighted (${differ.size} of ${keysOf.length} settings differ).</p>
<section id="status"><h2>Progress and results</h2>${part('status', parts.status ?? '')}</section>
<section id="configs"><h2>Configurations</h2><table id="compare-configs">${trialColumns('setting', trials)}<tbody>${rows}</tbody></table></section>
<section id="curves"><h2>Curves per epoch, overlaid</h2>${part('curves', parts.curves ?? DRAWING)}</section>`,
  );
}
