/** The .npy/.npz reader against files written by NumPy (fixtures/make_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy, parseNpyHeader } from '../../../adapters/data/tabular/npy.ts';
import { readNpy, readNpz } from '../../../adapters/data/tabular/numpy.ts';
import { fixture, fixtureJson, MEMORY, problemOf } from './helpers.ts';

const expected = fixtureJson<{
  'regress.npy': number[][];
  'fortran-i2.npy': number[][];
  'f16-be.npy': number[][];
  'classify.npz': { X: number[][]; y: string[] };
}>('numpy-expected.json');

const matrix = (name: string) => {
  const a = parseNpy(new Uint8Array(readFileSync(fixture(name))));
  return Array.from({ length: a.rows }, (_, i) => Array.from({ length: a.cols }, (_, j) => a.at(i, j)));
};

describe('.npy', () => {
  it('reads the header NumPy writes', () => {
    const h = parseNpyHeader(new Uint8Array(readFileSync(fixture('regress.npy'))));
    expect(h).toMatchObject({ descr: '<f8', fortranOrder: false, shape: [12, 4] });
    expect(h.dataOffset % 64).toBe(0);
  });

  it('reads float64, Fortran-ordered int16 and big-endian float16 arrays as NumPy does', () => {
    expect(matrix('regress.npy')).toEqual(expected['regress.npy']);
    expect(matrix('fortran-i2.npy')).toEqual(expected['fortran-i2.npy']);
    expect(matrix('f16-be.npy')).toEqual(expected['f16-be.npy']);
    expect(matrix('bool.npy')).toEqual([['true'], ['false'], ['true']]);
  });

  it('names columns by index and takes --label as an index, negative from the end', async () => {
    const { table, label } = await readNpy(fixture('regress.npy'), { label: '-1', memory: MEMORY });
    expect(table.columns.map((c) => c.name)).toEqual(['0', '1', '2', '3']);
    expect(label).toBe('3');
    expect([...table.columns[3]!.numbers]).toEqual(expected['regress.npy'].map((r) => r[3]));
    expect((await readNpy(fixture('regress.npy'), { label: '0', memory: MEMORY })).label).toBe('0');
  });

  it('refuses a label that is not a column index, and object arrays, saying how to fix it', async () => {
    const bad = await problemOf(readNpy(fixture('regress.npy'), { label: 'y', memory: MEMORY }));
    expect(bad).toMatchObject({ at: '--label', found: '"y"' });
    expect(bad.expected).toContain('0 … 3');
    expect(bad.fix).toContain('--label -1');
    const obj = await problemOf(readNpy(fixture('object.npy'), { label: '0', memory: MEMORY }));
    expect(obj.found).toMatch(/object array .*np\.asarray/);
  });
});

describe('.npz', () => {
  it('reads np.savez: --label names the label array, the features are the other one', async () => {
    const { table, label } = await readNpz(fixture('classify.npz'), { label: 'y', memory: MEMORY });
    expect(label).toBe('y');
    expect(table.columns.map((c) => c.name)).toEqual(['X[0]', 'X[1]', 'X[2]', 'X[3]', 'y']);
    const x = expected['classify.npz'].X;
    expect([...table.columns[2]!.numbers]).toEqual(x.map((r) => r[2]));
    expect(table.columns[4]!.values).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([...table.columns[4]!.codes!]).toEqual(
      expected['classify.npz'].y.map((s) => ['setosa', 'versicolor', 'virginica'].indexOf(s)),
    );
  });

  it('reads np.savez_compressed with big-endian float64 features and int64 labels, given --features', async () => {
    const { table } = await readNpz(fixture('compressed.npz'), {
      label: 'target',
      features: 'features',
      memory: MEMORY,
    });
    const x = expected['classify.npz'].X;
    expect([...table.columns[0]!.numbers]).toEqual(x.map((r) => r[0]));
    expect([...table.columns[4]!.numbers]).toEqual(Array.from({ length: 30 }, (_, i) => i % 2));
  });

  it('lists the arrays when the label or the features are not clear', async () => {
    const noLabel = await problemOf(readNpz(fixture('classify.npz'), { label: 'target', memory: MEMORY }));
    expect(noLabel).toMatchObject({ at: '--label' });
    expect(noLabel.found).toContain('"X", "y"');
    const twoOthers = await problemOf(
      readNpz(fixture('compressed.npz'), { label: 'target', memory: MEMORY }),
    );
    expect(twoOthers).toMatchObject({ at: '--features' });
    expect(twoOthers.found).toContain('"features", "extra"');
  });
});
