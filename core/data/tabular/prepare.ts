/**
 * A table, as read, to training data: the label and task, the train/test split, the feature columns and
 * their fitted preprocessing, dense float32 features, and notices saying what was done. Pure: readers and
 * the store are the callers' (adapters/data/tabular/, core/data/tabular/build.ts). Every check runs here,
 * before anything is written.
 */
import type { TableDataset } from '../../dataset.ts';
import type { SourceFile } from '../shards.ts';
import type { ColumnData } from './columns.ts';
import { listNames, TableInputError } from './errors.ts';
import { type Fitted, fitCategorical, fitNumeric } from './fit.ts';
import {
  type ClassCoding,
  classIds,
  encodeLabels,
  fitClasses,
  inferTask,
  requireNumbers,
  type Task,
  type TaskChoice,
} from './label.ts';
import {
  stepNames,
  stepWidth,
  type TableManifest,
  type TableOptionsRecord,
  tableVersion,
} from './manifest.ts';
import { checkFits, type MemoryLimit } from './memory.ts';
import { describeRecipe, unseenNotices } from './notices.ts';
import { planColumn } from './plan.ts';
import { splitRows } from './split.ts';
import type { RawTable } from './table.ts';
import { type BoundStep, encodeRows } from './transform.ts';

export const DEFAULT_TEST_SPLIT = 0.2;
/** One-hot inputs per categorical column at most (the most frequent categories; the rest pooled). */
export const DEFAULT_MAX_CATEGORIES = 20;
/** A category in fewer training rows than this is pooled into `(other)`. */
export const DEFAULT_MIN_CATEGORY_ROWS = 5;

export interface TablePrepareOptions {
  name: string;
  label: string;
  task?: Task;
  /** Share of the rows held out for test when there is no test table (default 0.2). */
  testSplit?: number;
  seed?: number;
  categorical?: string[];
  drop?: string[];
  maxCategories?: number;
  minCategoryRows?: number;
  /** What a worker can give the data set: features and labels of both splits must fit. */
  memory: MemoryLimit;
}

/** The manifest's fields that describe the data, not its shards. */
export type TableRecipe = Omit<TableManifest, 'created_by' | 'created_at' | 'train' | 'test'>;

export interface PreparedTable {
  dataset: TableDataset;
  recipe: TableRecipe;
  task: TaskChoice;
  /** What was done that the user should know, one sentence each. */
  notices: string[];
}

/** The two tables (the test one: the training table itself when the test rows are held out of it). */
interface Tables {
  train: RawTable;
  test: RawTable;
  testFile: boolean;
  label: { train: ColumnData; test: ColumnData };
}

interface Rows {
  train: Int32Array;
  test: Int32Array;
  withoutLabel: { train: number; test: number };
  coding: ClassCoding | undefined;
}

export function prepareTable(
  trainTable: RawTable,
  testTable: RawTable | undefined,
  source: SourceFile[],
  o: TablePrepareOptions,
): PreparedTable {
  const options = optionsRecord(o, testTable !== undefined);
  const tables = locate(trainTable, testTable, options);
  const { task, rows } = chooseRows(tables, o.task, options);
  const bound = fitFeatures(tables, rows.train, options);
  const inputs = bound.train.reduce((s, b) => s + stepWidth(b.step), 0);
  const labelBytes = task.task === 'classification' ? 2 : 4;
  checkFits(trainTable.file, { rows: rows.train.length + rows.test.length, inputs, labelBytes }, o.memory);
  const trainEnc = encodeRows(tables.train, bound.train, rows.train, inputs);
  const testEnc = encodeRows(tables.test, bound.test, rows.test, inputs);
  const features = bound.train.map((b, k) => ({
    ...b.step,
    missing: { train: trainEnc.counts[k]!.missing, test: testEnc.counts[k]!.missing },
  }));
  const label = encodeLabels(
    { table: tables.train, column: tables.label.train, rows: rows.train },
    { table: tables.test, column: tables.label.test, rows: rows.test },
    rows.coding,
  );
  const version = tableVersion(source, options);
  const featureNames = features.flatMap(stepNames);
  const recipe: TableRecipe = {
    kind: 'table',
    name: o.name,
    version,
    task: task.task,
    inputs,
    outputs: label.recipe.task === 'classification' ? label.recipe.classes.length : 1,
    source,
    label: label.recipe,
    features,
    feature_names: featureNames,
    dropped: bound.dropped,
    rows_without_label: rows.withoutLabel,
    options,
  };
  const common = { kind: 'table' as const, name: o.name, version, inputs, featureNames, steps: features };
  const split = <L extends Uint16Array | Float32Array>(f: Float32Array, l: L, count: number) => ({
    features: f,
    labels: l,
    count,
  });
  const dataset: TableDataset =
    label.recipe.task === 'classification'
      ? {
          ...common,
          task: 'classification',
          classes: label.recipe.classes.length,
          classNames: label.recipe.classes,
          train: split(trainEnc.features, label.train as Uint16Array, rows.train.length),
          test: split(testEnc.features, label.test as Uint16Array, rows.test.length),
        }
      : {
          ...common,
          task: 'regression',
          target: { name: o.label, mean: label.recipe.mean, std: label.recipe.std },
          train: split(trainEnc.features, label.train as Float32Array, rows.train.length),
          test: split(testEnc.features, label.test as Float32Array, rows.test.length),
        };
  const notices = [
    ...trainTable.notices,
    ...(testTable?.notices ?? []),
    ...describeRecipe(recipe),
    ...unseenNotices(features, testEnc.counts),
  ];
  return { dataset, recipe, task, notices };
}

