/**
 * The label column: which task it is (unless --task says), and its values as class ids or numbers.
 *
 * Inference: a label with any non-number value is a classification (classes are its distinct texts); a
 * label of integers with at most INFER_MAX_CLASSES distinct values is a classification too; any other
 * numeric label is a regression. `--task` overrides (a regression needs numbers).
 * Classes are ordered numerically when the label is numeric, else by text (code-point order); class id =
 * index. Classes come from the training rows; a test row with a class not among them is an error.
 */
import { type ColumnData, MAX_DISTINCT } from './columns.ts';
import { listNames, TableInputError } from './errors.ts';
import type { LabelRecipe } from './manifest.ts';
import { type RawTable, rowPlace } from './table.ts';

export type Task = 'classification' | 'regression';

/** A numeric label with at most this many distinct integers is inferred to be classes. */
export const INFER_MAX_CLASSES = 20;
/** Most classes a table may have (class ids are u16; the cap keeps the last layer sane). */
export const MAX_CLASSES = MAX_DISTINCT;

export interface TaskChoice {
  task: Task;
  /** Why, in words (`given with --task`, `the label has text values such as "setosa"`…). */
  reason: string;
}

/** The task of a label column over its labelled rows. */
export function inferTask(col: ColumnData, rows: Int32Array): TaskChoice {
  if (col.nonNumeric.count > 0) {
    const example = JSON.stringify(col.nonNumeric.first[0]!.value);
    return { task: 'classification', reason: `the label has text values such as ${example}` };
  }
  const distinct = new Set<number>();
  let integers = true;
  for (const r of rows) {
    const v = col.numbers[r]!;
    if (!Number.isInteger(v)) integers = false;
    if (distinct.size <= INFER_MAX_CLASSES) distinct.add(v);
  }
  if (integers && distinct.size <= INFER_MAX_CLASSES) {
    return {
      task: 'classification',
      reason: `the label is integers with ${distinct.size} distinct values (at most ${INFER_MAX_CLASSES} are read as classes)`,
    };
  }
  return {
    task: 'regression',
    reason: integers
      ? `the label is integers with more than ${INFER_MAX_CLASSES} distinct values`
      : 'the label has non-integer numbers',
  };
}

/** Each row's class text: the number's canonical text for a numeric label, else the cell's text. */
function classTexts(t: RawTable, col: ColumnData, numeric: boolean): (row: number) => string {
  if (numeric) return (r) => String(col.numbers[r]);
  const codes = col.codes;
  if (!codes) {
    throw new TableInputError({
      file: t.file,
      at: `column ${JSON.stringify(col.name)}`,
      expected: `a classification label with at most ${MAX_CLASSES} classes`,
      found: `more than ${MAX_CLASSES} distinct values`,
      fix: 'Check that --label names the right column, or pass --task regression if the label is a number.',
    });
  }
  return (r) => col.values[codes[r]!]!;
}

/** The classes of a label: their texts (class id = index), and whether the label is numeric. */
export interface ClassCoding {
  classes: string[];
  numeric: boolean;
}

