/** The leaderboard as a terminal table, JSON, CSV (RFC 4180) or Markdown. */
import Table from 'cli-table3';
import { METRIC_COLUMNS, type MetricColumn } from './leaderboard.ts';
import type { Leaderboard, LeaderboardRow } from './types.ts';

export type LeaderboardFormat = 'table' | 'json' | 'csv' | 'md';

interface Column {
  head: string;
  numeric: boolean;
  /** Raw value for JSON-ish outputs (CSV). */
  raw: (r: LeaderboardRow) => string | number | boolean | null | undefined;
  /** Human text for the table and Markdown. */
  text: (r: LeaderboardRow) => string;
}

const fixed = (x: number | null, d: number): string => (x === null ? '—' : x.toFixed(d));

/** A value in a data set's own units: 4 significant digits, thousands separated ("1,234", "0.004512"). */
export function formatUnits(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Number(x.toPrecision(4)).toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

/**
 * A ranked metric's value as text, by its name: accuracies as percentages, errors (RMSE, MAE) in the
 * target's units, losses and R² with 4 decimals.
 */
export function formatMetricValue(name: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (name.endsWith('accuracy')) return `${(v * 100).toFixed(2)}%`;
  if (name.endsWith('rmse') || name.endsWith('mae')) return formatUnits(v);
  return v.toFixed(4);
}

/** A metric column's value as text (fractions with 4 decimals, errors in the target's units). */
export const formatMetric = (c: MetricColumn, x: number | null): string =>
  c.style === 'units' ? formatUnits(x) : fixed(x, 4);

/** Seconds as "812 ms", "12.3 s", "4m 05s", "1h 02m". */
export function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Dollars with enough digits for Lambda-sized amounts: $1.23, $0.0123, $0.000412. */
export function formatUsd(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '$0';
  if (Math.abs(x) >= 1) return `$${x.toFixed(2)}`;
  return `$${x.toPrecision(3)}`;
}

export function formatParamValue(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6)
      ? Number(v.toPrecision(3)).toExponential()
      : String(Number(v.toPrecision(4)));
  }
  return String(v);
}

export function leaderboardColumns(lb: Leaderboard): Column[] {
  const params: Column[] = lb.varying.map((k) => ({
    head: k,
    numeric: lb.rows.every((r) => typeof r.params[k] === 'number'),
    raw: (r) => r.params[k],
    text: (r) => formatParamValue(r.params[k]),
  }));
  return [
    { head: 'rank', numeric: true, raw: (r) => r.rank, text: (r) => String(r.rank) },
    { head: 'trial_id', numeric: false, raw: (r) => r.trial_id, text: (r) => r.trial_id },
    ...params,
    ...METRIC_COLUMNS[lb.task].map(
      (c): Column => ({
        head: c.key,
        numeric: true,
        raw: (r) => r[c.key],
        text: (r) => formatMetric(c, r[c.key]),
      }),
    ),
    { head: 'epochs_run', numeric: true, raw: (r) => r.epochs_run, text: (r) => String(r.epochs_run) },
    { head: 'state', numeric: false, raw: (r) => r.state, text: (r) => r.state },
    { head: 'wall_s', numeric: true, raw: (r) => r.wall_s, text: (r) => formatDuration(r.wall_s) },
    {
      head: 'samples_per_s',
      numeric: true,
      raw: (r) => r.samples_per_s,
      text: (r) => Math.round(r.samples_per_s).toLocaleString('en-US'),
    },
    { head: 'cost_usd', numeric: true, raw: (r) => r.cost_usd, text: (r) => formatUsd(r.cost_usd) },
  ];
}

/** One CSV field per RFC 4180: quoted when it holds a comma, a double quote, CR or LF; quotes doubled. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One Markdown table cell: pipes and backslashes escaped, HTML neutralised, newlines flattened. */
export function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, ' ');
}

const ANSI: Record<string, string> = {
  completed: '\u001b[32m',
  pruned: '\u001b[33m',
  diverged: '\u001b[35m',
  failed: '\u001b[31m',
  skipped: '\u001b[90m',
  running: '\u001b[36m',
  queued: '\u001b[90m',
};
const RESET = '\u001b[0m';

export function formatLeaderboard(
  lb: Leaderboard,
  format: LeaderboardFormat,
  opts: { top?: number; color?: boolean } = {},
): string {
  const top = opts.top !== undefined && opts.top >= 0 ? opts.top : lb.rows.length;
  const rows = lb.rows.slice(0, top);
  const cols = leaderboardColumns(lb);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...lb, rows }, null, 2)}\n`;
    case 'csv': {
      const heads = [...cols.map((c) => c.head), 'reason'];
      const lines = [heads.map(csvField).join(',')];
      for (const r of rows)
        lines.push([...cols.map((c) => csvField(c.raw(r))), csvField(r.reason)].join(','));
      return `${lines.join('\r\n')}\r\n`;
    }
    case 'md': {
      const heads = cols.map((c) => mdCell(c.head));
      const lines = [
        `| ${heads.join(' | ')} |`,
        `| ${cols.map((c) => (c.numeric ? '---:' : ':---')).join(' | ')} |`,
        ...rows.map((r) => `| ${cols.map((c) => mdCell(c.text(r))).join(' | ')} |`),
      ];
      return `${lines.join('\n')}\n`;
    }
    case 'table': {
      const color = opts.color === true;
      const table = new Table({
        head: cols.map((c) => c.head),
        colAligns: cols.map((c) => (c.numeric ? 'right' : 'left')),
        style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
      });
      for (const r of rows) {
        table.push(
          cols.map((c) => {
            const t = c.text(r);
            return color && c.head === 'state' && ANSI[t] ? `${ANSI[t]}${t}${RESET}` : t;
          }),
        );
      }
      const more = lb.rows.length > rows.length ? `\n… ${lb.rows.length - rows.length} more trials` : '';
      return `${table.toString()}${more}\n`;
    }
  }
}
