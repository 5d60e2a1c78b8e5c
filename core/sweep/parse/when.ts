/** `when`: the condition under which a parameter is active (trial key → accepted value(s)). */
import { TRIAL_CONFIG_KEYS } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import type { Condition } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { didYouMean } from './read.ts';
import { checkKeyValue } from './values.ts';

export function parseWhen(p: ProblemList, self: string, raw: unknown, path: string): Condition | undefined {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    p.error(
      path,
      'expected an object of trial key → value(s), e.g. {"optimizer": "sgd"}',
      'non-empty object',
      describe(raw),
    );
    return undefined;
  }
  const out: Condition = {};
  let ok = true;
  for (const [k, v] of Object.entries(raw)) {
    const kp = `${path}.${k}`;
    if (!(TRIAL_CONFIG_KEYS as string[]).includes(k)) {
      p.error(kp, `unknown trial key "${k}"${didYouMean(k, TRIAL_CONFIG_KEYS)}`, 'a trial key', `"${k}"`);
      ok = false;
      continue;
    }
    if (k === self) {
      p.error(kp, 'a parameter cannot be conditional on itself', 'another trial key', `"${k}"`);
      ok = false;
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) {
      p.error(kp, 'expected at least one value', 'value or non-empty array', describe(v));
      ok = false;
      continue;
    }
    const vals: unknown[] = [];
    list.forEach((x, i) => {
      const c = checkKeyValue(p, k, x, Array.isArray(v) ? `${kp}[${i}]` : kp);
      if (c.ok) vals.push(c.value);
      else ok = false;
    });
    out[k] = vals;
  }
  return ok ? out : undefined;
}