/** Classes of the training rows, ordered; errors when there are fewer than 2 or more than MAX_CLASSES. */
export function fitClasses(t: RawTable, col: ColumnData, rows: Int32Array): ClassCoding {
  const numeric = col.nonNumeric.count === 0;
  const text = classTexts(t, col, numeric);
  const seen = new Map<string, number>();
  for (const r of rows) {
    const s = text(r);
    if (!seen.has(s)) seen.set(s, col.numbers[r]!);
  }
  const classes = [...seen.keys()].sort(
    numeric ? (a, b) => seen.get(a)! - seen.get(b)! : (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  if (classes.length < 2) {
    throw new TableInputError({
      file: t.file,
      at: `column ${JSON.stringify(col.name)}`,
      expected: 'a classification label with at least 2 classes in the training rows',
      found: `one class, ${JSON.stringify(classes[0])}, in all ${rows.length} rows`,
      fix: numeric
        ? 'Check that --label names the right column; for a numeric target pass --task regression.'
        : 'Check that --label names the right column; a label with one value cannot be learned.',
    });
  }
  if (classes.length > MAX_CLASSES) {
    throw new TableInputError({
      file: t.file,
      at: `column ${JSON.stringify(col.name)}`,
      expected: `at most ${MAX_CLASSES} classes`,
      found: `${classes.length}`,
      fix: 'Check that --label names the right column, or pass --task regression if the label is a number.',
    });
  }
  return { classes, numeric };
}

/** The class id of each of `rows` (a row whose class is not in `classes` is an error naming it). */
export function classIds(
  t: RawTable,
  col: ColumnData,
  rows: Int32Array,
  { classes, numeric }: ClassCoding,
): Uint16Array {
  if (numeric) requireNumbers(t, col, "numbers, as the training rows' classes are");
  const text = classTexts(t, col, numeric);
  const id = new Map(classes.map((c, i) => [c, i]));
  const out = new Uint16Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const c = id.get(text(rows[k]!));
    if (c === undefined) {
      throw new TableInputError({
        file: t.file,
        at: `${rowPlace(t, rows[k]!)}, column ${JSON.stringify(col.name)}`,
        expected: `one of the training rows' classes: ${listNames(classes)}`,
        found: JSON.stringify(text(rows[k]!)),
        fix: 'A class the training rows never show cannot be learned: add rows of it to the training file, or remove these rows.',
      });
    }
    out[k] = c;
  }
  return out;
}

/** Errors unless every non-missing value of the column is a number (first few offenders, with rows). */
export function requireNumbers(t: RawTable, col: ColumnData, expected: string): void {
  const bad = col.nonNumeric;
  if (bad.count === 0) return;
  const shown = bad.first.map((b) => `${JSON.stringify(b.value)} (${rowPlace(t, b.row)})`).join(', ');
  throw new TableInputError({
    file: t.file,
    at: `column ${JSON.stringify(col.name)}`,
    expected,
    found: `${bad.count} value${bad.count === 1 ? '' : 's'} that ${bad.count === 1 ? 'is' : 'are'} not a number: ${shown}${bad.count > bad.first.length ? ', …' : ''}`,
    fix: `Correct them, leave them empty (or NA) to have them imputed${expected.startsWith('numbers') ? `, or pass --categorical ${col.name} if the column holds categories` : ''}.`,
  });
}

/** A table's label column and the rows taken from it. */
export interface LabelRows {
  table: RawTable;
  column: ColumnData;
  rows: Int32Array;
}

/**
 * The label recipe and the label arrays of both splits: class ids with `coding`, else the targets
 * standardised with the training rows' mean and std (population).
 */
export function encodeLabels(
  train: LabelRows,
  test: LabelRows,
  coding: ClassCoding | undefined,
): { recipe: LabelRecipe; train: Uint16Array | Float32Array; test: Uint16Array | Float32Array } {
  const column = train.column.name;
  if (coding) {
    const ids = (l: LabelRows) => classIds(l.table, l.column, l.rows, coding);
    const [trainIds, testIds] = [ids(train), ids(test)];
    const histogram = (a: Uint16Array) => {
      const h = new Array<number>(coding.classes.length).fill(0);
      for (const c of a) h[c]!++;
      return h;
    };
    const histograms = { train: histogram(trainIds), test: histogram(testIds) };
    const recipe: LabelRecipe = {
      task: 'classification',
      column,
      classes: coding.classes,
      histogram: histograms,
    };
    return { recipe, train: trainIds, test: testIds };
  }
  const y = Float64Array.from(train.rows, (r) => train.column.numbers[r]!);
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const std = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length);
  const min = y.reduce((a, v) => Math.min(a, v), Number.POSITIVE_INFINITY);
  const max = y.reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY);
  if (min === max) {
    throw new TableInputError({
      file: train.table.file,
      at: `column ${JSON.stringify(column)}`,
      expected: 'a regression target that varies',
      found: `the same value, ${min}, in all ${y.length} training rows`,
      fix: 'Check that --label names the right column.',
    });
  }
  const z = (l: LabelRows) => Float32Array.from(l.rows, (i) => (l.column.numbers[i]! - mean) / std);
  const recipe: LabelRecipe = { task: 'regression', column, mean, std, min, max };
  return { recipe, train: z(train), test: z(test) };
}
