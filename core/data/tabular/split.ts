/**
 * The train/test split of a table that comes as one file: deterministic for a seed, stratified by class
 * for classification (every class keeps its share in both splits), independent of any PRNG the trainer
 * uses (a data set's version names its split, so the split must never change for the same inputs).
 *
 * Rule: within each group (a class, or all rows for regression), rows are ranked by
 * key(i) = fmix32(imul(i, 0x9E3779B1) ⊕ fmix32(seed ⊕ 0x85EBCA6B)) (i: the row's index in the file;
 * fmix32: MurmurHash3's finaliser, a bijection, so keys never tie); the first round(fraction · n) rows of
 * the group go to test, at most n − 1 of them (a class of one row stays in train). Both splits keep file
 * order.
 */

function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85eb_ca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2_ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The ranking key of row `i` for `seed`. */
export function splitKey(i: number, seed: number): number {
  return fmix32(Math.imul(i, 0x9e37_79b1) ^ fmix32((seed ^ 0x85eb_ca6b) >>> 0));
}

/**
 * Splits `rows` (row indices, in file order) into train and test. `group(i)` is row i's stratum (class id;
 * a constant for no stratification).
 */
export function splitRows(
  rows: Int32Array,
  group: (i: number) => number,
  fraction: number,
  seed: number,
): { train: Int32Array; test: Int32Array } {
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`split fraction must be in (0, 1), got ${fraction}`);
  const groups = new Map<number, number[]>();
  for (const i of rows) {
    const g = group(i);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  }
  const isTest = new Set<number>();
  for (const list of groups.values()) {
    const take = Math.min(Math.round(fraction * list.length), list.length - 1);
    const ranked = list
      .map((i) => ({ i, key: splitKey(i, seed) }))
      .sort((a, b) => a.key - b.key)
      .slice(0, take);
    for (const r of ranked) isTest.add(r.i);
  }
  const test = rows.filter((i) => isTest.has(i));
  const train = rows.filter((i) => !isTest.has(i));
  return { train, test };
}
