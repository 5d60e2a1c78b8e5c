/**
 * Numeric distributions of a parameter: their fields read as numbers, `min < max`, and every value they can
 * reach checked against the trial key (the lowest and highest for ranges, the centre for the unbounded
 * normal and beta families).
 */
import type { ProblemList } from '../problems.ts';
import { DIST_FIELDS, INTEGER_KEYS, REAL_KEYS } from '../schema.ts';
import type { Distribution, ParamSpec } from '../types.ts';
import { describe, quantize } from '../util.ts';
import { readNumber } from './read.ts';
import { checkKeyNumber } from './values.ts';

/** The smallest and largest value a numeric distribution can produce (W&B semantics), with the field each comes from. */
function reach(s: ParamSpec): { lo: number; hi: number; loField: string; hiField: string } | undefined {
  switch (s.distribution) {
    case 'int_uniform':
    case 'uniform':
    case 'log_uniform_values':
    case 'inv_log_uniform_values':
      return { lo: s.min, hi: s.max, loField: 'min', hiField: 'max' };
    case 'q_uniform':
    case 'q_log_uniform_values':
      return { lo: quantize(s.min, s.q), hi: quantize(s.max, s.q), loField: 'min', hiField: 'max' };
    case 'log_uniform':
      return { lo: Math.exp(s.min), hi: Math.exp(s.max), loField: 'min', hiField: 'max' };
    case 'q_log_uniform':
      return {
        lo: quantize(Math.exp(s.min), s.q),
        hi: quantize(Math.exp(s.max), s.q),
        loField: 'min',
        hiField: 'max',
      };
    case 'inv_log_uniform':
      return { lo: Math.exp(-s.max), hi: Math.exp(-s.min), loField: 'max', hiField: 'min' };
    default:
      return undefined;
  }
}

function producesIntegers(s: ParamSpec): boolean {
  if (s.distribution === 'int_uniform') return true;
  if ('q' in s) return Number.isInteger(s.q) && (s.distribution !== 'q_uniform' || Number.isInteger(s.min));
  return false;
}

const VALUES_FORMS: ReadonlySet<Distribution> = new Set([
  'log_uniform_values',
  'q_log_uniform_values',
  'inv_log_uniform_values',
]);

/** The exponent forms and their values forms. */
const VALUES_FORM_OF: Partial<Record<Distribution, Distribution>> = {
  log_uniform: 'log_uniform_values',
  q_log_uniform: 'q_log_uniform_values',
  inv_log_uniform: 'inv_log_uniform_values',
};

const num = (x: number) => String(Number(x.toPrecision(6)));

/**
 * Why a range may not mean what it says: W&B's inference from the literals (integers → int_uniform,
 * floats → uniform), or a log_uniform given the values instead of their exponents (0 < min < max ≤ 1 as
 * exponents are values in (1, e]: never meant).
 */
function readingHint(key: string, s: ParamSpec, raw: Record<string, unknown>): string | undefined {
  const inferred = !('distribution' in raw);
  if (inferred && s.distribution === 'int_uniform' && REAL_KEYS.has(key))
    return `min and max are both integers, so the range is int_uniform (as W&B reads it): ${key} takes only the integers ${s.min}…${s.max}; write ${s.min}.0 and ${s.max}.0 (or distribution: uniform) for a real range`;
  if (inferred && s.distribution === 'uniform' && INTEGER_KEYS.has(key))
    return `min/max written with a decimal point make the range uniform (as W&B reads it); write them as integers (${Math.ceil(s.min)}, ${Math.floor(s.max)}) for int_uniform`;
  const valuesForm = VALUES_FORM_OF[s.distribution];
  const r = reach(s);
  if (!valuesForm || !r || !('min' in s) || s.min <= 0 || s.max > 1) return undefined;
  const asValues = reach({ ...s, distribution: valuesForm } as ParamSpec)!;
  return `${s.distribution} takes natural-log exponents: min ${s.min}, max ${s.max} give ${key} in [${num(r.lo)}, ${num(r.hi)}]; if these are the values themselves, write distribution: ${valuesForm} (${key} in [${num(asValues.lo)}, ${num(asValues.hi)}])`;
}

/** A parameter being read: its trial key, what was written (at `path`), and the spec built so far. */
export interface SpecDraft {
  p: ProblemList;
  key: string;
  raw: Record<string, unknown>;
  path: string;
  spec: Record<string, unknown>;
}

