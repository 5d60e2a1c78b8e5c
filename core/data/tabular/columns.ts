/**
 * One column of a table as it is read, cell by cell (CSV rows, Parquet column chunks, NumPy arrays all
 * arrive here): each cell is kept as a number (NaN when missing or not a number) and, while the column has
 * at most MAX_DISTINCT distinct values, as a code into its distinct values (what one-hot and class labels
 * need). Past MAX_DISTINCT the codes are dropped: such a column can only be numeric (or is dropped as free
 * text / an ID). Nothing is decided here: typing the column is plan.ts's work.
 */

/**
 * Cells read as missing, compared after trimming: pandas' default `na_values`, plus `?` (the UCI
 * repository's marker).
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
  '?',
]);

/** A decimal number: sign, digits with an optional point, optional exponent (no `inf`, hex, or `1,5`). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Distinct values a column remembers; past this it has no codes. */
export const MAX_DISTINCT = 1000;
/** Non-numeric cells remembered per column, for messages. */
const FIRST_KEPT = 5;

/** A cell as a reader hands it over. `null`/`undefined`: missing. */
export type Cell = string | number | boolean | bigint | Date | null | undefined | object;

export interface ColumnData {
  name: string;
  /** The value of each row as a number; NaN where missing or not a number. */
  numbers: Float64Array;
  /** Each row's index into `values` (-1: missing); undefined once the column passed MAX_DISTINCT values. */
  codes: Int32Array | undefined;
  /** Distinct values (as text) in order of first appearance; meaningful only while `codes` is defined. */
  values: string[];
  missing: number;
  /** Non-missing cells that are not numbers: how many, and the first few (row index, text). */
  nonNumeric: { count: number; first: { row: number; value: string }[] };
  /** Why the column cannot be a feature at all (nested or binary cells), when so. */
  unsupported?: string;
}

export class ColumnBuilder {
  private numbers: Float64Array;
  private codes: Int32Array | undefined;
  private readonly index = new Map<string, number>();
  private readonly values: string[] = [];
  private missing = 0;
  private readonly nonNumeric: ColumnData['nonNumeric'] = { count: 0, first: [] };
  private unsupported: string | undefined;
  private rows = 0;

  constructor(
    readonly name: string,
    capacity = 1024,
  ) {
    this.numbers = new Float64Array(Math.max(1, capacity));
    this.codes = new Int32Array(Math.max(1, capacity));
  }

  /** Sets row `row` (rows may arrive in any order, each once). */
  set(row: number, cell: Cell): void {
    this.reserve(row + 1);
    if (row >= this.rows) this.rows = row + 1;
    const v = normalise(cell);
    if (v === undefined) {
      this.missing++;
      this.numbers[row] = Number.NaN;
      if (this.codes) this.codes[row] = -1;
      return;
    }
    if (typeof v === 'object') {
      this.unsupported ??= v.unsupported;
      this.numbers[row] = Number.NaN;
      if (this.codes) this.codes[row] = -1;
      return;
    }
    const n = typeof v === 'number' ? v : NUMBER.test(v) ? Number(v) : Number.NaN;
    this.numbers[row] = Number.isFinite(n) ? n : Number.NaN;
    if (!Number.isFinite(n)) {
      this.nonNumeric.count++;
      if (this.nonNumeric.first.length < FIRST_KEPT) this.nonNumeric.first.push({ row, value: String(v) });
    }
    if (this.codes) this.code(row, typeof v === 'number' ? String(v) : v);
  }

  private code(row: number, text: string): void {
    let c = this.index.get(text);
    if (c === undefined) {
      if (this.values.length === MAX_DISTINCT) {
        this.codes = undefined;
        this.index.clear();
        this.values.length = 0;
        return;
      }
      c = this.values.length;
      this.index.set(text, c);
      this.values.push(text);
    }
    (this.codes as Int32Array)[row] = c;
  }

  private reserve(n: number): void {
    if (n <= this.numbers.length) return;
    const size = Math.max(n, this.numbers.length * 2);
    const numbers = new Float64Array(size);
    numbers.set(this.numbers);
    this.numbers = numbers;
    if (this.codes) {
      const codes = new Int32Array(size);
      codes.set(this.codes);
      this.codes = codes;
    }
  }

  /** The column over `rows` rows (rows never set are missing). */
  finish(rows: number): ColumnData {
    this.reserve(rows);
    for (let r = this.rows; r < rows; r++) this.set(r, null);
    return {
      name: this.name,
      numbers: this.numbers.subarray(0, rows),
      codes: this.codes?.subarray(0, rows),
      values: this.values,
      missing: this.missing,
      nonNumeric: this.nonNumeric,
      ...(this.unsupported ? { unsupported: this.unsupported } : {}),
    };
  }
}

/**
 * A cell as a trimmed string or a number (±Infinity counts as not a number); undefined when missing; `{ unsupported }` for
 * cells no table column can hold. Booleans become `true`/`false` (two categories), dates ISO text.
 */
function normalise(cell: Cell): string | number | undefined | { unsupported: string } {
  if (cell === null || cell === undefined) return undefined;
  if (typeof cell === 'number') return Number.isNaN(cell) ? undefined : cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'boolean') return String(cell);
  if (typeof cell === 'string') {
    const s = cell.trim();
    return MISSING_TOKENS.has(s) ? undefined : s;
  }
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : cell.toISOString();
  if (cell instanceof Uint8Array) return { unsupported: 'binary values' };
  return { unsupported: Array.isArray(cell) ? 'lists in its cells' : 'nested records in its cells' };
}
