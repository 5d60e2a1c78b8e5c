/**
 * Applying fitted feature steps (manifest.ts states the rule) to rows of a table: a dense row-major
 * float32 matrix, one row per row index, `inputs` wide. Test rows are encoded with the training fit; the
 * missing values met on the way, and the categories the fit never saw, are counted per step.
 */
import type { ColumnData } from './columns.ts';
import { TableInputError } from './errors.ts';
import { type CategoricalStep, type FeatureStep, type NumericStep, stepWidth } from './manifest.ts';
import type { RawTable } from './table.ts';

/** A fitted step and the column of the table it reads. */
export interface BoundStep {
  step: FeatureStep;
  column: ColumnData;
  /** A categorical step's training categories, kept or pooled (to count the values it never saw). */
  known?: ReadonlySet<string>;
}

/** Where a step writes: row k's inputs start at k·inputs; this step's at `offset` within them. */
interface Target {
  rows: Int32Array;
  out: Float32Array;
  inputs: number;
  offset: number;
}

/** What encoding met in one step's column: missing values, and values not among the fit's categories. */
export interface StepCounts {
  missing: number;
  unseen: number;
}

/** Encodes `rows` of `t`; returns the features and, per step, what it met. */
export function encodeRows(
  t: RawTable,
  steps: readonly BoundStep[],
  rows: Int32Array,
  inputs: number,
): { features: Float32Array; counts: StepCounts[] } {
  const out = new Float32Array(rows.length * inputs);
  const counts: StepCounts[] = [];
  let offset = 0;
  for (const b of steps) {
    const target: Target = { rows, out, inputs, offset };
    const s = b.step;
    counts.push(
      s.type === 'numeric'
        ? encodeNumeric(s, b.column, target)
        : encodeCategorical(t, s, b.column, b.known, target),
    );
    offset += stepWidth(s);
  }
  return { features: out, counts };
}

function encodeNumeric(s: NumericStep, col: ColumnData, { rows, out, inputs, offset }: Target): StepCounts {
  let missing = 0;
  for (let k = 0; k < rows.length; k++) {
    let v = col.numbers[rows[k]!]!;
    if (Number.isNaN(v)) {
      v = s.median;
      missing++;
    }
    out[k * inputs + offset] = (v - s.mean) / s.std;
  }
  return { missing, unseen: 0 };
}

function encodeCategorical(
  t: RawTable,
  s: CategoricalStep,
  col: ColumnData,
  known: ReadonlySet<string> | undefined,
  to: Target,
): StepCounts {
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
  // Per code of this table (its dictionary differs from the training table's): the input it sets, and
  // whether the fit saw the value at all (a pooled category was seen; a new one was not).
  const slot = col.values.map((v) => index.get(v) ?? other);
  const seen = col.values.map((v) => known?.has(v) ?? true);
  const imputed = index.get(s.most_frequent) ?? other;
  let missing = 0;
  let unseen = 0;
  for (let k = 0; k < to.rows.length; k++) {
    const c = codes[to.rows[k]!]!;
    if (c < 0) missing++;
    else if (!seen[c]) unseen++;
    const at = c < 0 ? imputed : slot[c]!;
    if (at >= 0) to.out[k * to.inputs + to.offset + at] = 1;
  }
  return { missing, unseen };
}
