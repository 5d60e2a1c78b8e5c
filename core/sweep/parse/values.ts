/** One value checked against a trial key's own schema (core/config.ts), with the problem in words. */
import type { z } from 'zod';
import { MAX_PARAMETERS, parameterCount, trialConfigSchema } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import { describe } from '../util.ts';

const SHAPE = trialConfigSchema.shape as unknown as Record<string, z.ZodType>;

/** Validate one value against a trial key's own schema; returns its canonical form. */
export function checkKeyValue(
  p: ProblemList,
  key: string,
  v: unknown,
  path: string,
): { ok: true; value: unknown } | { ok: false } {
  const schema = SHAPE[key];
  if (!schema) return { ok: false };
  const r = schema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    const sub = issue?.path.length
      ? issue.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')
      : '';
    p.error(
      `${path}${sub}`,
      `invalid ${key}: ${issue?.message ?? 'invalid value'}`,
      issue ? zodExpected(key, issue) : undefined,
      describe(v),
    );
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

const UNION_EXPECT: Record<string, string> = {
  layers: 'layer sizes as [784, 128, 10] or "784-128-10"',
  activation: `one of ${'sigmoid | tanh | relu | leaky_relu'}, or one per hidden layer`,
  dropout: 'a rate in [0, 1), or one per hidden layer',
  lr_schedule: '{type: constant} | {type: step, step_size, gamma} | {type: cosine, min_lr}',
};

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
      return issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'invalid_union':
      return UNION_EXPECT[key] ?? issue.message;
    default:
      return issue.message;
  }
}

/** Why `x` is not a valid value of a numeric key, or undefined when it is. */
export function checkKeyNumber(key: string, x: number): { message: string; expected: string } | undefined {
  const r = SHAPE[key]?.safeParse(x);
  const issue = r && !r.success ? r.error.issues[0] : undefined;
  return r && !r.success
    ? { message: issue?.message ?? 'invalid', expected: issue ? zodExpected(key, issue) : 'valid' }
    : undefined;
}
