/**
 * One `parameters.<key>` entry → a ParamSpec: its fields, its distribution (explicit, or inferred as W&B
 * does), then the values it can take checked against the trial key.
 */
import type { ProblemList } from '../problems.ts';
import { DIST_FIELDS, INTEGER_KEYS, PARAM_FIELDS, REAL_KEYS } from '../schema.ts';
import { DISTRIBUTIONS, type Distribution, type ParamSpec } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { parseProbabilities, parseValues } from './categorical.ts';
import { parseNumeric, type SpecDraft } from './numeric.ts';
import { didYouMean, readEnum } from './read.ts';
import { checkKeyValue } from './values.ts';
import { parseWhen } from './when.ts';

/**
 * W&B's inference when no `distribution` is given: `min`/`max` are an int_uniform range when both are
 * integers as written (`0` and `1`, not `0.0` or `1e0`: the form of the literal counts, as it does to
 * Python's JSON and YAML readers), else uniform.
 */
function inferDistribution(
  raw: Record<string, unknown>,
  path: string,
  floats: ReadonlySet<string>,
): Distribution | undefined {
  if ('value' in raw) return 'constant';
  if ('values' in raw) return 'probabilities' in raw ? 'categorical_w_probabilities' : 'categorical';
  const isInt = (f: string) => Number.isInteger(raw[f]) && !floats.has(`${path}.${f}`);
  if ('min' in raw || 'max' in raw) return isInt('min') && isInt('max') ? 'int_uniform' : 'uniform';
  return undefined;
}

/** The distribution of `raw` with its fields checked (unknown, foreign to it, missing), or undefined. */
function distributionOf(
  p: ProblemList,
  raw: Record<string, unknown>,
  path: string,
  floats: ReadonlySet<string>,
): Distribution | undefined {
  let bad = false;
  for (const k of Object.keys(raw)) {
    if (PARAM_FIELDS.includes(k)) continue;
    p.error(
      `${path}.${k}`,
      `unknown field "${k}"${didYouMean(k, PARAM_FIELDS)}`,
      PARAM_FIELDS.join(' | '),
      `"${k}"`,
    );
    bad = true;
  }
  let dist: Distribution | undefined;
  if ('distribution' in raw) {
    dist = readEnum(p, raw.distribution, `${path}.distribution`, DISTRIBUTIONS);
    if (!dist) return undefined;
  } else {
    dist = inferDistribution(raw, path, floats);
    if (!dist) {
      p.error(
        path,
        'expected one of "value", "values", "min"/"max" or "distribution"',
        'value | values | min/max | distribution',
        describe(raw),
      );
      return undefined;
    }
  }
  const fields = DIST_FIELDS[dist];
  const allowed = new Set(['distribution', 'when', ...fields.required, ...Object.keys(fields.defaults)]);
  for (const k of Object.keys(raw)) {
    if (PARAM_FIELDS.includes(k) && !allowed.has(k)) {
      p.error(
        `${path}.${k}`,
        `"${k}" is not a field of distribution ${dist}`,
        [...allowed].join(' | '),
        `"${k}"`,
      );
      bad = true;
    }
  }
  for (const r of fields.required) {
    if (!(r in raw)) {
      p.error(`${path}.${r}`, `distribution ${dist} requires "${r}"`, r, 'nothing');
      bad = true;
    }
  }
  return bad ? undefined : dist;
}

/** Fills `spec` with the values of a constant or categorical distribution; false after an error. */
function parseDiscrete({ p, key, raw, path, spec }: SpecDraft): boolean {
  if (spec.distribution === 'constant') {
    const c = checkKeyValue(p, key, raw.value, `${path}.value`);
    if (c.ok) spec.value = c.value;
    return c.ok;
  }
  const values = parseValues(p, key, raw.values, path);
  if (!values) return false;
  spec.values = values;
  if (spec.distribution !== 'categorical_w_probabilities') return true;
  const probabilities = parseProbabilities(p, raw.probabilities, values.length, path);
  if (probabilities) spec.probabilities = probabilities;
  return probabilities !== undefined;
}

/** Parse one `parameters.<key>` entry. */
export function parseParam(
  p: ProblemList,
  key: string,
  raw: unknown,
  path: string,
  floats: ReadonlySet<string> = new Set(),
): ParamSpec | undefined {
  if (!isRecord(raw)) {
    p.error(
      path,
      'expected an object with "value", "values", "min"/"max" or "distribution"',
      'object',
      describe(raw),
    );
    return undefined;
  }
  if ('parameters' in raw) {
    p.error(
      `${path}.parameters`,
      'nested parameters are not supported: list whole values instead (e.g. lr_schedule: {"values": [{"type": "cosine"}]})',
      'value | values | distribution',
      'nested parameters',
    );
    return undefined;
  }
  const dist = distributionOf(p, raw, path, floats);
  if (!dist) return undefined;
  const spec: Record<string, unknown> = { distribution: dist };
  const draft: SpecDraft = { p, key, raw, path, spec };
  const discrete = dist === 'constant' || dist === 'categorical' || dist === 'categorical_w_probabilities';
  if (discrete) {
    if (!parseDiscrete(draft)) return undefined;
  } else if (!REAL_KEYS.has(key) && !INTEGER_KEYS.has(key)) {
    p.error(
      `${path}.distribution`,
      `${key} is not numeric: give "value" or "values"`,
      'value | values',
      `distribution ${dist}`,
    );
    return undefined;
  } else if (!parseNumeric(draft)) return undefined;
  if ('when' in raw) {
    const w = parseWhen(p, key, raw.when, `${path}.when`);
    if (!w) return undefined;
    spec.when = w;
  }
  return spec as unknown as ParamSpec;
}
