/**
 * The preprocessing of tables (core/data/tabular): against scikit-learn's own pipeline on the same rows
 * (fixtures/mixed-*.csv, mixed-sklearn.json), and the rules it states: typing and drops, task inference,
 * training-split-only statistics, the split, the regression target, the version.
 */
import { describe, expect, it } from 'vitest';
import { readTableFile } from '../../../adapters/data/tabular/read.ts';
import { prepareTable, type TablePrepareOptions } from '../../../core/data/tabular/prepare.ts';
import { splitKey, splitRows } from '../../../core/data/tabular/split.ts';
import { type RawTable, TableBuilder } from '../../../core/data/tabular/table.ts';
import type { TableDataset } from '../../../core/dataset.ts';
import { fixture, fixtureJson, MEMORY } from './helpers.ts';

const SOURCE = [{ file: 'f.csv', md5: '0'.repeat(32) }];
const opts = (o: Partial<TablePrepareOptions> = {}): TablePrepareOptions => ({
  name: 't',
  label: 'label',
  memory: MEMORY,
  ...o,
});
const read = async (name: string, label = 'label') =>
  (await readTableFile(fixture(name), { label, memory: MEMORY })).table;

/** A table from columns of cells (null: missing). */
function table(columns: Record<string, (string | number | null)[]>): RawTable {
  const names = Object.keys(columns);
  const b = new TableBuilder('mem.csv', 'test', names);
  const rows = columns[names[0]!]!.length;
  for (let i = 0; i < rows; i++) b.addRow(names.map((n) => columns[n]![i]));
  return b.finish();
}

const rowsOf = (features: Float32Array, inputs: number) =>
  Array.from({ length: features.length / inputs }, (_, i) => [
    ...features.subarray(i * inputs, (i + 1) * inputs),
  ]);

describe('against scikit-learn', () => {
  it('gives the features of SimpleImputer → StandardScaler / OneHotEncoder(min_frequency, infrequent_if_exist)', async () => {
    const sk = fixtureJson<{ feature_names: string[]; train: number[][]; test: number[][] }>(
      'mixed-sklearn.json',
    );
    const p = prepareTable(
      await read('mixed-train.csv'),
      await read('mixed-test.csv'),
      SOURCE,
      opts({ minCategoryRows: 7 }),
    );
    const ds = p.dataset;
    expect(ds.featureNames).toEqual([
      'age',
      'income',
      'color=blue',
      'color=green',
      'color=red',
      'color=(other)',
      'size=L',
      'size=M',
      'size=S',
    ]);
    const skName = (n: string) =>
      n.replace(/^x0$/, 'age').replace(/^x1$/, 'income').replace(/^x2_/, 'color=').replace(/^x3_/, 'size=');
    expect(sk.feature_names.map((n) => skName(n).replace('infrequent_sklearn', '(other)'))).toEqual(
      ds.featureNames,
    );
    const close = (ours: number[][], theirs: number[][]) => {
      expect(ours.length).toBe(theirs.length);
      for (const [i, row] of ours.entries()) {
        for (const [j, v] of row.entries()) expect(v).toBeCloseTo(theirs[i]![j]!, 5);
      }
    };
    close(rowsOf(ds.train.features, ds.inputs), sk.train);
    close(rowsOf(ds.test.features, ds.inputs), sk.test); // "teal" → (other); "XL" (nothing pooled) → zeros
    expect(p.recipe.dropped.map((d) => d.column)).toEqual(['id', 'const']);
    expect(p.notices).toContain('column "color": 3 test values never seen in training, encoded as (other)');
    expect(p.notices).toContain(
      'column "size": 1 test value never seen in training, encoded as all zeros (nothing was pooled into (other))',
    );
  });
});

