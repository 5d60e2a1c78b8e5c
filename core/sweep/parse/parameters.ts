/**
 * `parameters`: trial key → spec. Other tools' names for our keys are read as ours (`lr`, `learning-rate`,
 * `optimizer.config.lr`: a dotted key is matched on its last segment); names whose values mean something
 * else are refused with how to write ours; nested W&B parameters are refused with the flattened form.
 */
import { TRIAL_CONFIG_KEYS } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import type { ParamSpec } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { parseParam } from './param.ts';
import { didYouMean } from './read.ts';
import { GROUPED_KEYS, KEY_SYNONYMS, keyHint, normalName, SYNONYM_NOTES } from './synonyms.ts';

export interface ParsedParameters {
  parameters: Record<string, ParamSpec>;
  /** The JSON path each canonical key was written at (a synonym keeps its own). */
  paths: Record<string, string>;
  /** The canonical keys written, valid or not. */
  written: Set<string>;
}

const KEYS: readonly string[] = TRIAL_CONFIG_KEYS;

/** Our key for a name (exact, another spelling, a synonym, or a dotted key's last segment). */
export function ourKey(rawKey: string): string | undefined {
  const last = normalName(rawKey.split('.').pop() ?? rawKey);
  return KEYS.includes(last) ? last : KEY_SYNONYMS[last];
}

function unknownKey(p: ProblemList, rawKey: string, path: string): void {
  const last = normalName(rawKey.split('.').pop() ?? rawKey);
  const hint = keyHint(last);
  const message = hint
    ? `"${rawKey}" is not a parameter here: ${hint}`
    : `unknown parameter "${rawKey}"${didYouMean(last, KEYS)}`;
  p.error(path, message, `a trial key: ${GROUPED_KEYS}`, `"${rawKey}"`);
}

/** The inner specs of nested W&B parameters, flattened (inner names at any depth). */
function flatten(raw: Record<string, unknown>, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(raw)) {
    if (isRecord(v) && isRecord(v.parameters)) flatten(v.parameters, out);
    else out[k] = v;
  }
  return out;
}

/** `parameters: {training: {parameters: {…}}}`: nesting is the problem; show the flat form when it is ours. */
function nestedParameters(
  p: ProblemList,
  rawKey: string,
  inner: Record<string, unknown>,
  path: string,
): void {
  const flat = flatten(inner);
  const foreign = Object.keys(flat).filter((k) => !ourKey(k));
  const ours = Object.fromEntries(Object.entries(flat).map(([k, v]) => [ourKey(k) ?? k, v]));
  const fix =
    foreign.length === 0
      ? `write its parameters directly under parameters: ${JSON.stringify(ours)}`
      : `write its parameters directly under parameters, as our keys (not ours: ${foreign.join(', ')})`;
  p.error(
    path,
    `nested parameters ("${rawKey}" groups ${Object.keys(flat).join(', ')}) are not supported: ${fix}`,
    'one level: parameters: {trial key: spec}',
    `nested parameters under "${rawKey}"`,
  );
}

/** The canonical key of `rawKey`, or undefined (reported) when it names none. */
function canonicalKey(p: ProblemList, rawKey: string, spec: unknown, path: string): string | undefined {
  // lr_schedule's values are objects: nested parameters there are answered by parseParam (whole values).
  if (isRecord(spec) && isRecord(spec.parameters) && rawKey !== 'lr_schedule') {
    nestedParameters(p, rawKey, spec.parameters, path);
    return undefined;
  }
  if (KEYS.includes(rawKey)) return rawKey;
  const key = ourKey(rawKey);
  if (!key) {
    unknownKey(p, rawKey, path);
    return undefined;
  }
  const note = SYNONYM_NOTES[normalName(rawKey)];
  p.warn(path, `"${rawKey}" is read as "${key}"${note ? ` (${note})` : ''}`);
  return key;
}

export function parseParameters(
  p: ProblemList,
  obj: Record<string, unknown>,
  floats: ReadonlySet<string>,
): ParsedParameters {
  const out: ParsedParameters = { parameters: {}, paths: {}, written: new Set() };
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
  const seen = out.written;
  for (const [rawKey, spec] of Object.entries(obj.parameters)) {
    const path = `$.parameters.${rawKey}`;
    const key = canonicalKey(p, rawKey, spec, path);
    if (!key) continue;
    if (seen.has(key)) {
      p.error(path, `"${key}" is given twice`, 'one spec per key', `"${rawKey}"`);
      continue;
    }
    seen.add(key);
    const s = parseParam(p, key, spec, path, floats);
    if (s) {
      out.parameters[key] = s;
      out.paths[key] = path;
    }
  }
  return out;
}
