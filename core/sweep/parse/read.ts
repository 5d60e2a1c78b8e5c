/** Small readers shared by the sections: numbers, enums, "did you mean". Each reports to a ProblemList. */
import type { ProblemList } from '../problems.ts';
import { describe, suggest } from '../util.ts';

export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s ? ` (did you mean "${s}"?)` : '';
}

export interface NumOpts {
  int?: boolean;
  min?: number;
  gt?: number;
  max?: number;
}

function expectText(o: NumOpts): string {
  const bounds: string[] = [];
  if (o.gt !== undefined) bounds.push(`> ${o.gt}`);
  if (o.min !== undefined) bounds.push(`≥ ${o.min}`);
  if (o.max !== undefined) bounds.push(`≤ ${o.max.toLocaleString('en-US')}`);
  return `${o.int ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** The last field name of a JSON path (`$.metric.goal` → `goal`). */
export const lastSegment = (path: string): string =>
  path
    .replace(/\[\d+\]$/, '')
    .split('.')
    .pop() ?? path;

export function readNumber(p: ProblemList, v: unknown, path: string, o: NumOpts = {}): number | undefined {
  const isNum = typeof v === 'number' && Number.isFinite(v);
  const ok =
    isNum &&
    (!o.int || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) &&
    (o.gt === undefined || v > o.gt) &&
    (o.max === undefined || v <= o.max);
  if (!ok) {
    const what = !isNum ? 'not a number' : o.int && !Number.isInteger(v) ? 'not an integer' : 'out of range';
    p.error(path, what, expectText(o), describe(v));
    return undefined;
  }
  return v as number;
}

export function readEnum<T extends string>(
  p: ProblemList,
  v: unknown,
  path: string,
  options: readonly T[],
): T | undefined {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? didYouMean(v, options) : '';
  p.error(path, `unknown ${lastSegment(path)}${hint}`, options.join(' | '), describe(v));
  return undefined;
}

/** An error for every key of `raw` not in `allowed`; true when there was none. */
export function checkFields(
  p: ProblemList,
  raw: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
  what = 'field',
): boolean {
  let ok = true;
  for (const k of Object.keys(raw)) {
    if (allowed.includes(k)) continue;
    p.error(`${path}.${k}`, `unknown ${what} "${k}"${didYouMean(k, allowed)}`, allowed.join(' | '), `"${k}"`);
    ok = false;
  }
  return ok;
}