describe('preparation rules', () => {
  it('infers the task from the label and says why; --task overrides', () => {
    const n = 30;
    const x = Array.from({ length: n }, (_, i) => (i * 7) % 11);
    const classes = prepareTable(table({ x, label: x.map((v) => v % 3) }), undefined, SOURCE, opts());
    expect(classes.task).toEqual({
      task: 'classification',
      reason: expect.stringContaining('3 distinct values'),
    });
    const floats = prepareTable(table({ x, label: x.map((v) => v / 3) }), undefined, SOURCE, opts());
    expect(floats.task.task).toBe('regression');
    const forced = prepareTable(
      table({ x, label: x.map((v) => v % 3) }),
      undefined,
      SOURCE,
      opts({ task: 'regression' }),
    );
    expect(forced.task).toEqual({ task: 'regression', reason: 'given with --task' });
    expect(forced.recipe.outputs).toBe(1);
    const text = prepareTable(
      table({ x, label: x.map((v) => (v % 2 ? 'odd' : 'even')) }),
      undefined,
      SOURCE,
      opts(),
    );
    expect(text.task.reason).toMatch(/text values such as "odd"|text values such as "even"/);
    expect(text.dataset.task === 'classification' && text.dataset.classNames).toEqual(['even', 'odd']);
  });

  it('fits on the training rows only: the test rows never move the mean, std or median', async () => {
    const train = await read('mixed-train.csv');
    const a = prepareTable(train, await read('mixed-test.csv'), SOURCE, opts());
    const scaled = table({
      age: [1000, 2000, 3000],
      income: [1, 2, 3],
      color: ['red', 'red', 'blue'],
      size: ['S', 'M', 'L'],
      label: ['yes', 'no', 'yes'],
    });
    const b = prepareTable(train, scaled, SOURCE, opts());
    expect(b.recipe.features).toEqual(
      a.recipe.features.map((f) => ({ ...f, missing: { ...f.missing, test: 0 } })),
    );
    const age = a.recipe.features[0]!;
    expect(age).toMatchObject({ column: 'age', type: 'numeric', missing: { train: 9, test: 2 } });
  });

  it('splits deterministically, stratified, keeping file order; another seed gives another split', () => {
    const rows = Int32Array.from({ length: 100 }, (_, i) => i);
    const cls = (i: number) => (i < 70 ? 0 : 1);
    const s = splitRows(rows, cls, 0.2, 0);
    expect(s.test.length).toBe(20);
    expect([...s.test].filter((i) => cls(i) === 1).length).toBe(6); // 30 % of each split is class 1
    expect([...s.train]).toEqual([...s.train].sort((a, b) => a - b));
    expect(splitRows(rows, cls, 0.2, 0)).toEqual(s);
    expect([...splitRows(rows, cls, 0.2, 1).test]).not.toEqual([...s.test]);
    expect(splitKey(0, 0)).toBe(splitKey(0, 0));
    const single = splitRows(Int32Array.from([5]), () => 0, 0.5, 0); // a class of one row stays in train
    expect([...single.train, ...single.test]).toEqual([5]);
    expect(single.test.length).toBe(0);
  });

  it('standardises a regression target with the training rows and keeps what turns it back', async () => {
    const t = await read('regress.csv', 'y');
    const p = prepareTable(t, undefined, SOURCE, opts({ label: 'y' }));
    const ds = p.dataset as Extract<TableDataset, { task: 'regression' }>;
    const mean = [...ds.train.labels].reduce((s, v) => s + v, 0) / ds.train.count;
    expect(mean).toBeCloseTo(0, 5);
    const y = t.columns[3]!.numbers;
    const back = ds.test.labels[0]! * ds.target.std + ds.target.mean;
    expect([...y].some((v) => Math.abs(v - back) < 1e-4)).toBe(true);
    expect(p.recipe.label).toMatchObject({ task: 'regression', column: 'y', std: ds.target.std });
  });

  it('drops constant, ID-like and empty columns with the reason, and pools categories past the cap', () => {
    const n = 40;
    const p = prepareTable(
      table({
        row: Array.from({ length: n }, (_, i) => 100 + i),
        code: Array.from({ length: n }, (_, i) => `c${i}`),
        flat: Array.from({ length: n }, () => 7),
        none: Array.from({ length: n }, () => null),
        cat: Array.from({ length: n }, (_, i) => ['a', 'b', 'c', 'd', 'e'][i % 5]!),
        x: Array.from({ length: n }, (_, i) => Math.sin(i)),
        label: Array.from({ length: n }, (_, i) => i % 2),
      }),
      undefined,
      SOURCE,
      opts({ maxCategories: 3, minCategoryRows: 1 }),
    );
    expect(Object.fromEntries(p.recipe.dropped.map((d) => [d.column, d.reason]))).toEqual({
      row: expect.stringMatching(/^ID-like/),
      code: 'ID-like: every value is different',
      flat: 'constant: every training value is 7',
      none: 'every value is missing',
    });
    const cat = p.recipe.features.find((f) => f.column === 'cat')!;
    expect(cat).toMatchObject({ type: 'categorical', other: true, pooled: 2 });
    expect(cat.type === 'categorical' && cat.categories.length).toBe(3);
    expect(p.dataset.inputs).toBe(4 + 1);
    expect(p.notices.join('\n')).toMatch(
      /column "cat": one-hot, 3 categories \+ \(other\) pooling 2 categories/,
    );
  });

  it('one-hots integer columns named with --categorical and leaves out --drop columns', () => {
    const n = 30;
    const p = prepareTable(
      table({
        zip: Array.from({ length: n }, (_, i) => [10, 20, 30][i % 3]!),
        x: Array.from({ length: n }, (_, i) => i % 7),
        label: Array.from({ length: n }, (_, i) => i % 2),
      }),
      undefined,
      SOURCE,
      opts({ categorical: ['zip'], drop: ['x'] }),
    );
    expect(p.dataset.featureNames).toEqual(['zip=10', 'zip=20', 'zip=30']);
    expect(p.recipe.dropped).toEqual([{ column: 'x', reason: 'asked with --drop' }]);
  });

  it('derives the version from the source files and the options', () => {
    const t = table({ x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], label: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] });
    const v = (o: Partial<TablePrepareOptions>, source = SOURCE) =>
      prepareTable(t, undefined, source, opts(o)).dataset.version;
    expect(v({})).toBe(v({}));
    expect(v({ seed: 1 })).not.toBe(v({}));
    expect(v({ testSplit: 0.3 })).not.toBe(v({}));
    expect(v({}, [{ file: 'other-name.csv', md5: '0'.repeat(32) }])).toBe(v({}));
    expect(v({}, [{ file: 'f.csv', md5: '1'.repeat(32) }])).not.toBe(v({}));
  });
});
