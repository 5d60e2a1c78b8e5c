/** JSON in the blob store: typed reads, create-once writes and compare-and-swap updates. */
import { type BlobStore, PreconditionFailedError, type PutOptions } from '../ports.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

export const toBytes = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));

export async function getJson<T>(store: BlobStore, key: string): Promise<T | undefined> {
  const o = await store.get(key);
  return o ? (JSON.parse(dec.decode(o.body)) as T) : undefined;
}

export function putJson(
  store: BlobStore,
  key: string,
  value: unknown,
  opts?: PutOptions,
): Promise<{ etag: string }> {
  return store.put(key, toBytes(value), { contentType: 'application/json', ...opts });
}

/**
 * After a conditional put failed its precondition: the ETag of `key` if it now holds exactly `body`. A write
 * whose response was lost on the way back, retried by the SDK, meets itself: 412, although it landed. Its
 * outcome is recognised on a re-read, never guessed (and never applied a second time).
 */
async function landed(store: BlobStore, key: string, body: Uint8Array): Promise<string | undefined> {
  const o = await store.get(key);
  if (!o || o.body.byteLength !== body.byteLength) return undefined;
  for (let i = 0; i < body.byteLength; i++) if (o.body[i] !== body[i]) return undefined;
  return o.etag;
}

/**
 * Create `key` only if absent. Returns false when it already existed (a redelivery, a duplicate), true when
 * this call created it — also when the create landed but its response was lost and the retry met it.
 */
export async function createJson(store: BlobStore, key: string, value: unknown): Promise<boolean> {
  const body = toBytes(value);
  try {
    await store.put(key, body, { contentType: 'application/json', ifNoneMatch: '*' });
    return true;
  } catch (e) {
    if (e instanceof PreconditionFailedError) return (await landed(store, key, body)) !== undefined;
    throw e;
  }
}

/**
 * The last version of some JSON objects this process read or wrote, by store and key: a warm container
 * (a Lambda instance, the local runner's process) can compare-and-swap against it without reading first.
 * Sound because every adapter's ETag is a hash of the body: a matching ETag means the cached value is the
 * stored one; a stale entry costs one failed conditional put, then a fresh read.
 */
export class JsonCache {
  private readonly byStore = new WeakMap<BlobStore, Map<string, { etag: string; value: unknown }>>();
  get<T>(store: BlobStore, key: string): { etag: string; value: T } | undefined {
    return this.byStore.get(store)?.get(key) as { etag: string; value: T } | undefined;
  }
  set(store: BlobStore, key: string, etag: string, value: unknown): void {
    const m = this.byStore.get(store) ?? new Map<string, { etag: string; value: unknown }>();
    this.byStore.set(store, m);
    m.set(key, { etag, value });
  }
  delete(store: BlobStore, key: string): void {
    this.byStore.get(store)?.delete(key);
  }
}

export interface UpdateOptions {
  /** Start from the cached version instead of reading (`fn` must not mutate the value it is given). */
  cache?: JsonCache;
}

const MAX_ATTEMPTS = 60;

/**
 * Read-modify-write with ETag compare-and-swap; `fn` returns the new value, or `undefined` for "no change".
 * Retries on conflict with growing back-off; never loses a concurrent update. With a cache, the first
 * attempt starts from the cached version instead of a read: a write from it succeeds only if it is still
 * the stored version (If-Match), and a "no change" on it is confirmed on a fresh read before it is trusted.
 * A swap refused although it landed (its response lost, the SDK's retry met it) is recognised on a re-read
 * and returned as done: `fn` is not applied on top of its own result.
 */
export async function updateJson<T>(
  store: BlobStore,
  key: string,
  fn: (current: T | undefined) => T | undefined,
  opts: UpdateOptions = {},
): Promise<T | undefined> {
  const { cache } = opts;
  let cached = cache?.get<T>(store, key);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let cur: { etag: string; value: T } | undefined;
    const fromCache = cached !== undefined;
    if (cached) {
      cur = cached;
      cached = undefined;
    } else {
      const o = await store.get(key);
      cur = o ? { etag: o.etag, value: JSON.parse(dec.decode(o.body)) as T } : undefined;
      if (cur) cache?.set(store, key, cur.etag, cur.value);
    }
    const next = fn(cur?.value);
    // "No change" is only ever decided on the stored version: the cache saves reads before writes only.
    if (next === undefined) {
      if (fromCache) continue;
      return cur?.value;
    }
    const body = toBytes(next);
    try {
      const { etag } = await store.put(key, body, {
        contentType: 'application/json',
        ...(cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' }),
      });
      cache?.set(store, key, etag, next);
      return next;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
      const etag = await landed(store, key, body);
      if (etag !== undefined) {
        cache?.set(store, key, etag, next);
        return next;
      }
      cache?.delete(store, key);
      if (fromCache) continue; // the cached version was stale: read and retry at once
      await new Promise((r) =>
        setTimeout(r, Math.min(1000, 5 * 2 ** Math.min(attempt, 7)) * (1 + (attempt % 3) / 3)),
      );
    }
  }
  throw new Error(`could not update ${key}: too many concurrent writers`);
}
