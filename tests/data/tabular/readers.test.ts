/** CSV and Parquet readers on real files: quoting, encodings, delimiters; pyarrow's codecs and types. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCsv } from '../../../adapters/data/tabular/csv.ts';
import { readParquet } from '../../../adapters/data/tabular/parquet.ts';
import { readTableFile } from '../../../adapters/data/tabular/read.ts';
import type { RawTable } from '../../../core/data/tabular/table.ts';
import { tempDir } from '../helpers.ts';
import { fixture, fixtureJson, MEMORY, problemOf } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tabular-readers'));
});
afterEach(() => cleanup());

/** Column `name`'s cells as text (numbers as numbers) for comparisons. */
function cells(t: RawTable, name: string): (string | number | null)[] {
  const c = t.columns.find((x) => x.name === name)!;
  return Array.from(c.numbers, (n, i) => {
    if (!Number.isNaN(n)) return n;
    const code = c.codes?.[i] ?? -1;
    return code < 0 ? null : c.values[code]!;
  });
}

describe('CSV', () => {
  it('reads a Windows-1252 file (guessed, with a notice) and a UTF-8 file with a BOM and CRLF alike', async () => {
    const latin = await readCsv(fixture('latin1.csv'), { memory: MEMORY });
    const bom = await readCsv(fixture('bom.csv'), { memory: MEMORY });
    const names = ['Zoë', 'Jürgen, Jr.', 'Ånge', 'Ola'];
    expect(cells(latin, 'name')).toEqual(names);
    expect(cells(bom, 'name')).toEqual(names);
    expect(bom.columns[0]!.name).toBe('name'); // the BOM is not part of the first column's name
    expect(cells(bom, 'x')).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(latin.notices.join(' ')).toMatch(/not UTF-8: read as Windows-1252/);
    expect(latin.format).toBe('CSV (latin1, ",")');
    expect(bom.notices).toEqual([]);
  });

  it('reads UTF-16 (little-endian, with its BOM) as Excel saves "Unicode text"', async () => {
    const p = join(dir, 'u16.tsv');
    const text = 'name\tx\nZoë\t1\nÅnge\t2\n';
    writeFileSync(p, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const t = await readCsv(p, { memory: MEMORY });
    expect(t.format).toBe('CSV (utf-16le, "\\t")');
    expect(cells(t, 'name')).toEqual(['Zoë', 'Ånge']);
    expect(cells(t, 'x')).toEqual([1, 2]);
  });

  it('sniffs a semicolon delimiter and keeps quoted fields with newlines and doubled quotes', async () => {
    const t = await readCsv(fixture('semicolon.csv'), { memory: MEMORY });
    expect(t.format).toContain('";"');
    expect(cells(t, 'name')).toEqual(['multi\nline', 'say "hi"', 'plain', 'more']);
    expect([...t.lines!]).toEqual([3, 4, 5, 6]); // the line each row ends on (row 1 spans lines 2–3)
  });

  it('reads tabs in a .tsv, pandas-style missing markers, and says when the header looks like data', async () => {
    const tsv = join(dir, 't.tsv');
    writeFileSync(tsv, 'a\tb\n1\tNA\n?\t2\n\n3\t\n');
    const t = await readCsv(tsv, { memory: MEMORY });
    expect(cells(t, 'a')).toEqual([1, null, 3]);
    expect(cells(t, 'b')).toEqual([null, 2, null]);
    expect(t.columns[1]!.missing).toBe(2);
    const headless = join(dir, 'h.csv');
    writeFileSync(headless, '1,2\n3,4\n');
    expect((await readCsv(headless, { memory: MEMORY })).notices.join()).toMatch(/first line .* all numbers/);
  });

  it('stops at bytes that are not UTF-8 past the sniffed start, naming the fix', async () => {
    const p = join(dir, 'late.csv');
    const body = Buffer.concat([
      Buffer.from(`a,b\n${'1,x\n'.repeat(20_000)}`),
      Buffer.from([0x32, 0x2c, 0xe9, 0x0a]),
    ]);
    writeFileSync(p, body);
    const e = await problemOf(readCsv(p, { memory: MEMORY }));
    expect(e.expected).toBe('text in utf-8');
    expect(e.fix).toContain('--encoding latin1');
    expect((await readCsv(p, { encoding: 'latin1', memory: MEMORY })).rows).toBe(20_001);
  });

  it('names the line of an unclosed quote', async () => {
    const p = join(dir, 'q.csv');
    writeFileSync(p, 'a,b\n1,2\n3,"oops\n4,5\n');
    const e = await problemOf(readCsv(p, { memory: MEMORY }));
    expect(e.expected).toBe('well-formed CSV');
    expect(e.fix).toMatch(/quot/);
  });
});

describe('Parquet', () => {
  const expected = fixtureJson<{ x: number[]; city: (string | null)[] }>('parquet-expected.json');

  for (const file of ['mixed.parquet', 'mixed-zstd.parquet', 'mixed-gzip.parquet']) {
    it(`reads pyarrow's ${file}: numbers, INT64, booleans, text with nulls, dates`, async () => {
      const t = await readParquet(fixture(file), { memory: MEMORY });
      expect(t.rows).toBe(24);
      expect(cells(t, 'x')).toEqual(expected.x);
      expect(cells(t, 'count')).toEqual(Array.from({ length: 24 }, (_, i) => i % 5));
      expect(cells(t, 'flag').slice(0, 3)).toEqual(['false', 'true', 'false']);
      expect(cells(t, 'city')).toEqual(expected.city);
      expect(cells(t, 'when')[1]).toBe('2024-01-02T00:00:00.000Z');
      expect(cells(t, 'label').slice(0, 4)).toEqual(['a', 'b', 'c', 'a']);
    });
  }

  it('marks a list column as unsupported (prepare drops it) and reads a 0-row file as its columns', async () => {
    const t = await readParquet(fixture('mixed.parquet'), { memory: MEMORY });
    expect(t.columns.find((c) => c.name === 'tags')!.unsupported).toBe('lists in its cells');
    const empty = await readParquet(fixture('empty.parquet'), { memory: MEMORY });
    expect(empty.rows).toBe(0);
    expect(empty.columns.map((c) => c.name)).toContain('label');
  });

  it('refuses a file that is not Parquet', async () => {
    const e = await problemOf(readParquet(fixture('regress.csv'), { memory: MEMORY }));
    expect(e.expected).toBe('a Parquet file');
  });
});

describe('readTableFile', () => {
  it('picks the reader by extension and hashes the file for the version', async () => {
    const r = await readTableFile(fixture('regress.csv'), { label: 'y', memory: MEMORY });
    expect(r.source.file).toBe('regress.csv');
    expect(r.source.md5).toMatch(/^[0-9a-f]{32}$/);
    const e = await problemOf(readTableFile(fixture('make_fixtures.py'), { label: 'y', memory: MEMORY }));
    expect(e.found).toBe('the extension .py');
    const missing = await problemOf(readTableFile(join(dir, 'nope.csv'), { label: 'y', memory: MEMORY }));
    expect(missing.found).toBe('no such file');
  });
});
