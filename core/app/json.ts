/** JSON in the blob store: typed reads, create-once writes and compare-and-swap updates. */
import { type BlobStore, PreconditionFailedError, type PutOptions } from '../ports.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

export const toBytes = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));

export async function getJson<T>(store: BlobStore, key: string): Promise<T | undefined> {
  const o = await store.get(key);
  return o ? (JSON.parse(dec.decode(o.body)) as T) : undefined;
}

export async function putJson(
  store: BlobStore,
  key: string,
  value: unknown,
  opts?: PutOptions,
): Promise<void> {
  await store.put(key, toBytes(value), { contentType: 'application/json', ...opts });
}

/** Create `key` only if absent. Returns false when it already existed (a redelivery, a duplicate). */
export async function createJson(store: BlobStore, key: string, value: unknown): Promise<boolean> {
  try {
    await putJson(store, key, value, { ifNoneMatch: '*' });
    return true;
  } catch (e) {
    if (e instanceof PreconditionFailedError) return false;
    throw e;
  }
}

/**
 * Read-modify-write with ETag compare-and-swap; `fn` returns the new value, or `undefined` for "no change".
 * Retries on conflict with growing back-off; never loses a concurrent update.
 */
export async function updateJson<T>(
  store: BlobStore,
  key: string,
  fn: (current: T | undefined) => T | undefined,
  maxAttempts = 60,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const cur = await store.get(key);
    const value = cur ? (JSON.parse(dec.decode(cur.body)) as T) : undefined;
    const next = fn(value);
    if (next === undefined) return value;
    try {
      await putJson(store, key, next, cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' });
      return next;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
      await new Promise((r) =>
        setTimeout(r, Math.min(1000, 5 * 2 ** Math.min(attempt, 7)) * (1 + (attempt % 3) / 3)),
      );
    }
  }
  throw new Error(`could not update ${key}: too many concurrent writers`);
}
