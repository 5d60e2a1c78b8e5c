/** The leaderboard as an HTML table: sortable and filterable by client.ts (report) or the dashboard's script. */
import type { TrialResult } from '../result.ts';
import { badge, numCell } from './blocks.ts';
import { escapeHtml as e, safeHref } from './escape.ts';
import { formatDuration, formatMetric, formatParamValue, formatUsd } from './format.ts';
import { METRIC_COLUMNS } from './leaderboard.ts';
import type { Leaderboard } from './types.ts';

export interface TableOptions {
  /** Links each trial id to this (the dashboard's trial pages); plain text when absent (the report). */
  trialHref?: (trialId: string) => string;
}

/** The filter box and the count the leaderboard script keeps up to date. */
export function leaderboardToolbar(rows: number): string {
  return `<div class="toolbar"><input id="lb-filter" type="search" placeholder="Filter trials (e.g. adam failed 0.01)" aria-label="Filter trials"> <span id="lb-count" class="muted">${rows} of ${rows} trials shown</span></div>`;
}

/** The report's leaderboard: the toolbar, then the table. */
export function leaderboardTable(
  lb: Leaderboard,
  results: readonly TrialResult[],
  href: (r: TrialResult) => string | undefined,
): string {
  return `${leaderboardToolbar(lb.rows.length)}\n${leaderboardGrid(lb, results, href)}`;
}

/** The sortable table of the leaderboard (in its scrolling box). */
export function leaderboardGrid(
  lb: Leaderboard,
  results: readonly TrialResult[],
  href: (r: TrialResult) => string | undefined,
  opts: TableOptions = {},
): string {
  const { trialHref } = opts;
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
    ...METRIC_COLUMNS[lb.task].map((c) => ({ label: c.label, type: 'num' as const, key: c.key })),
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
      const trialCell = trialHref
        ? `<td class="tid"><a href="${e(trialHref(row.trial_id))}">${e(row.trial_id)}</a></td>`
        : `<td class="tid">${e(row.trial_id)}</td>`;
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
        METRIC_COLUMNS[lb.task].map((c) => numCell(row[c.key], formatMetric(c, row[c.key]))).join('') +
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
  return `<div class="scroll"><table id="lb"><thead><tr>${th}</tr></thead><tbody>
${body}
</tbody></table></div>`;
}
