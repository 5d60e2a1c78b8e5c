/** The HTML comparison report: one self-contained file (inline CSS, inline SVG charts, a little inline JS). */
import { isRegressionTest, type TrialResult } from '../result.ts';
import { speedUp, stateCounts } from './analysis.ts';
import { badge, chartBlock, fix, num, pct } from './blocks.ts';
import { STATE_COLORS } from './charts.ts';
import { CLIENT_JS } from './client.ts';
import { escapeHtml as e } from './escape.ts';
import { formatDuration, formatMetricValue, formatUsd } from './format.ts';
import { buildLeaderboard } from './leaderboard.ts';
import { type Draw, type ReportSection, type SweepView, sectionParts, trialParts } from './registry.ts';
import { renderSvg } from './svg.ts';
import { leaderboardTable } from './table.ts';
import type { DatasetPreview, Leaderboard, ReportSweep } from './types.ts';

export interface RenderReportInput {
  sweep: ReportSweep;
  results: readonly TrialResult[];
  dataset?: DatasetPreview;
  /** Link to a trial's weights; default `trials/<trial>/weights.safetensors` when the trial wrote weights. */
  weightsHref?: (r: TrialResult) => string | undefined;
  /** Trials the sweep expands to (shows the not-yet-finished ones as `pending`). */
  expectedTrials?: number;
}

