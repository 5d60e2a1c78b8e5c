/** What preparing a table did, in sentences for the user: dropped columns, imputations, one-hot, rows. */
import type { FeatureStep, TableManifest } from './manifest.ts';

export function describeRecipe(
  r: Pick<TableManifest, 'dropped' | 'features' | 'rows_without_label' | 'options'>,
): string[] {
  const out: string[] = [];
  for (const d of r.dropped) out.push(`dropped column ${JSON.stringify(d.column)}: ${d.reason}`);
  for (const s of r.features) {
    const n = s.missing.train + s.missing.test;
    if (n > 0) {
      const by =
        s.type === 'numeric'
          ? `the training median ${fmt(s.median)}`
          : `the most frequent category ${JSON.stringify(s.most_frequent)}`;
      out.push(
        `column ${JSON.stringify(s.column)}: ${n} missing value${n === 1 ? '' : 's'} imputed with ${by} ` +
          `(${s.missing.train} train, ${s.missing.test} test)`,
      );
    }
    if (s.type === 'categorical') {
      const pooled =
        s.pooled > 0 ? ` + (other) pooling ${s.pooled} ${s.pooled === 1 ? 'category' : 'categories'}` : '';
      out.push(
        `column ${JSON.stringify(s.column)}: one-hot, ${s.categories.length} categories${pooled} ` +
          `(at most ${r.options.max_categories} kept, each in ≥ ${r.options.min_category_rows} training rows)`,
      );
    }
  }
  const w = r.rows_without_label;
  if (w.train + w.test > 0) {
    const where =
      r.options.test === 'file' ? ` (${w.train} in the training file, ${w.test} in the test file)` : '';
    out.push(`${w.train + w.test} rows without a label skipped${where}`);
  }
  return out;
}

/** Test values of a categorical column that the training rows never showed, and where they went. */
export function unseenNotices(
  steps: readonly FeatureStep[],
  counts: readonly { unseen: number }[],
): string[] {
  return steps.flatMap((s, k) => {
    const n = counts[k]?.unseen ?? 0;
    if (s.type !== 'categorical' || n === 0) return [];
    const where = s.other ? 'encoded as (other)' : 'encoded as all zeros (nothing was pooled into (other))';
    return [
      `column ${JSON.stringify(s.column)}: ${n} test value${n === 1 ? '' : 's'} never seen in training, ${where}`,
    ];
  });
}

/** A number in at most 6 significant digits, without trailing zeros. */
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
