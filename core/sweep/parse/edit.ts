/**
 * The command line's overrides written into a sweep file's text (`--max-trials`, `--dataset`), so that the
 * text stored and re-read by the functions says what runs. Everything else stays as written, literal forms
 * included (`1.0` stays a float: W&B's inference depends on it): YAML through its document, JSON by
 * replacing or inserting one member in the text.
 */
import YAML, { isMap, isScalar, type Pair } from 'yaml';
import { isJsonSource } from './source.ts';

function jsonWith(text: string, key: string, value: unknown): string {
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  const map = doc.contents;
  if (doc.errors.length > 0 || !isMap(map) || !map.range) return text;
  const pairs = map.items as Pair[];
  const pair = pairs.find((it) => isScalar(it.key) && it.key.value === key);
  const json = JSON.stringify(value);
  const range = (pair?.value as { range?: [number, number, number] } | null)?.range;
  if (range) return text.slice(0, range[0]) + json + text.slice(range[1]);
  const open = map.range[0] + 1;
  const first = (pairs[0]?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
  if (first === undefined) return `${text.slice(0, open)}${JSON.stringify(key)}: ${json}${text.slice(open)}`;
  const indent = /\n([ \t]*)$/.exec(text.slice(open, first))?.[1];
  const member = `${JSON.stringify(key)}: ${json},`;
  return indent === undefined
    ? `${text.slice(0, open)}${member} ${text.slice(open)}`
    : `${text.slice(0, open)}\n${indent}${member}${text.slice(open)}`;
}

/** The text with its top-level `key` set to `value` (replaced where given, else added). */
export function withTopLevel(
  text: string,
  filename: string | undefined,
  key: string,
  value: unknown,
): string {
  if (isJsonSource(text, filename)) return jsonWith(text, key, value);
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return text;
  doc.set(key, value);
  return doc.toString();
}

/** The text with its number of trials set to `n`: W&B's `run_cap` when the file uses it, else `max_trials`. */
export function withMaxTrials(text: string, filename: string | undefined, n: number): string {
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  const keys = isMap(doc.contents)
    ? doc.contents.items.map((it) => (isScalar(it.key) ? it.key.value : it.key))
    : [];
  const usesRunCap = keys.includes('run_cap') && !keys.includes('max_trials');
  return withTopLevel(text, filename, usesRunCap ? 'run_cap' : 'max_trials', n);
}
