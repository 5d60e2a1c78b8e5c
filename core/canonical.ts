/**
 * Canonical JSON: object keys sorted at every depth, `undefined` members dropped (`null` inside arrays),
 * non-finite numbers written as strings ("NaN", "Infinity"). The one input of every content hash (trial
 * ids, sweep ids, config hashes in checkpoints) and of every "same value?" comparison.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function canonicalJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(o).sort()) {
    if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(o[k])}`);
  }
  return `{${parts.join(',')}}`;
}

export const sha256Hex = (s: string): string => bytesToHex(sha256(utf8ToBytes(s)));

/** First `hexChars` hex digits of the sha256 of a value's canonical JSON. */
export const contentHash = (v: unknown, hexChars = 12): string =>
  sha256Hex(canonicalJson(v)).slice(0, hexChars);