export const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--zebra:#f6f8fa;--accent:#0969da;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:40px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:15px;margin:24px 0 8px}
.sub{color:var(--muted);margin:0 0 16px}
nav.toc{background:var(--zebra);border:1px solid var(--border);border-radius:8px;padding:10px 16px;margin:16px 0}
nav.toc ol{margin:4px 0;padding-left:20px;columns:2}nav.toc a{color:var(--accent);text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:12px 0}
.card{border:1px solid var(--border);border-radius:8px;padding:10px 14px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}.card .v{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.badges .badge{margin:0 6px 6px 0;font-size:13px}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
#lb td,#lb th{white-space:nowrap;padding:4px 8px}
thead th{background:#eef1f4;position:sticky;top:0;z-index:1;white-space:nowrap}
tbody tr:nth-child(even){background:var(--zebra)}
td.num,th.num{text-align:right}
th[data-type]{cursor:pointer;user-select:none}th[data-type]:hover{background:#e2e7ec}
th[aria-sort=ascending]::after{content:" \\25B2";font-size:10px}th[aria-sort=descending]::after{content:" \\25BC";font-size:10px}
.scroll{max-height:640px;overflow:auto;border:1px solid var(--border);border-radius:6px}
.scroll table{width:100%}
.toolbar{display:flex;gap:12px;align-items:center;margin:8px 0}
.toolbar input{font:inherit;padding:5px 10px;border:1px solid var(--border);border-radius:6px;min-width:280px}
.muted{color:var(--muted)}
.chart{margin:8px 0 16px;overflow-x:auto}.chart svg{max-width:100%;height:auto}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.digits{display:flex;flex-wrap:wrap;gap:10px}
.digits figure{margin:0;text-align:center;font-size:11px;color:var(--muted)}
.digits img{width:56px;height:56px;image-rendering:pixelated;border:1px solid var(--border);display:block;margin:0 auto 2px}
.digits.small img{width:42px;height:42px}
code{font-size:12px;background:var(--zebra);padding:1px 4px;border-radius:4px}
a{color:var(--accent)}
footer{margin-top:48px;color:var(--muted);font-size:12px}
`;

function defaultWeightsHref(r: TrialResult): string | undefined {
  return r.weights_key ? `trials/${encodeURIComponent(r.trial_id)}/weights.safetensors` : undefined;
}

function summarySection(lb: Leaderboard): string {
  const su = speedUp(lb);
  const metric = lb.sweep.metric;
  const best = lb.best;
  const badges = stateCounts(lb)
    .map(
      ([s, n]) =>
        `<span class="badge" style="background:${STATE_COLORS[s] ?? '#57606a'}">${e(s)} ${n}</span>`,
    )
    .join('');
  const cards: [string, string][] = [
    ['trials', String(lb.rows.length)],
    [`best ${metric.name}`, formatMetricValue(metric.name, best?.metric)],
    ['total compute', formatDuration(lb.total_compute_s)],
    ['wall time', formatDuration(lb.wall_s)],
    ['speed-up', su === null ? '—' : `${su.toFixed(1)}×`],
    ['total cost', formatUsd(lb.total_cost_usd)],
  ];
  const failures = lb.rows.filter(
    (r) => r.state === 'failed' || r.state === 'diverged' || r.state === 'skipped',
  );
  const pruned = lb.rows.filter((r) => r.state === 'pruned');
  const MAX = 200;
  const failTable =
    failures.length === 0
      ? '<p class="muted">No failed, diverged or skipped trials.</p>'
      : `<div class="scroll" style="max-height:320px"><table id="failures"><thead><tr><th>trial</th><th>state</th><th>reason</th></tr></thead><tbody>${failures
          .slice(0, MAX)
          .map(
            (r) =>
              `<tr><td>${e(r.trial_id)}</td><td>${badge(r.state)}</td><td>${e(r.reason ?? '(no reason given)')}</td></tr>`,
          )
          .join(
            '',
          )}</tbody></table></div>${failures.length > MAX ? `<p class="muted">… and ${failures.length - MAX} more.</p>` : ''}`;
  const prunedNote =
    pruned.length > 0
      ? `<details><summary>${pruned.length} pruned trial${pruned.length === 1 ? '' : 's'}</summary><table><tbody>${pruned
          .slice(0, MAX)
          .map(
            (r) =>
              `<tr><td>${e(r.trial_id)}</td><td class="num">${r.epochs_run} ep</td><td>${e(r.reason ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table></details>`
      : '';
  return `<section id="summary"><h2>Sweep summary</h2>
<div class="badges">${badges}</div>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`).join('')}</div>
<p class="muted">Speed-up = total compute (sum of the trials' training wall times) / sweep wall time: how much faster than running the trials one after another.${best ? ` Best trial: <b>${e(best.trial_id)}</b>.` : ''}</p>
<h3>Failures</h3>${failTable}${prunedNote}</section>`;
}

export async function renderReport(input: RenderReportInput): Promise<string> {
  const { sweep, results, dataset } = input;
  const lb = buildLeaderboard(
    sweep,
    results,
    input.expectedTrials !== undefined ? { expectedTrials: input.expectedTrials } : {},
  );
  const href = input.weightsHref ?? defaultWeightsHref;
  const metric = sweep.metric;
  const byId = new Map(results.map((r) => [r.trial_id, r]));

  const view: SweepView = { sweep, results, lb, ...(dataset ? { dataset } : {}) };
  const draw: Draw = async (spec, id, label) => chartBlock(await renderSvg(spec, id, label));
  const section = async (s: ReportSection) => (await sectionParts(s, view, draw)).join('\n');
  const paramsHtml = await section('parameters');
  const curvesHtml = await section('curves');
  const dynHtml = await section('dynamics');
  const dataHtml = dataset
    ? `<section id="data"><h2>The data set at a glance</h2>${await section('data')}</section>`
    : '';

  // --- best trial
  const bestRow = lb.rows.find((r) => r.metric !== null && byId.get(r.trial_id)?.test !== undefined);
  const best = bestRow ? byId.get(bestRow.trial_id) : undefined;
  let bestHtml = '<p class="muted">No trial has test-set metrics.</p>';
  if (best?.test && bestRow) {
    const t = best.test;
    const note =
      lb.best && lb.best.trial_id !== best.trial_id
        ? `<p class="muted">The top-ranked trial has no test metrics; showing the best one that has.</p>`
        : '';
    const panels = await trialParts({ result: best, rows: dataset?.rows, cols: dataset?.cols }, draw);
    const figures = isRegressionTest(t)
      ? `test RMSE <b>${num(t.rmse)}</b>, MAE ${num(t.mae)}, R² ${fix(t.r2, 4)} (${e(t.target)}, in its own units), test loss ${fix(t.loss)}`
      : `test accuracy <b>${pct(t.accuracy)}</b>, test loss ${fix(t.loss)}`;
    bestHtml = `${note}<p>Trial <b>${e(best.trial_id)}</b> (rank ${bestRow.rank}): ${figures}.</p>
${panels.join('\n')}`;
  }

  const toc: [string, string][] = [
    ['summary', 'Sweep summary'],
    ['leaderboard', 'Leaderboard'],
    ['parameters', 'Parameters vs metric'],
    ['curves', 'Learning curves'],
    ['best', 'Best trial'],
    ...(dataset ? ([['data', 'The data set at a glance']] as [string, string][]) : []),
    ['dynamics', 'Training dynamics'],
  ];
  const dsLabel = sweep.dataset
    ? `${sweep.dataset.name}${sweep.dataset.version ? ` ${sweep.dataset.version}` : ''}`
    : '';
  const period = sweep.started_at
    ? `${sweep.started_at}${sweep.finished_at ? ` → ${sweep.finished_at}` : ''}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="mlp-sweep report">
<title>Sweep report — ${e(sweep.name)}</title>
<style>${CSS}</style></head>
<body><main>
<header><h1>${e(sweep.name)}</h1>
<p class="sub">Sweep <code>${e(sweep.sweep_id)}</code>${dsLabel ? ` · data set ${e(dsLabel)}` : ''} · ranked by <b>${e(metric.name)}</b> (${e(metric.goal)})${period ? ` · ${e(period)}` : ''}</p></header>
<nav class="toc" aria-label="Contents"><b>Contents</b><ol>${toc.map(([id, t]) => `<li><a href="#${id}">${e(t)}</a></li>`).join('')}</ol></nav>
${summarySection(lb)}
<section id="leaderboard"><h2>Leaderboard</h2><p class="muted">Ranked by ${e(metric.name)} (${e(metric.goal)}); ties go to the cheaper, then the faster trial; trials without a metric last. Click a header to sort, type to filter; hover a row for its failure reason.</p>
${leaderboardTable(lb, results, href)}</section>
<section id="parameters"><h2>Parameters vs metric</h2>${paramsHtml}</section>
<section id="curves"><h2>Learning curves</h2>${curvesHtml}</section>
<section id="best"><h2>Best trial</h2>${bestHtml}</section>
${dataHtml}
<section id="dynamics"><h2>Training dynamics</h2>${dynHtml}</section>
<footer>Self-contained report: no network access needed to view it. Charts are Vega-Lite specs rendered to SVG when the report was built.</footer>
</main>
<script>${CLIENT_JS}</script>
</body></html>
`;
}
