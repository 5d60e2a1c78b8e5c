/**
 * A prepared row back in the source's terms, for the report's tables of a trial's worst rows: numeric
 * inputs un-standardised (x·std + mean, six significant digits: the stored float32 holds no more), one-hot
 * groups read back as their category (`(other)` for the pooled ones; null when no input of the group is
 * set). A value that was missing reads as what imputed it (the median, the most frequent category): the
 * shards do not keep which values were missing.
 */
import type { TableDataset } from '../../dataset.ts';
import type { TableRowValues } from '../../result.ts';
import type { FeatureStep } from './manifest.ts';

/** Row `x` (one row's inputs, in the steps' order) as column → value. */
export function decodeRow(steps: readonly FeatureStep[], x: ArrayLike<number>): TableRowValues {
  const out: TableRowValues = {};
  let at = 0;
  for (const s of steps) {
    if (s.type === 'numeric') {
      out[s.column] = Number((x[at]! * s.std + s.mean).toPrecision(6));
      at++;
      continue;
    }
    const names = s.other ? [...s.categories, '(other)'] : s.categories;
    let value: string | null = null;
    for (let i = 0; i < names.length; i++) if (x[at + i]! > 0.5) value = names[i]!;
    out[s.column] = value;
    at += names.length;
  }
  return out;
}

/** Test row `index` of a prepared table, decoded. */
export function testRow(ds: TableDataset, index: number): TableRowValues {
  const w = ds.inputs;
  return decodeRow(ds.steps, ds.test.features.subarray(index * w, (index + 1) * w));
}
