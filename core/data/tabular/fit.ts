/**
 * Fitting the preprocessing of one feature column on the training rows only (no statistic of the test
 * rows leaks into the features), as scikit-learn's SimpleImputer → StandardScaler / OneHotEncoder do:
 *
 * - numeric: missing values take the training median; then mean and std (population, ddof 0) of the
 *   imputed training values. A column with one value in training (min = max) is dropped as constant.
 * - categorical: missing values take the most frequent training category (ties: the first in code-point
 *   order). Kept as inputs: the categories seen in at least `minRows` training rows, the `maxCategories`
 *   most frequent of them (ties by text), in code-point order; every other training category is pooled
 *   into one `(other)` input (OneHotEncoder's min_frequency / max_categories with handle_unknown =
 *   'infrequent_if_exist'); a value never seen in training goes to `(other)` too, or to all zeros when
 *   nothing was pooled. A column with one category in training is dropped as constant.
 */
import type { ColumnData } from './columns.ts';
import type { CategoricalStep, FeatureStep, NumericStep } from './manifest.ts';

export interface FitOptions {
  maxCategories: number;
  minRows: number;
}

/** A fitted step (a categorical one with its training categories, kept or pooled), or why the column goes. */
export type Fitted = { step: FeatureStep; known?: ReadonlySet<string> } | { dropped: string };

export function fitNumeric(col: ColumnData, train: Int32Array): Fitted {
  const present: number[] = [];
  for (const r of train) {
    const v = col.numbers[r]!;
    if (!Number.isNaN(v)) present.push(v);
  }
  if (present.length === 0) return { dropped: 'every training value is missing' };
  present.sort((a, b) => a - b);
  const mid = present.length >> 1;
  const median = present.length % 2 === 1 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
  const missing = train.length - present.length;
  const min = Math.min(present[0]!, median);
  const max = Math.max(present.at(-1)!, median);
  if (min === max) return { dropped: `constant: every training value is ${min}` };
  let sum = missing * median;
  for (const v of present) sum += v;
  const mean = sum / train.length;
  let sq = missing * (median - mean) ** 2;
  for (const v of present) sq += (v - mean) ** 2;
  const step: NumericStep = {
    column: col.name,
    type: 'numeric',
    median,
    mean,
    std: Math.sqrt(sq / train.length),
    missing: { train: missing, test: 0 },
  };
  return { step };
}

export function fitCategorical(col: ColumnData, train: Int32Array, opts: FitOptions): Fitted {
  const codes = col.codes!;
  const counts = new Array<number>(col.values.length).fill(0);
  let missing = 0;
  for (const r of train) {
    const c = codes[r]!;
    if (c < 0) missing++;
    else counts[c]!++;
  }
  const seen = counts.flatMap((n, c) => (n > 0 ? [{ value: col.values[c]!, n }] : []));
  if (seen.length === 0) return { dropped: 'every training value is missing' };
  const byText = (a: { value: string }, b: { value: string }) =>
    a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  const ranked = [...seen].sort((a, b) => b.n - a.n || byText(a, b));
  const mostFrequent = ranked[0]!;
  if (seen.length === 1)
    return { dropped: `constant: every training value is ${JSON.stringify(mostFrequent.value)}` };
  const kept = ranked
    .filter((c) => c.n + (c === mostFrequent ? missing : 0) >= opts.minRows)
    .slice(0, opts.maxCategories);
  const pooled = seen.length - kept.length;
  if (kept.length === 0) {
    return { dropped: `every category is in fewer than ${opts.minRows} training rows` };
  }
  const step: CategoricalStep = {
    column: col.name,
    type: 'categorical',
    categories: kept.sort(byText).map((c) => c.value),
    other: pooled > 0,
    pooled,
    most_frequent: mostFrequent.value,
    missing: { train: missing, test: 0 },
  };
  return { step, known: new Set(seen.map((c) => c.value)) };
}
