/**
 * updateJson with a JsonCache: the first attempt starts from the version this process last saw, so a warm
 * aggregator writes without reading first — and still never loses or ignores a change made elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { ObservedBlobStore } from '../../adapters/faults/store.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { getJson, JsonCache, putJson, updateJson } from '../../core/app/json.ts';

type Doc = { items: string[] };
const add =
  (item: string) =>
  (cur: Doc | undefined): Doc | undefined =>
    cur?.items.includes(item) ? undefined : { items: [...(cur?.items ?? []), item] };

function counted() {
  const base = new MemoryBlobStore();
  const ops = { get: 0, put: 0 };
  const store = new ObservedBlobStore(base, (e) => {
    if (e.phase === 'before' && (e.op === 'get' || e.op === 'put')) ops[e.op]++;
  });
  return { store, ops };
}

describe('updateJson with a JsonCache', () => {
  it('writes from the cached version without reading it again', async () => {
    const { store, ops } = counted();
    const cache = new JsonCache();
    await updateJson<Doc>(store, 'doc.json', add('a'), { cache });
    expect(ops).toEqual({ get: 1, put: 1 });
    await updateJson<Doc>(store, 'doc.json', add('b'), { cache });
    await updateJson<Doc>(store, 'doc.json', add('c'), { cache });
    expect(ops).toEqual({ get: 1, put: 3 });
    expect(await getJson<Doc>(store, 'doc.json')).toEqual({ items: ['a', 'b', 'c'] });
  });

  it('a version written elsewhere makes the cached write fail, then it reads and keeps both changes', async () => {
    const { store } = counted();
    const cache = new JsonCache();
    await updateJson<Doc>(store, 'doc.json', add('a'), { cache });
    await updateJson<Doc>(store, 'doc.json', add('other'), {}); // another container
    await updateJson<Doc>(store, 'doc.json', add('b'), { cache });
    expect(await getJson<Doc>(store, 'doc.json')).toEqual({ items: ['a', 'other', 'b'] });
  });

  it('"no change" on a cached version is confirmed on the stored one (deleted or rewritten behind it)', async () => {
    const { store } = counted();
    const cache = new JsonCache();
    await updateJson<Doc>(store, 'doc.json', add('a'), { cache });
    await store.delete('doc.json');
    // The cache still holds ['a']; adding 'a' again must not be skipped on that stale view.
    await updateJson<Doc>(store, 'doc.json', add('a'), { cache });
    expect(await getJson<Doc>(store, 'doc.json')).toEqual({ items: ['a'] });
    await putJson(store, 'doc.json', { items: [] });
    expect(await updateJson<Doc>(store, 'doc.json', add('a'), { cache })).toEqual({ items: ['a'] });
    expect(await getJson<Doc>(store, 'doc.json')).toEqual({ items: ['a'] });
  });

  it('is kept per store: the same key in another store is never written from this one’s version', async () => {
    const one = counted();
    const two = counted();
    const cache = new JsonCache();
    await updateJson<Doc>(one.store, 'doc.json', add('a'), { cache });
    await putJson(two.store, 'doc.json', { items: ['x'] });
    await updateJson<Doc>(two.store, 'doc.json', add('b'), { cache });
    expect(two.ops.get).toBe(1); // read, not taken from the other store's cached version
    expect(await getJson<Doc>(two.store, 'doc.json')).toEqual({ items: ['x', 'b'] });
  });
});
