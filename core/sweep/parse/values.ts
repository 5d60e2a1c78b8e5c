/** One value checked against a trial key's own schema (core/config.ts), with the problem in words. */
import type { z } from 'zod';
import { ACTIVATIONS, MAX_PARAMETERS, parameterCount, trialConfigSchema } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import { describe } from '../util.ts';
import { didYouMean } from './read.ts';
import { ENUM_VALUES, normalName, VALUE_HINTS } from './synonyms.ts';

const SHAPE = trialConfigSchema.shape as unknown as Record<string, z.ZodType>;

const UNION_EXPECT: Record<string, string> = {
  layers: 'layer sizes as [784, 128, 10] or "784-128-10"',
  activation: `${ACTIVATIONS.map((a) => JSON.stringify(a)).join(' | ')}, or one per hidden layer`,
  dropout: 'a rate in [0, 1), or one per hidden layer',
  lr_schedule: '{type: constant} | {type: step, step_size, gamma} | {type: cosine, min_lr}',
};

interface ValueProblem {
  /** Where inside the value (`[1]` for one element of a list). */
  sub: string;
  message: string;
  expected: string;
  found: unknown;
}

/** How to write a string that is not one of the key's values: case, another tool's name, or a typo. */
function enumHint(key: string, s: string, options: readonly string[]): string {
  const lower = options.find((o) => o === s.toLowerCase());
  if (lower) return `: write "${lower}" (values are lower case)`;
  const hint = VALUE_HINTS[key as keyof typeof VALUE_HINTS]?.[normalName(s)];
  return hint ? `: ${hint}` : didYouMean(s, options);
}

/** A string (or one string of an activation list) that is not one of an enum key's values. */
function enumProblem(key: string, v: unknown): ValueProblem | undefined {
  const options = ENUM_VALUES[key as keyof typeof ENUM_VALUES];
  if (!options) return undefined;
  const expected = UNION_EXPECT[key] ?? options.map((o) => JSON.stringify(o)).join(' | ');
  const bad = (s: string, sub: string): ValueProblem => ({
    sub,
    message: `unknown ${key} "${s}"${enumHint(key, s, options)}`,
    expected,
    found: s,
  });
  if (typeof v === 'string') return options.includes(v) ? undefined : bad(v, '');
  if (key !== 'activation' || !Array.isArray(v)) return undefined;
  const i = v.findIndex((x) => typeof x === 'string' && !options.includes(x));
  return i < 0 ? undefined : bad(v[i] as string, `[${i}]`);
}

/** What a zod issue expected, in words. */
function zodExpected(key: string, issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array'
        ? `at most ${issue.maximum} items`
        : `${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${issue.minimum} items`
        : `${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'invalid_type':
      return UNION_EXPECT[key] ?? issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'invalid_union':
      return UNION_EXPECT[key] ?? 'a valid value';
    default:
      return issue.message;
  }
}

/** What went wrong, in words that do not repeat the expected values (they follow in "expected …"). */
function zodMessage(key: string, issue: z.core.$ZodIssue, v: unknown): string {
  if (key === 'layers' && typeof v === 'number')
    return `a single number is not a net: write input-hidden…-output sizes, e.g. "784-${v}-10"`;
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array' ? `too many ${key} values` : `${key} too large`;
    case 'too_small':
      return issue.origin === 'array' ? `too few ${key} values` : `${key} too small`;
    case 'invalid_value':
    case 'invalid_type':
    case 'invalid_union':
      return `invalid ${key}`;
    default:
      return `invalid ${key}: ${issue.message}`;
  }
}

/** Validate one value against a trial key's own schema; returns its canonical form. */
export function checkKeyValue(
  p: ProblemList,
  key: string,
  v: unknown,
  path: string,
): { ok: true; value: unknown } | { ok: false } {
  const schema = SHAPE[key];
  if (!schema) return { ok: false };
  const e = enumProblem(key, v);
  if (e) {
    p.error(`${path}${e.sub}`, e.message, e.expected, describe(e.found));
    return { ok: false };
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const sub = issue.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('');
    p.error(`${path}${sub}`, zodMessage(key, issue, v), zodExpected(key, issue), describe(v));
    return { ok: false };
  }
  if (key === 'layers' && Array.isArray(r.data)) {
    const n = parameterCount(r.data as number[]);
    if (n > MAX_PARAMETERS) {
      p.error(
        path,
        `network too large: ${(r.data as number[]).join('-')} has ${n.toLocaleString('en-US')} parameters`,
        `at most ${MAX_PARAMETERS.toLocaleString('en-US')} parameters`,
        describe(v),
      );
      return { ok: false };
    }
  }
  return { ok: true, value: r.data };
}

/** Why `x` is not a valid value of a numeric key, or undefined when it is. */
export function checkKeyNumber(key: string, x: number): { message: string; expected: string } | undefined {
  const r = SHAPE[key]?.safeParse(x);
  const issue = r && !r.success ? r.error.issues[0] : undefined;
  return issue ? { message: zodMessage(key, issue, x), expected: zodExpected(key, issue) } : undefined;
}
