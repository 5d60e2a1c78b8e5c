/** The HTML comparison report: one self-contained file (inline CSS, inline SVG charts, a little inline JS). */
import type { TrialResult } from '../result.ts';
import {
  confusionCells,
  type Importance,
  learningCurves,
  learningRateScatter,
  parallelCoordinates,
  parameterImportance,
  speedUp,
  stateCounts,
  trainingDynamics,
} from './analysis.ts';
import {
  confusionSpec,
  dynamicsSpec,
  histogramSpec,
  importanceSpec,
  learningCurveSpec,
  lrScatterSpec,
  parallelSpec,
  STATE_COLORS,
} from './charts.ts';
import { CLIENT_JS } from './client.ts';
import { escapeHtml as e, safeHref } from './escape.ts';
import { formatDuration, formatParamValue, formatUsd } from './format.ts';
import { buildLeaderboard } from './leaderboard.ts';
import { digitDataUri } from './png.ts';
import { renderSvg } from './svg.ts';
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

const CSS = `
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

const pct = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(d)}%`;
const fix = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d);

function badge(state: string): string {
  return `<span class="badge state-${e(state)}" style="background:${STATE_COLORS[state] ?? '#57606a'}">${e(state)}</span>`;
}

function numCell(v: number | null, text: string): string {
  return `<td class="num" data-v="${v === null || !Number.isFinite(v) ? '' : v}">${e(text)}</td>`;
}

function defaultWeightsHref(r: TrialResult): string | undefined {
  return r.weights_key ? `trials/${encodeURIComponent(r.trial_id)}/weights.safetensors` : undefined;
}

