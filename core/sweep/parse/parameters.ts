/** `parameters`: trial key → spec, with other tools' names for our keys read as ours. */
import { TRIAL_CONFIG_KEYS } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import type { ParamSpec } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { parseParam } from './param.ts';
import { didYouMean } from './read.ts';
import { KEY_ALIASES } from './wandb.ts';

export interface ParsedParameters {
  parameters: Record<string, ParamSpec>;
  /** The JSON path each canonical key was written at (an alias keeps its own). */
  paths: Record<string, string>;
}

/** The canonical key of `rawKey`, or undefined (reported) when it names none. */
function canonicalKey(p: ProblemList, rawKey: string, path: string): string | undefined {
  if ((TRIAL_CONFIG_KEYS as string[]).includes(rawKey)) return rawKey;
  const alias = KEY_ALIASES[rawKey];
  if (alias) {
    p.warn(path, `"${rawKey}" is read as "${alias}"`);
    return alias;
  }
  p.error(
    path,
    `unknown parameter "${rawKey}"${didYouMean(rawKey, TRIAL_CONFIG_KEYS)}`,
    'a trial key (core/config.ts)',
    `"${rawKey}"`,
  );
  return undefined;
}

export function parseParameters(p: ProblemList, obj: Record<string, unknown>): ParsedParameters {
  const out: ParsedParameters = { parameters: {}, paths: {} };
  if (!('parameters' in obj)) {
    p.error('$.parameters', 'parameters is required', 'object of trial key → spec', 'nothing');
    return out;
  }
  if (!isRecord(obj.parameters) || Object.keys(obj.parameters).length === 0) {
    p.error(
      '$.parameters',
      'expected a non-empty object of trial key → spec',
      'non-empty object',
      describe(obj.parameters),
    );
    return out;
  }
  for (const [rawKey, spec] of Object.entries(obj.parameters)) {
    const path = `$.parameters.${rawKey}`;
    const key = canonicalKey(p, rawKey, path);
    if (!key) continue;
    if (key in out.parameters) {
      p.error(path, `"${key}" is given twice`, 'one spec per key', `"${rawKey}"`);
      continue;
    }
    const s = parseParam(p, key, spec, path);
    if (s) {
      out.parameters[key] = s;
      out.paths[key] = path;
    }
  }
  return out;
}
