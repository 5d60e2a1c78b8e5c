/**
 * NumPy files as tables, and how their label is given:
 *
 * - `.npy`: one 1-D or 2-D array; its columns are named by their index (`0`, `1`, …) and `--label` is a
 *   column index, negative from the end (`--label -1`: the last column).
 * - `.npz` (np.savez / np.savez_compressed): `--label` names the label array (1-D, or n × 1); the features
 *   are `--features <array>`, or else the only other array; feature columns are named `<array>[<j>]`.
 *
 * The zip container is read with fflate; the arrays with npy.ts.
 */
import { promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import { unzipSync } from 'fflate';
import { listNames, TableInputError } from '../../../core/data/tabular/errors.ts';
import { checkFits, type MemoryLimit } from '../../../core/data/tabular/memory.ts';
import { type RawTable, TableBuilder } from '../../../core/data/tabular/table.ts';
import { type NpyArray, NpyError, parseNpy, parseNpyHeader } from './npy.ts';

export interface NumpyReadOptions {
  label: string;
  features?: string;
  memory: MemoryLimit;
}

/** A `.npy` table and its label column's name. */
export async function readNpy(
  path: string,
  o: NumpyReadOptions,
): Promise<{ table: RawTable; label: string }> {
  const bytes = await readBytes(path);
  const head = wrap(path, undefined, () => parseNpyHeader(bytes));
  const [rows = 0, cols = 1] = head.shape;
  checkFits(path, { rows, inputs: cols, labelBytes: 4, estimated: true }, o.memory);
  const a = wrap(path, undefined, () => parseNpy(bytes));
  const names = Array.from({ length: a.cols }, (_, j) => String(j));
  const index = Number(o.label);
  if (!/^-?\d+$/.test(o.label.trim()) || index >= a.cols || index < -a.cols) {
    throw new TableInputError({
      file: path,
      at: '--label',
      expected: `a column index of the ${a.rows} × ${a.cols} array: 0 … ${a.cols - 1}, or negative from the end (-1 = the last)`,
      found: JSON.stringify(o.label),
      fix: 'Pass --label -1 when the label is the last column (a .npy file has no column names).',
    });
  }
  const b = new TableBuilder(path, `NumPy .npy (${a.descr})`, names, { capacity: a.rows });
  addArray(b, a, 0);
  return { table: b.finish(), label: names[(index + a.cols) % a.cols]! };
}

/** A `.npz` table: the features array's columns, then the label array as the column `<label>`. */
export async function readNpz(
  path: string,
  o: NumpyReadOptions,
): Promise<{ table: RawTable; label: string }> {
  const bytes = await readBytes(path);
  const files = wrap(path, undefined, () => unzipSync(bytes, { filter: (f) => f.name.endsWith('.npy') }));
  const arrays = new Map(Object.entries(files).map(([name, data]) => [name.replace(/\.npy$/, ''), data]));
  const names = [...arrays.keys()];
  const pick = (name: string, flag: string): NpyArray => {
    const data = arrays.get(name);
    if (!data) {
      throw new TableInputError({
        file: path,
        at: flag,
        expected: `the name of an array in the file`,
        found: `${JSON.stringify(name)}; the arrays are ${listNames(names)}`,
        fix: `Pass ${flag} with one of them.`,
      });
    }
    return wrap(path, `array ${JSON.stringify(name)}`, () => parseNpy(data));
  };
  const y = pick(o.label, '--label');
  const others = names.filter((n) => n !== o.label);
  const featuresName = o.features ?? (others.length === 1 ? others[0]! : undefined);
  if (featuresName === undefined) {
    throw new TableInputError({
      file: path,
      at: '--features',
      expected: 'one features array besides the label, or --features naming it',
      found: others.length === 0 ? 'only the label array' : `the arrays ${listNames(others)}`,
      fix:
        others.length === 0
          ? 'Save the features in the same file (np.savez(f, X=X, y=y)).'
          : 'Pass --features with one of them.',
    });
  }
  const x = pick(featuresName, '--features');
  if (y.cols !== 1 || x.rows !== y.rows) {
    throw new TableInputError({
      file: path,
      at: `array ${JSON.stringify(o.label)}`,
      expected: `one label per row of ${JSON.stringify(featuresName)}: shape (${x.rows},)`,
      found: `shape (${y.shape.join(', ')})`,
      fix: 'Save the label as a 1-D array with one value per row of the features.',
    });
  }
  const columns = [...Array.from({ length: x.cols }, (_, j) => `${featuresName}[${j}]`), o.label];
  const b = new TableBuilder(
    path,
    `NumPy .npz (${featuresName} ${x.descr}, ${o.label} ${y.descr})`,
    columns,
    {
      capacity: x.rows,
    },
  );
  addArray(b, x, 0);
  addArray(b, y, x.cols);
  return { table: b.finish(), label: o.label };
}

function addArray(b: TableBuilder, a: NpyArray, firstColumn: number): void {
  for (let j = 0; j < a.cols; j++) {
    for (let i = 0; i < a.rows; i++) b.set(firstColumn + j, i, a.at(i, j));
  }
  // A 0-row array still gives the table its width; rows = 0 is reported by the preparation.
}

/** The file's bytes; an empty file is an error. */
async function readBytes(file: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fsp.readFile(file));
  if (bytes.length > 0) return bytes;
  throw new TableInputError({
    file,
    expected: 'a NumPy file',
    found: 'an empty file (0 bytes)',
    fix: 'Give a file with data.',
  });
}

/** Runs `f`, turning an NpyError or a zip error into a TableInputError about `file`. */
function wrap<T>(file: string, at: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TableInputError) throw e;
    const npy = e instanceof NpyError;
    throw new TableInputError({
      file,
      ...(at ? { at } : {}),
      expected: npy
        ? 'a 1-D or 2-D array NumPy can save with np.save'
        : `a zip archive as np.savez writes (${basename(file)})`,
      found: (e as Error).message,
      fix: npy
        ? 'Re-save it with np.save / np.savez from a numeric or string array.'
        : 'Re-save it with np.savez or np.savez_compressed.',
    });
  }
}
