/** `value` / `values` / `probabilities` of a parameter: each value checked against its trial key. */
import { canonicalJson } from '../../canonical.ts';
import type { ProblemList } from '../problems.ts';
import { describe } from '../util.ts';
import { readNumber } from './read.ts';
import { checkKeyValue } from './values.ts';

/** The checked, canonical values of `raw.values` (duplicates warned), or undefined after an error. */
export function parseValues(p: ProblemList, key: string, vals: unknown, path: string): unknown[] | undefined {
  if (!Array.isArray(vals) || vals.length === 0) {
    p.error(`${path}.values`, 'expected a non-empty array of values', 'non-empty array', describe(vals));
    return undefined;
  }
  const out: unknown[] = [];
  const seen = new Set<string>();
  let okAll = true;
  vals.forEach((v, i) => {
    const c = checkKeyValue(p, key, v, `${path}.values[${i}]`);
    if (!c.ok) {
      okAll = false;
      return;
    }
    const cj = canonicalJson(c.value);
    if (seen.has(cj)) p.warn(`${path}.values[${i}]`, `duplicate value ${cj} (it adds no trial)`);
    seen.add(cj);
    out.push(c.value);
  });
  return okAll ? out : undefined;
}

/** W&B's test of the sum: numpy's isclose(sum, 1) (relative 1e-5, absolute 1e-8). */
const SUM_TOLERANCE = 1e-8 + 1e-5;

/** One probability per value, summing to 1 within rounding (7 × 0.142857): normalised to sum 1. */
export function parseProbabilities(
  p: ProblemList,
  probs: unknown,
  count: number,
  path: string,
): number[] | undefined {
  if (!Array.isArray(probs) || probs.length !== count) {
    p.error(
      `${path}.probabilities`,
      'expected one probability per value',
      `array of ${count} numbers`,
      describe(probs),
    );
    return undefined;
  }
  const ps: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const x = readNumber(p, probs[i], `${path}.probabilities[${i}]`, { min: 0, max: 1 });
    if (x === undefined) return undefined;
    ps.push(x);
  }
  const sum = ps.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    p.error(
      `${path}.probabilities`,
      'probabilities must sum to 1',
      'sum 1 (within 1e-5, as W&B)',
      `sum ${Number(sum.toPrecision(12))}`,
    );
    return undefined;
  }
  // Already 1 up to float rounding: kept as written (so a normalised sweep re-reads the same).
  return Math.abs(sum - 1) <= 1e-12 ? ps : ps.map((x) => x / sum);
}
