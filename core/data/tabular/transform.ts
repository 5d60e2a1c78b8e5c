/**
 * Applying fitted feature steps (manifest.ts states the rule) to rows of a table: a dense row-major
 * float32 matrix, one row per row index, `inputs` wide. Test rows are encoded with the training fit; the
 * missing values met on the way are counted into each step's `missing.test` by the caller's choice.
 */
import type { ColumnData } from './columns.ts';
import { TableInputError } from './errors.ts';
import { type CategoricalStep, type FeatureStep, type NumericStep, stepWidth } from './manifest.ts';
import type { RawTable } from './table.ts';

/** A fitted step and the column of the table it reads. */
export interface BoundStep {
  step: FeatureStep;
  column: ColumnData;
}

/** Where a step writes: row k's inputs start at k·inputs; this step's at `offset` within them. */
interface Target {
  rows: Int32Array;
  out: Float32Array;
  inputs: number;
  offset: number;
}

/** Encodes `rows` of `t`; returns the features and, per step, how many of the rows were missing. */
export function encodeRows(
  t: RawTable,
  steps: readonly BoundStep[],
  rows: Int32Array,
  inputs: number,
): { features: Float32Array; missing: number[] } {
  const out = new Float32Array(rows.length * inputs);
  const missing: number[] = [];
  let offset = 0;
  for (const { step, column } of steps) {
    const target: Target = { rows, out, inputs, offset };
    missing.push(
      step.type === 'numeric'
        ? encodeNumeric(step, column, target)
        : encodeCategorical(t, step, column, target),
    );
    offset += stepWidth(step);
  }
  return { features: out, missing };
}

function encodeNumeric(s: NumericStep, col: ColumnData, { rows, out, inputs, offset }: Target): number {
  let missing = 0;
  for (let k = 0; k < rows.length; k++) {
    let v = col.numbers[rows[k]!]!;
    if (Number.isNaN(v)) {
      v = s.median;
      missing++;
    }
    out[k * inputs + offset] = (v - s.mean) / s.std;
  }
  return missing;
}

function encodeCategorical(t: RawTable, s: CategoricalStep, col: ColumnData, to: Target): number {
  const codes = col.codes;
  if (!codes) {
    throw new TableInputError({
      file: t.file,
      at: `column ${JSON.stringify(col.name)}`,
      expected: `categories, as in the training rows (${s.categories.length} kept)`,
      found: 'more distinct values than a column of categories can have',
      fix: `Check that the file's column ${JSON.stringify(col.name)} is the training file's, or --drop it.`,
    });
  }
  const index = new Map(s.categories.map((c, i) => [c, i]));
  const other = s.other ? s.categories.length : -1;
  // Position of each of the table's own codes (its dictionary differs from the training table's).
  const slot = col.values.map((v) => index.get(v) ?? other);
  const imputed = index.get(s.most_frequent) ?? other;
  let missing = 0;
  for (let k = 0; k < to.rows.length; k++) {
    const c = codes[to.rows[k]!]!;
    if (c < 0) missing++;
    const at = c < 0 ? imputed : slot[c]!;
    if (at >= 0) to.out[k * to.inputs + to.offset + at] = 1;
  }
  return missing;
}
