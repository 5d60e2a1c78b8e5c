/** S3-style ETag: the quoted md5 hex of the content (single-part uploads). */
import { createHash } from 'node:crypto';

export function etagOf(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** Keys are `/`-separated relative paths: no empty, `.` or `..` segments, no backslash, no NUL. */
export function assertKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024)
    throw new Error(`invalid key ${JSON.stringify(key)}`);
  if (key.includes('\\') || key.includes('\0') || key.startsWith('/') || key.endsWith('/')) {
    throw new Error(`invalid key ${JSON.stringify(key)}`);
  }
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new Error(`invalid key ${JSON.stringify(key)}`);
  }
  return key;
}