/** Reads the numeric fields of `raw` into `spec`; false after an error. */
function readFields({ p, raw, path, spec }: SpecDraft, dist: Distribution): boolean {
  const fields = DIST_FIELDS[dist];
  let okAll = true;
  for (const r of fields.required) {
    const x = readNumber(p, raw[r], `${path}.${r}`, dist === 'int_uniform' ? { int: true } : {});
    if (x === undefined) okAll = false;
    else spec[r] = x;
  }
  for (const [k, d] of Object.entries(fields.defaults)) {
    if (!(k in raw)) {
      spec[k] = d;
      continue;
    }
    const x = readNumber(p, raw[k], `${path}.${k}`, k === 'mu' ? {} : { gt: 0 });
    if (x === undefined) okAll = false;
    else spec[k] = x;
  }
  if (!okAll || !('min' in spec && 'max' in spec)) return okAll;
  const mn = spec.min as number;
  const mx = spec.max as number;
  if (mn >= mx) {
    p.error(`${path}.max`, `max must be greater than min (${mn})`, `> ${mn}`, describe(mx));
    return false;
  }
  if (VALUES_FORMS.has(dist) && mn <= 0) {
    p.error(`${path}.min`, `${dist} takes the values themselves: min must be > 0`, '> 0', describe(mn));
    return false;
  }
  return true;
}

/** A range's lowest and highest reachable values are valid values of the key. */
function checkRange({ p, key, raw, path }: SpecDraft, s: ParamSpec, hint: string | undefined): boolean {
  const r = reach(s);
  if (!r) return true;
  for (const [x, field] of [
    [r.lo, r.loField],
    [r.hi, r.hiField],
  ] as const) {
    const m = checkKeyNumber(key, x);
    if (m) {
      p.error(
        `${path}.${field}`,
        `${key} would take the value ${x} (${s.distribution}), which is invalid${hint ? `: ${hint}` : ''}`,
        m.expected,
        raw[field] === x ? describe(x) : `${describe(raw[field] ?? s.distribution)} → ${x}`,
      );
      return false;
    }
  }
  return true;
}

/**
 * The normal family is unbounded and the beta family lies on (0, 1): the centre must be a valid value;
 * draws that are not are redrawn (truncation).
 */
function checkCentre({ p, key, spec, raw, path }: SpecDraft): boolean {
  const dist = spec.distribution as Distribution;
  const isBeta = dist === 'beta' || dist === 'q_beta';
  const mu = spec.mu as number;
  const centre = isBeta
    ? (spec.a as number) / ((spec.a as number) + (spec.b as number))
    : dist === 'log_normal' || dist === 'q_log_normal'
      ? Math.exp(mu)
      : mu;
  const m = checkKeyNumber(key, typeof spec.q === 'number' ? quantize(centre, spec.q) : centre);
  const field = isBeta ? 'a' : 'mu';
  if (m) {
    p.error(
      `${path}.${field}`,
      `the distribution's centre ${centre} is not a valid ${key}: ${m.message}`,
      m.expected,
      describe(raw[field] ?? (isBeta ? 1 : 0)),
    );
    return false;
  }
  if (!isBeta) p.warn(path, `${dist} is unbounded: samples that are not a valid ${key} are redrawn`);
  return true;
}

/** Fills `spec` with the numeric distribution's fields; false after an error. */
export function parseNumeric(d: SpecDraft): boolean {
  const { p, key, raw, path, spec } = d;
  const dist = spec.distribution as Distribution;
  if (!readFields(d, dist)) return false;
  const s = spec as unknown as ParamSpec;
  const hint = readingHint(key, s, raw);
  if (INTEGER_KEYS.has(key) && !producesIntegers(s)) {
    p.error(
      `${path}.distribution`,
      `${key} is an integer: ${hint ?? 'use int_uniform, or a q_ distribution with an integer q (and integer min for q_uniform)'}`,
      'int_uniform | q_* with integer q',
      `distribution ${dist}${'q' in s ? ` with q ${s.q}` : ''}`,
    );
    return false;
  }
  if (!reach(s)) return checkCentre(d);
  if (!checkRange(d, s, hint)) return false;
  if (hint) p.warn(path, hint);
  return true;
}
