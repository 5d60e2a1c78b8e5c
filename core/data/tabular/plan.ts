/**
 * What each column of a table becomes, decided from its values in the whole file (typing is no statistic
 * of the test rows; what is fitted on the training rows alone is in fit.ts):
 *
 *   --drop <col>                                      dropped
 *   --categorical <col>                               categorical (one-hot, fit.ts)
 *   nested or binary cells                            dropped
 *   every value missing                               dropped
 *   all values numbers                                numeric, unless ID-like: integers, all distinct,
 *                                                     strictly increasing or decreasing in file order
 *                                                     (a row number), in more than ID_MIN_ROWS rows
 *   mostly numbers (≥ NUMERIC_SHARE), a few not       an error naming the first few, with their rows
 *   text with at most MAX_DISTINCT distinct values    categorical, unless every value differs in more
 *                                                     than ID_MIN_ROWS rows (an ID)
 *   text with more distinct values                    dropped (free text or an ID: too many to one-hot)
 */
import { type ColumnData, MAX_DISTINCT } from './columns.ts';
import { requireNumbers } from './label.ts';
import type { RawTable } from './table.ts';

/** Columns of more rows than this are checked for being IDs. */
export const ID_MIN_ROWS = 20;
/** A column whose non-missing values are at least this share numbers is numeric (with bad values). */
export const NUMERIC_SHARE = 0.9;

export type ColumnRole =
  | { name: string; role: 'numeric' | 'categorical' }
  | { name: string; role: 'dropped'; reason: string };

export function planColumn(
  t: RawTable,
  col: ColumnData,
  force: { categorical: boolean; drop: boolean },
): ColumnRole {
  const name = col.name;
  const present = t.rows - col.missing;
  if (force.drop) return { name, role: 'dropped', reason: 'asked with --drop' };
  if (col.unsupported) return { name, role: 'dropped', reason: `it holds ${col.unsupported}` };
  if (present === 0) return { name, role: 'dropped', reason: 'every value is missing' };
  if (force.categorical) {
    if (!col.codes) return { name, role: 'dropped', reason: tooMany };
    return { name, role: 'categorical' };
  }
  const bad = col.nonNumeric.count;
  if (bad === 0) {
    return idLikeNumbers(col, present)
      ? { name, role: 'dropped', reason: idNumbers }
      : { name, role: 'numeric' };
  }
  if (present - bad >= NUMERIC_SHARE * present)
    requireNumbers(t, col, 'numbers (the column is mostly numbers)');
  if (!col.codes) return { name, role: 'dropped', reason: tooMany };
  if (present > ID_MIN_ROWS && col.values.length === present)
    return { name, role: 'dropped', reason: idText };
  return { name, role: 'categorical' };
}

const tooMany = `free text or an ID: more than ${MAX_DISTINCT} distinct values, too many to one-hot`;
const idNumbers = 'ID-like: distinct integers in increasing or decreasing order (a row number)';
const idText = 'ID-like: every value is different';

function idLikeNumbers(col: ColumnData, present: number): boolean {
  if (present <= ID_MIN_ROWS) return false;
  let prev = Number.NaN;
  let direction = 0;
  for (const v of col.numbers) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return false;
    if (!Number.isNaN(prev)) {
      const d = Math.sign(v - prev);
      if (d === 0 || (direction !== 0 && d !== direction)) return false;
      direction = d;
    }
    prev = v;
  }
  return true;
}