function optionsRecord(o: TablePrepareOptions, testFile: boolean): TableOptionsRecord {
  return {
    label: o.label,
    ...(o.task ? { task: o.task } : {}),
    test: testFile ? 'file' : (o.testSplit ?? DEFAULT_TEST_SPLIT),
    seed: o.seed ?? 0,
    max_categories: o.maxCategories ?? DEFAULT_MAX_CATEGORIES,
    min_category_rows: o.minCategoryRows ?? DEFAULT_MIN_CATEGORY_ROWS,
    categorical: [...new Set(o.categorical ?? [])].sort(),
    drop: [...new Set(o.drop ?? [])].sort(),
  };
}

/** Checks that the tables have rows and the columns named on the command line; finds the label. */
function locate(train: RawTable, test: RawTable | undefined, options: TableOptionsRecord): Tables {
  for (const t of [train, test]) if (t) requireRows(t);
  const label = column(train, options.label, '--label');
  for (const [flag, names] of [
    ['--categorical', options.categorical],
    ['--drop', options.drop],
  ] as const) {
    for (const name of names) {
      if (name === options.label) {
        throw problem(train, `${flag} ${name}`, 'a column other than the label', 'the label');
      }
      column(train, name, flag);
    }
  }
  if (!test) return { train, test: train, testFile: false, label: { train: label, test: label } };
  return {
    train,
    test,
    testFile: true,
    label: { train: label, test: column(test, options.label, '--label') },
  };
}

/** The task, and the training and test rows: labelled rows only, the test ones held out if need be. */
function chooseRows(
  t: Tables,
  given: Task | undefined,
  options: TableOptionsRecord,
): { task: TaskChoice; rows: Rows } {
  const trainLabelled = labelledRows(t.train, t.label.train);
  if (trainLabelled.length === 0) {
    const at = `column ${JSON.stringify(options.label)}`;
    throw problem(t.train, at, 'a label in at least some rows', 'no row with one');
  }
  const task: TaskChoice = given
    ? { task: given, reason: 'given with --task' }
    : inferTask(t.label.train, trainLabelled);
  if (task.task === 'regression') {
    requireNumbers(t.train, t.label.train, 'numbers (a regression target)');
    requireNumbers(t.test, t.label.test, 'numbers (a regression target)');
  }
  const coding =
    task.task === 'classification' ? fitClasses(t.train, t.label.train, trainLabelled) : undefined;
  if (t.testFile) {
    const test = labelledRows(t.test, t.label.test);
    const withoutLabel = { train: t.train.rows - trainLabelled.length, test: t.test.rows - test.length };
    return { task, rows: { train: trainLabelled, test, withoutLabel, coding } };
  }
  const ids = coding && classIds(t.train, t.label.train, trainLabelled, coding);
  const group = new Map<number, number>();
  if (ids) for (let k = 0; k < ids.length; k++) group.set(trainLabelled[k]!, ids[k]!);
  const split = splitRows(trainLabelled, (r) => group.get(r) ?? 0, options.test as number, options.seed);
  if (split.test.length === 0) {
    throw problem(
      t.train,
      undefined,
      'enough labelled rows to hold some out for test',
      `${trainLabelled.length}`,
      'Add rows, raise --test-split, or give the test rows with --test <file>.',
    );
  }
  const withoutLabel = { train: t.train.rows - trainLabelled.length, test: 0 };
  return { task, rows: { ...split, withoutLabel, coding } };
}

