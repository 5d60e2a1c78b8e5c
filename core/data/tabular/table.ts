/**
 * A table as a reader produced it: named columns of equal length, and how to point at a row in a message
 * (CSV line numbers, else row numbers). Readers (adapters/data/tabular/) fill a TableBuilder row by row or
 * column by column; core/data/tabular/prepare.ts turns the result into training data.
 */
import { type Cell, ColumnBuilder, type ColumnData } from './columns.ts';
import { listNames, TableInputError } from './errors.ts';

export interface RawTable {
  /** The file as the user named it. */
  file: string;
  /** e.g. `CSV (utf-8, ",")`, `Parquet`, `NumPy .npz`. */
  format: string;
  rows: number;
  columns: ColumnData[];
  /** CSV: the line on which each row ends (the header is line 1). Absent: rows are numbered from 1. */
  lines?: Int32Array;
  /** What the reader did that the user should know (an encoding guessed, columns renamed). */
  notices: string[];
}

/** `line 7` or `row 7`: where row `i` (0-based) is, for messages. */
export function rowPlace(t: Pick<RawTable, 'lines'>, i: number): string {
  return t.lines ? `line ${t.lines[i]}` : `row ${i + 1}`;
}

export class TableBuilder {
  readonly names: string[];
  private readonly columns: ColumnBuilder[];
  private lines: Int32Array | undefined;
  private rows = 0;
  private readonly notices: string[] = [];

  /**
   * `names` as the file gives them: an empty name becomes `column_<n>` (1-based, said in a notice); a name
   * given twice is an error (`--label` and the manifest need each name to mean one column).
   */
  constructor(
    readonly file: string,
    readonly format: string,
    names: readonly string[],
    opts: { capacity?: number; withLines?: boolean } = {},
  ) {
    this.names = names.map((n, i) => (n.trim() === '' ? `column_${i + 1}` : n.trim()));
    const renamed = this.names.filter((n, i) => n !== names[i]?.trim());
    if (renamed.length > 0) this.notices.push(`unnamed columns named ${listNames(renamed)}`);
    const counts = new Map<string, number>();
    for (const n of this.names) counts.set(n, (counts.get(n) ?? 0) + 1);
    const twice = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
    if (twice.length > 0) {
      throw new TableInputError({
        file,
        at: 'the header',
        expected: 'each column name once',
        found: `${listNames(twice)} more than once`,
        fix: 'Rename the repeated columns in the file.',
      });
    }
    this.columns = this.names.map((n) => new ColumnBuilder(n, opts.capacity));
    if (opts.withLines) this.lines = new Int32Array(Math.max(1, opts.capacity ?? 1024));
  }

  /** Appends a row of cells in column order (its length is the reader's to check); `line` for CSV. */
  addRow(cells: readonly Cell[], line?: number): void {
    const r = this.rows++;
    for (let j = 0; j < this.columns.length; j++) this.columns[j]!.set(r, cells[j]);
    if (this.lines && line !== undefined) {
      if (r >= this.lines.length) {
        const grown = new Int32Array(this.lines.length * 2);
        grown.set(this.lines);
        this.lines = grown;
      }
      this.lines[r] = line;
    }
  }

  /** Sets one cell (columnar readers); the table has as many rows as the largest row set plus one. */
  set(column: number, row: number, cell: Cell): void {
    this.columns[column]!.set(row, cell);
    if (row >= this.rows) this.rows = row + 1;
  }

  notice(text: string): void {
    this.notices.push(text);
  }

  get rowCount(): number {
    return this.rows;
  }

  finish(): RawTable {
    return {
      file: this.file,
      format: this.format,
      rows: this.rows,
      columns: this.columns.map((c) => c.finish(this.rows)),
      ...(this.lines ? { lines: this.lines.subarray(0, this.rows) } : {}),
      notices: this.notices,
    };
  }
}
