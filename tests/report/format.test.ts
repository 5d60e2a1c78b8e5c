import { describe, expect, it } from 'vitest';
import { buildLeaderboard, csvField, formatLeaderboard, mdCell } from '../../core/report/index.ts';
import type { ReportSweep } from '../../core/report/types.ts';
import { makeResult } from './synthetic.ts';

const SWEEP: ReportSweep = { sweep_id: 's1', name: 't', metric: { name: 'val_accuracy', goal: 'maximize' } };
const results = [
  makeResult(
    { trial_id: 'a', index: 0, val_accuracy: 0.9, val_loss: 0.3, test_accuracy: 0.89 },
    { optimizer: 'sgd', learning_rate: 0.1 },
  ),
  makeResult(
    { trial_id: 'b', index: 1, val_accuracy: 0.95, val_loss: 0.2 },
    { optimizer: 'adam', learning_rate: 0.001 },
  ),
  makeResult(
    { trial_id: 'c', index: 2, state: 'failed', reason: 'worker said "no", then\nquit, badly | really' },
    { optimizer: 'adam', learning_rate: 0.01 },
  ),
];
const lb = buildLeaderboard(SWEEP, results);

/** A strict RFC 4180 parser (records separated by CRLF, quoted fields may hold anything). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          if (i >= text.length) throw new Error('unterminated quote');
          field += text[i++];
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n')
          throw new Error(`bare ${JSON.stringify(text[i])} in unquoted field`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

describe('CSV (RFC 4180)', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(null)).toBe('');
  });

  it('round-trips through a strict parser with CRLF records', () => {
    const csv = formatLeaderboard(lb, 'csv');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([
      'rank',
      'trial_id',
      'optimizer',
      'learning_rate',
      'val_accuracy',
      'test_accuracy',
      'val_loss',
      'epochs_run',
      'state',
      'wall_s',
      'samples_per_s',
      'cost_usd',
      'reason',
    ]);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r[1])).toEqual(['trial_id', 'b', 'a', 'c']);
    expect(rows[1]!.slice(0, 7)).toEqual(['1', 'b', 'adam', '0.001', '0.95', '', '0.2']);
    expect(rows[3]![12]).toBe('worker said "no", then\nquit, badly | really');
    expect(rows[3]![4]).toBe(''); // no metric → empty field
    for (const r of rows) expect(r).toHaveLength(13);
  });

  it('honours top', () => {
    expect(parseCsv(formatLeaderboard(lb, 'csv', { top: 1 }))).toHaveLength(2);
  });
});

describe('Markdown', () => {
  it('is a table with right-aligned numbers and escaped cells', () => {
    const md = formatLeaderboard(lb, 'md');
    const lines = md.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 3);
    expect(lines[0]).toBe(
      '| rank | trial_id | optimizer | learning_rate | val_accuracy | test_accuracy | val_loss | epochs_run | state | wall_s | samples_per_s | cost_usd |',
    );
    expect(lines[1]).toBe(
      '| ---: | :--- | :--- | ---: | ---: | ---: | ---: | ---: | :--- | ---: | ---: | ---: |',
    );
    expect(lines[2]).toBe(
      '| 1 | b | adam | 0.001 | 0.9500 | — | 0.2000 | 5 | completed | 10.0 s | 5,000 | $0.00100 |',
    );
    // Every row has the same number of unescaped separators.
    for (const l of lines) expect(l.replace(/\\\|/g, '').split('|')).toHaveLength(14);
    expect(mdCell('a|b\nc <b>')).toBe('a\\|b c &lt;b&gt;');
    expect(formatLeaderboard(lb, 'md', { top: 2 }).trimEnd().split('\n')).toHaveLength(4);
  });
});

describe('JSON and table', () => {
  it('JSON is the leaderboard, rows cut to top', () => {
    const j = JSON.parse(formatLeaderboard(lb, 'json', { top: 2 }));
    expect(j.rows.map((r: { trial_id: string }) => r.trial_id)).toEqual(['b', 'a']);
    expect(j.varying).toEqual(['optimizer', 'learning_rate']);
    expect(j.best.trial_id).toBe('b');
    expect(j.counts.failed).toBe(1);
  });

  it('table has every column, colours states only when asked', () => {
    const plain = formatLeaderboard(lb, 'table');
    for (const h of ['rank', 'trial_id', 'optimizer', 'learning_rate', 'val_accuracy', 'cost_usd'])
      expect(plain).toContain(h);
    expect(plain).not.toContain('\u001b[');
    const lines = plain.split('\n').filter((l) => l.includes('│'));
    expect(lines).toHaveLength(4); // header + 3 rows
    expect(lines[1]).toMatch(/│\s+1 │ b\s+│ adam/);
    const colored = formatLeaderboard(lb, 'table', { color: true });
    expect(colored).toContain('\u001b[31mfailed\u001b[0m');
    expect(formatLeaderboard(lb, 'table', { top: 1 })).toContain('… 2 more trials');
  });
});