function leaderboardTable(
  lb: Leaderboard,
  results: readonly TrialResult[],
  href: (r: TrialResult) => string | undefined,
): string {
  const byId = new Map(results.map((r) => [r.trial_id, r]));
  const numericParam = new Map(
    lb.varying.map((k) => [k, lb.rows.every((r) => typeof r.params[k] === 'number')]),
  );
  const heads: { label: string; type: 'num' | 'text'; key: string }[] = [
    { label: 'rank', type: 'num', key: 'rank' },
    { label: 'trial', type: 'text', key: 'trial_id' },
    ...lb.varying.map((k) => ({
      label: k,
      type: numericParam.get(k) ? ('num' as const) : ('text' as const),
      key: `param:${k}`,
    })),
    { label: 'val acc', type: 'num', key: 'val_accuracy' },
    { label: 'test acc', type: 'num', key: 'test_accuracy' },
    { label: 'val loss', type: 'num', key: 'val_loss' },
    { label: 'epochs', type: 'num', key: 'epochs_run' },
    { label: 'state', type: 'text', key: 'state' },
    { label: 'wall', type: 'num', key: 'wall_s' },
    { label: 'samples/s', type: 'num', key: 'samples_per_s' },
    { label: 'cost', type: 'num', key: 'cost_usd' },
  ];
  const th = `${heads
    .map(
      (h) =>
        `<th data-type="${h.type}" data-key="${e(h.key)}"${h.type === 'num' ? ' class="num"' : ''} scope="col">${e(h.label)}</th>`,
    )
    .join('')}<th scope="col">weights</th>`;
  const body = lb.rows
    .map((row) => {
      const r = byId.get(row.trial_id);
      const link = r ? safeHref(href(r)) : undefined;
      const trialCell = `<td class="tid">${e(row.trial_id)}</td>`;
      const weightsCell = link
        ? `<td><a href="${e(link)}" title="weights (safetensors)">weights</a></td>`
        : '<td></td>';
      const params = lb.varying
        .map((k) => {
          const v = row.params[k];
          return numericParam.get(k)
            ? numCell(typeof v === 'number' ? v : null, formatParamValue(v))
            : `<td>${e(formatParamValue(v))}</td>`;
        })
        .join('');
      const title = row.reason ? ` title="${e(row.reason)}"` : '';
      return (
        `<tr data-rank="${row.rank}" data-trial="${e(row.trial_id)}"${title}>` +
        numCell(row.rank, String(row.rank)) +
        trialCell +
        params +
        numCell(row.val_accuracy, fix(row.val_accuracy)) +
        numCell(row.test_accuracy, fix(row.test_accuracy)) +
        numCell(row.val_loss, fix(row.val_loss)) +
        numCell(row.epochs_run, String(row.epochs_run)) +
        `<td data-v="${e(row.state)}">${badge(row.state)}</td>` +
        numCell(row.wall_s, formatDuration(row.wall_s)) +
        numCell(row.samples_per_s, Math.round(row.samples_per_s).toLocaleString('en-US')) +
        numCell(row.cost_usd, formatUsd(row.cost_usd)) +
        weightsCell +
        '</tr>'
      );
    })
    .join('\n');
  return `<div class="toolbar"><input id="lb-filter" type="search" placeholder="Filter trials (e.g. adam failed 0.01)" aria-label="Filter trials"> <span id="lb-count" class="muted">${lb.rows.length} of ${lb.rows.length} trials shown</span></div>
<div class="scroll"><table id="lb"><thead><tr>${th}</tr></thead><tbody>
${body}
</tbody></table></div>`;
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
    [
      `best ${metric.name}`,
      best?.metric != null ? (metric.name === 'val_loss' ? fix(best.metric) : pct(best.metric)) : '—',
    ],
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

function importanceTable(imp: readonly Importance[]): string {
  return `<table><thead><tr><th>parameter</th><th class="num">η²</th><th class="num">ε²</th><th class="num">groups</th><th class="num">trials</th><th>grouping</th></tr></thead><tbody>${imp
    .map(
      (i) =>
        `<tr><td>${e(i.param)}</td><td class="num">${i.eta2.toFixed(3)}</td><td class="num">${i.epsilon2.toFixed(3)}</td><td class="num">${i.groups}</td><td class="num">${i.n}</td><td>${i.bucketed ? 'quartiles' : 'distinct values'}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function classTable(t: NonNullable<TrialResult['test']>): string {
  const row = (name: string, c: { precision: number; recall: number; f1: number; support: number }) =>
    `<tr><td>${e(name)}</td><td class="num">${fix(c.precision, 3)}</td><td class="num">${fix(c.recall, 3)}</td><td class="num">${fix(c.f1, 3)}</td><td class="num">${c.support}</td></tr>`;
  const rep = t.report;
  return `<table id="per-class"><thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th></tr></thead><tbody>${rep.perClass
    .map((c, i) => row(String(i), c))
    .join(
      '',
    )}</tbody><tfoot>${row('macro avg', rep.macro)}${row('weighted avg', rep.weighted)}<tr><td>accuracy</td><td></td><td></td><td class="num">${fix(rep.accuracy, 3)}</td><td class="num">${rep.weighted.support}</td></tr></tfoot></table>`;
}

function digitFigure(pixelsB64: string, caption: string, alt: string, rows?: number, cols?: number): string {
  let src: string;
  try {
    src = digitDataUri(pixelsB64, rows, cols);
  } catch {
    return `<figure><div class="muted">(bad pixels)</div><figcaption>${caption}</figcaption></figure>`;
  }
  return `<figure><img src="${src}" alt="${e(alt)}"><figcaption>${caption}</figcaption></figure>`;
}

function chartBlock(svg: string): string {
  return `<div class="chart">${svg}</div>`;
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
  const dsRows = dataset?.rows;
  const dsCols = dataset?.cols;

  // --- parameters vs metric
  const pc = parallelCoordinates(results, lb);
  const nWithMetric = lb.rows.filter((r) => r.metric !== null).length;
  const paramParts: string[] = [];
  if (nWithMetric === 0) paramParts.push('<p class="muted">No trial has a metric yet.</p>');
  else {
    paramParts.push(
      `<h3>Parallel coordinates</h3><p class="muted">One line per trial with a metric (${nWithMetric}); each axis is normalised to its own range (log axes where the values are positive and span ≥ 2 decades; categories evenly spaced), coloured by ${e(metric.name)} (darker = better; the best trials are drawn on top).</p>`,
      chartBlock(
        await renderSvg(
          parallelSpec(pc.dims, pc.points, metric.goal, metric.name),
          'pc',
          'parallel coordinates',
        ),
      ),
    );
    const lr = learningRateScatter(results, lb);
    if (lr.length > 0) {
      paramParts.push(
        `<h3>Learning rate vs ${e(metric.name)}</h3>`,
        chartBlock(await renderSvg(lrScatterSpec(lr, metric.name), 'lr', 'learning rate scatter')),
      );
    }
  }
  const imp = parameterImportance(results, lb);
  if (imp.length > 0 && (imp[0]?.n ?? 0) >= 3) {
    paramParts.push(
      '<h3>Parameter importance</h3>',
      `<p class="muted">Importance of a parameter = η² of a one-way ANOVA: the fraction of the variance of ${e(metric.name)} across completed trials that is explained by grouping the trials on that parameter's value (numeric parameters with more than 6 distinct values are grouped into quartiles). It is marginal — interactions are not credited and correlated parameters can both score — and it is biased upwards when groups are small; ε² (η² less that bias) is given alongside.</p>`,
      `<div class="row">${chartBlock(await renderSvg(importanceSpec(imp), 'imp', 'parameter importance'))}${importanceTable(imp)}</div>`,
    );
  }

  // --- learning curves
  const curves = learningCurves(results, lb);
  const curvesHtml =
    curves.length === 0
      ? '<p class="muted">No per-epoch history recorded.</p>'
      : `<p class="muted">Validation accuracy and loss per epoch of the top trials (coloured, by rank); pruned trials in grey.</p>${chartBlock(await renderSvg(learningCurveSpec(curves), 'lc', 'learning curves'))}`;

  // --- best trial
  const bestRow = lb.rows.find((r) => r.metric !== null && byId.get(r.trial_id)?.test !== undefined);
  const best = bestRow ? byId.get(bestRow.trial_id) : undefined;
  let bestHtml = '<p class="muted">No trial has test-set metrics.</p>';
  if (best?.test && bestRow) {
    const t = best.test;
    const wrong = t.confidently_wrong.slice(0, 24);
    const note =
      lb.best && lb.best.trial_id !== best.trial_id
        ? `<p class="muted">The top-ranked trial has no test metrics; showing the best one that has.</p>`
        : '';
    bestHtml = `${note}<p>Trial <b>${e(best.trial_id)}</b> (rank ${bestRow.rank}): test accuracy <b>${pct(t.accuracy)}</b>, test loss ${fix(t.loss)}.</p>
<div class="row"><div><h3>Confusion matrix</h3>${chartBlock(await renderSvg(confusionSpec(confusionCells(t.confusion)), 'cm', 'confusion matrix'))}</div>
<div><h3>Per-class precision / recall / F1</h3>${classTable(t)}</div></div>
<h3>Most confidently wrong test images</h3>${
      wrong.length === 0
        ? '<p class="muted">None recorded.</p>'
        : `<div class="digits" id="wrong">${wrong
            .map((w) =>
              digitFigure(
                w.pixels_b64,
                `#${w.index}: true <b>${w.label}</b> → ${w.predicted}<br>p=${w.probability.toFixed(3)}`,
                `test image ${w.index}: true ${w.label}, predicted ${w.predicted}`,
                dsRows,
                dsCols,
              ),
            )
            .join('')}</div>`
    }`;
  }

  // --- data set
  let dataHtml = '';
  if (dataset) {
    const tr = dataset.class_histogram.train.reduce((s, x) => s + x, 0);
    const te = dataset.class_histogram.test.reduce((s, x) => s + x, 0);
    dataHtml = `<section id="data"><h2>The data set at a glance</h2><p>${e(dataset.name)}: ${tr.toLocaleString('en-US')} training and ${te.toLocaleString('en-US')} test images of ${dataset.rows}×${dataset.cols} pixels, ${dataset.class_histogram.train.length} classes.</p>
<div class="row">${chartBlock(await renderSvg(histogramSpec(dataset), 'hist', 'class histogram'))}
<div class="digits small" id="samples">${dataset.samples
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
      .join('')}</div></div></section>`;
  }

  // --- training dynamics
  const dyn = trainingDynamics(results, lb);
  const dynHtml =
    dyn.length === 0
      ? '<p class="muted">No per-layer norms recorded.</p>'
      : `<p class="muted">Frobenius norm of each layer's weight matrix at the end of each epoch, and the mean over the epoch's batches of its gradient norm (log scale), for the best trials. W1 is the input layer.</p>${chartBlock(await renderSvg(dynamicsSpec(dyn), 'dyn', 'training dynamics'))}`;

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
<section id="parameters"><h2>Parameters vs metric</h2>${paramParts.join('\n')}</section>
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