/** Plans every column but the label and fits the kept ones on the training rows. */
function fitFeatures(
  t: Tables,
  trainRows: Int32Array,
  options: TableOptionsRecord,
): { train: BoundStep[]; test: BoundStep[]; dropped: { column: string; reason: string }[] } {
  const train: BoundStep[] = [];
  const test: BoundStep[] = [];
  const dropped: { column: string; reason: string }[] = [];
  const fitOptions = { maxCategories: options.max_categories, minRows: options.min_category_rows };
  for (const col of t.train.columns) {
    if (col === t.label.train) continue;
    const role = planColumn(t.train, col, {
      categorical: options.categorical.includes(col.name),
      drop: options.drop.includes(col.name),
    });
    const fitted: Fitted =
      role.role === 'dropped'
        ? { dropped: role.reason }
        : role.role === 'numeric'
          ? fitNumeric(col, trainRows)
          : fitCategorical(col, trainRows, fitOptions);
    if ('dropped' in fitted) {
      dropped.push({ column: col.name, reason: fitted.dropped });
      continue;
    }
    const known = fitted.known ? { known: fitted.known } : {};
    train.push({ step: fitted.step, column: col, ...known });
    const tc = t.testFile ? column(t.test, col.name, 'the training file') : col;
    if (fitted.step.type === 'numeric') requireNumbers(t.test, tc, 'numbers, as in the training file');
    test.push({ step: fitted.step, column: tc, ...known });
  }
  if (train.length === 0) {
    const why = dropped.map((d) => `${JSON.stringify(d.column)}: ${d.reason}`).join('; ');
    throw problem(
      t.train,
      undefined,
      'at least one feature column besides the label',
      dropped.length === 0 ? 'only the label' : `every other column dropped (${why})`,
      'Add feature columns, or --drop fewer.',
    );
  }
  return { train, test, dropped };
}

function labelledRows(t: RawTable, c: ColumnData): Int32Array {
  const out = new Int32Array(t.rows);
  let n = 0;
  for (let i = 0; i < t.rows; i++) if (!isMissing(c, i)) out[n++] = i;
  return out.slice(0, n);
}

/** A cell that was missing (not a number and, when the column has codes, without one). */
const isMissing = (c: ColumnData, i: number) =>
  Number.isNaN(c.numbers[i]!) && (c.codes ? c.codes[i]! < 0 : c.nonNumeric.count === 0);

function problem(
  t: RawTable,
  at: string | undefined,
  expected: string,
  found: string,
  fix = 'Check the command line.',
): TableInputError {
  return new TableInputError({ file: t.file, ...(at ? { at } : {}), expected, found, fix });
}

function requireRows(t: RawTable): void {
  if (t.rows > 0) return;
  const names = t.columns.map((c) => c.name);
  const found = names.length === 0 ? 'an empty file' : `the header (${listNames(names)}) and no rows`;
  throw problem(t, undefined, 'a header line and at least one row', found, 'Give a file with data.');
}

/** The column named `name`, or an error listing the table's columns. */
function column(t: RawTable, name: string, flag: string): ColumnData {
  const c = t.columns.find((x) => x.name === name);
  if (c) return c;
  const names = t.columns.map((x) => x.name);
  const folded = names.find((n) => n.toLowerCase() === name.toLowerCase());
  const fix = folded
    ? `Names are case-sensitive: did you mean ${JSON.stringify(folded)}?`
    : flag === 'the training file'
      ? 'Give a test file with the training file’s columns.'
      : `Pass ${flag} with one of them.`;
  const expected = `a column ${JSON.stringify(name)} (${flag === 'the training file' ? 'as in the training file' : `named by ${flag}`})`;
  throw new TableInputError({
    file: t.file,
    at: 'the header',
    expected,
    found: `the columns ${listNames(names, 50)}`,
    fix,
  });
}
