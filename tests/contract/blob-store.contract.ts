/**
 * The one behavioural contract every BlobStore adapter must pass (memory, local files, S3 on LocalStack).
 * Each adapter's test file calls `describeBlobStoreContract(name, factory)`; the factory returns a fresh,
 * empty store (or one scoped to a fresh prefix-free bucket) and an optional cleanup.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, NOT_MODIFIED, PreconditionFailedError } from '../../core/ports.ts';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup?: () => Promise<void>;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const md5Etag = (b: Uint8Array | string) => `"${createHash('md5').update(b).digest('hex')}"`;

/** Increments a JSON counter with a compare-and-swap retry loop; returns the number of lost races. */
export async function casIncrement(store: BlobStore, key: string, times: number): Promise<number> {
  let conflicts = 0;
  for (let i = 0; i < times; i++) {
    for (;;) {
      const cur = await store.get(key);
      const n = cur ? (JSON.parse(text(cur.body)) as { n: number }).n : 0;
      const body = JSON.stringify({ n: n + 1 });
      try {
        await store.put(key, body, cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' });
        break;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
        conflicts++;
      }
    }
  }
  return conflicts;
}

export function describeBlobStoreContract(name: string, factory: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fx: BlobStoreFixture;
    let store: BlobStore;
    beforeAll(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterAll(async () => {
      await fx?.cleanup?.();
    });

    it('get of a missing key is undefined', async () => {
      expect(await store.get('missing/nothing-here.json')).toBeUndefined();
    });

    it('round-trips bytes exactly and returns the S3-style ETag (quoted md5)', async () => {
      const bytes = new Uint8Array(70_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
      const { etag } = await store.put('rt/bin/all-bytes.bin', bytes, {
        contentType: 'application/octet-stream',
      });
      expect(etag).toBe(md5Etag(bytes));
      const got = await store.get('rt/bin/all-bytes.bin');
      expect(got).toBeDefined();
      expect(Buffer.from(got!.body).equals(Buffer.from(bytes))).toBe(true);
      expect(got!.etag).toBe(etag);

      await store.put('rt/text.json', '{"ü":"∑"}');
      expect(text((await store.get('rt/text.json'))!.body)).toBe('{"ü":"∑"}');
      await store.put('rt/empty', new Uint8Array());
      expect((await store.get('rt/empty'))!.body.length).toBe(0);
    });

    it('getIfChanged: NOT_MODIFIED while the ETag holds, the object once it changed, undefined when absent', async () => {
      const v1 = await store.put('cond/state.json', '{"n":1}');
      expect(await store.getIfChanged('cond/state.json', v1.etag)).toBe(NOT_MODIFIED);
      expect(await store.getIfChanged('cond/state.json', v1.etag)).toBe(NOT_MODIFIED);
      // Any other ETag (a stale one, a made-up one) gets the object.
      const fresh = await store.getIfChanged('cond/state.json', '"0123456789abcdef0123456789abcdef"');
      expect(fresh !== NOT_MODIFIED && text(fresh!.body)).toBe('{"n":1}');
      const v2 = await store.put('cond/state.json', '{"n":22}');
      const changed = await store.getIfChanged('cond/state.json', v1.etag);
      expect(changed).not.toBe(NOT_MODIFIED);
      expect(changed !== NOT_MODIFIED && { body: text(changed!.body), etag: changed!.etag }).toEqual({
        body: '{"n":22}',
        etag: v2.etag,
      });
      expect(await store.getIfChanged('cond/state.json', v2.etag)).toBe(NOT_MODIFIED);
      // Rewritten with the same bytes: same ETag, still not modified.
      await store.put('cond/state.json', '{"n":22}');
      expect(await store.getIfChanged('cond/state.json', v2.etag)).toBe(NOT_MODIFIED);
      // A rewrite of the same size right after the read is seen (a stat cache must not hide it).
      const v3 = await store.put('cond/state.json', '{"n":33}');
      const again = await store.getIfChanged('cond/state.json', v2.etag);
      expect(again !== NOT_MODIFIED && again?.etag).toBe(v3.etag);
      await store.delete('cond/state.json');
      expect(await store.getIfChanged('cond/state.json', v3.etag)).toBeUndefined();
      expect(await store.getIfChanged('cond/never.json', v3.etag)).toBeUndefined();
    });

    it('an unconditional put overwrites and changes the ETag', async () => {
      const a = await store.put('ow/x', 'one');
      const b = await store.put('ow/x', 'two');
      expect(a.etag).not.toBe(b.etag);
      const got = await store.get('ow/x');
      expect(text(got!.body)).toBe('two');
      expect(got!.etag).toBe(b.etag);
    });

    it('ifNoneMatch "*" creates only once', async () => {
      await store.put('once/result.json', 'first', { ifNoneMatch: '*' });
      await expect(store.put('once/result.json', 'second', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(text((await store.get('once/result.json'))!.body)).toBe('first');
    });

    it('ifMatch replaces only the version it read (compare-and-swap)', async () => {
      const v1 = await store.put('cas/state.json', 'v1');
      const v2 = await store.put('cas/state.json', 'v2', { ifMatch: v1.etag });
      expect(text((await store.get('cas/state.json'))!.body)).toBe('v2');
      // A writer still holding v1's ETag loses.
      await expect(store.put('cas/state.json', 'stale', { ifMatch: v1.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      const got = await store.get('cas/state.json');
      expect(text(got!.body)).toBe('v2');
      expect(got!.etag).toBe(v2.etag);
      // ifMatch on a key that does not exist fails too.
      await expect(store.put('cas/absent.json', 'x', { ifMatch: v2.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(await store.get('cas/absent.json')).toBeUndefined();
    });

    it('concurrent create-only puts: exactly one winner', async () => {
      const n = 12;
      const outcomes = await Promise.allSettled(
        Array.from({ length: n }, (_, i) => store.put('race/once.json', `writer-${i}`, { ifNoneMatch: '*' })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const l of lost)
        expect((l as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
      const body = text((await store.get('race/once.json'))!.body);
      expect(body).toMatch(/^writer-\d+$/);
    });

    it('concurrent CAS: n writers incrementing one counter with retries lose no update', async () => {
      const writers = 6;
      const each = 5;
      const conflicts = await Promise.all(
        Array.from({ length: writers }, () => casIncrement(store, 'race/counter.json', each)),
      );
      const got = await store.get('race/counter.json');
      expect(JSON.parse(text(got!.body))).toEqual({ n: writers * each });
      // The writers really raced (otherwise this test would prove nothing about atomicity).
      expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });

    it('lists keys under a prefix, sorted, prefix matched on characters not segments', async () => {
      const keys = [
        'ls/b/2.json',
        'ls/a/1.json',
        'ls/a/10.json',
        'ls/a/2.json',
        'ls/ab/1.json',
        'ls/a/deep/er/x.bin',
        'lsx/other.json',
      ];
      for (const k of [...keys].reverse()) await store.put(k, k);
      expect(await store.list('ls/a/')).toEqual([
        'ls/a/1.json',
        'ls/a/10.json',
        'ls/a/2.json',
        'ls/a/deep/er/x.bin',
      ]);
      expect(await store.list('ls/a')).toEqual([
        'ls/a/1.json',
        'ls/a/10.json',
        'ls/a/2.json',
        'ls/a/deep/er/x.bin',
        'ls/ab/1.json',
      ]);
      expect(await store.list('ls/')).toEqual([...keys.filter((k) => k.startsWith('ls/'))].sort());
      expect(await store.list('ls/a/1')).toEqual(['ls/a/1.json', 'ls/a/10.json']);
      expect(await store.list('ls/none/')).toEqual([]);
      const all = await store.list('');
      expect(all).toEqual([...all].sort());
      for (const k of keys) expect(all).toContain(k);
    });

    it('lists more than one page (1000+ keys on S3)', async () => {
      const n = 1005;
      const ks = Array.from({ length: n }, (_, i) => `many/k-${String(i).padStart(5, '0')}`);
      for (let i = 0; i < ks.length; i += 50)
        await Promise.all(ks.slice(i, i + 50).map((k) => store.put(k, '1')));
      expect(await store.list('many/')).toEqual(ks);
    });

    it('delete removes a key; deleting a missing key is not an error', async () => {
      await store.put('del/a', 'a');
      await store.put('del/b', 'b');
      await store.delete('del/a');
      expect(await store.get('del/a')).toBeUndefined();
      expect(await store.list('del/')).toEqual(['del/b']);
      await store.delete('del/a');
      await store.delete('del/never-existed');
      // After a delete the key can be created again with ifNoneMatch.
      await store.put('del/a', 'again', { ifNoneMatch: '*' });
      expect(text((await store.get('del/a'))!.body)).toBe('again');
    });

    it('accepts tags and content types on put', async () => {
      const { etag } = await store.put('tags/checkpoint.bin', new Uint8Array([1, 2, 3]), {
        tags: { kind: 'checkpoint', sweep: 's-1' },
        contentType: 'application/octet-stream',
      });
      expect((await store.get('tags/checkpoint.bin'))!.etag).toBe(etag);
    });
  });
}
