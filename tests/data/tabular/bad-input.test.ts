/**
 * Bad tables: each gets an error naming the file, where, what was expected and found, and the fix, and
 * leaves nothing in the store (every check runs before the first write; a write that fails takes back
 * the shards it made).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareTableFiles, type TableFilesOptions } from '../../../adapters/data/tabular/prepare.ts';
import { FsBlobStore } from '../../../adapters/store/fs.ts';
import { TableTooLargeError } from '../../../core/data/tabular/errors.ts';
import type { BlobStore, PutOptions } from '../../../core/ports.ts';
import { tempDir } from '../helpers.ts';
import { fixture, problemOf } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let store: FsBlobStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tabular-bad'));
  store = new FsBlobStore(join(dir, 'store'));
});
afterEach(() => cleanup());

const prepare = (from: string, o: Partial<TableFilesOptions> = {}, s: BlobStore = store) =>
  prepareTableFiles(s, { name: 'bad', from: fixture(from), label: 'label', workerMemoryMb: 1769, ...o });

/** The problem of a failed prepare, after checking that the store holds nothing. */
async function refused(p: Promise<unknown>) {
  const problem = await problemOf(p);
  expect(await store.list('')).toEqual([]);
  return problem;
}

describe('bad tables are refused, with nothing written', () => {
  it('a missing label column: lists the columns', async () => {
    const p = await refused(prepare('regress.csv', { label: 'target' }));
    expect(p).toMatchObject({ at: 'the header', found: 'the columns "a", "b", "c", "y"' });
    expect(p.message).toContain('regress.csv, the header: expected a column "target" (named by --label)');
    expect(p.fix).toBe('Pass --label with one of them.');
    const cased = await refused(prepare('regress.csv', { label: 'Y' }));
    expect(cased.fix).toContain('did you mean "y"');
  });

  it('a label with one class', async () => {
    const p = await refused(prepare('one-class.csv'));
    expect(p).toMatchObject({ at: 'column "label"', found: 'one class, "same", in all 10 rows' });
    expect(p.expected).toContain('at least 2 classes');
  });

  it('a ragged row: its line number and the header width', async () => {
    const p = await refused(prepare('ragged.csv'));
    expect(p).toMatchObject({ at: 'line 4', expected: '3 fields, as the header has', found: '4' });
    expect(p.fix).toContain('must be quoted');
  });

  it('non-numbers in a numeric column: the first few with their lines', async () => {
    const p = await refused(prepare('nonnumeric.csv'));
    expect(p.at).toBe('column "b"');
    expect(p.found).toBe('2 values that are not a number: "abc" (line 8), "n.a." (line 13)');
    expect(p.fix).toContain('--categorical b');
  });

  it('an empty file, a header without rows, an empty Parquet file', async () => {
    expect((await refused(prepare('empty.csv'))).found).toBe('an empty file (0 bytes)');
    const header = await refused(prepare('header-only.csv'));
    expect(header.found).toBe('the header ("a", "b", "label") and no rows');
    expect((await refused(prepare('empty.parquet'))).found).toMatch(/^the header \(.*\) and no rows$/);
  });

  it('a table over what a worker can hold: the limit, the rows that fit, how to cut it', async () => {
    // Exact, once the width after one-hot is known: 100 rows × 9 inputs (+ a u16 label) = 3,800 bytes.
    const exact = await refused(
      prepare('mixed-train.csv', { test: fixture('mixed-test.csv'), workerMemoryMb: 0.005 }),
    );
    expect(exact.found).toBe('100 rows × 9 inputs = 3.7 KB');
    expect(exact.expected).toContain('50% of a 0.005 MB worker');
    expect(exact.fix).toMatch(
      /About 68 rows of this width fit: .*head -n 69 file\.csv > part\.csv.*workerMemoryMb=10240/,
    );
    // Estimated before reading: a CSV larger than its first 64 KiB, a .npy from its header.
    const big = join(dir, 'big.csv');
    writeFileSync(big, `a,b,label\n${'1.5,2.5,x\n'.repeat(20_000)}`);
    const e = await problemOf(
      prepareTableFiles(store, { name: 'bad', from: big, label: 'label', workerMemoryMb: 0.1 }),
    );
    expect(e.found).toMatch(/^about (19|20),\d{3} rows × 2 inputs = about 19\d\.\d KB$/);
    const npy = await refused(prepare('regress.npy', { label: '-1', workerMemoryMb: 0.0001 }));
    expect(npy.found).toBe('about 12 rows × 4 inputs = about 0.2 KB');
    await expect(prepare('regress.npy', { label: '-1', workerMemoryMb: 0.0001 })).rejects.toBeInstanceOf(
      TableTooLargeError,
    );
  });

  it('a test row whose class the training rows never show', async () => {
    const test = join(dir, 'test.csv');
    writeFileSync(test, 'a,b,label\n1,2,x\n3,4,z\n');
    const train = join(dir, 'train.csv');
    writeFileSync(
      train,
      `a,b,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i % 3},${i % 2 ? 'x' : 'y'}`).join('\n')}\n`,
    );
    const p = await refused(
      prepareTableFiles(store, { name: 'bad', from: train, test, label: 'label', workerMemoryMb: 1769 }),
    );
    expect(p).toMatchObject({ at: 'line 3, column "label"', found: '"z"' });
  });

  it('a failed shard write takes back the shards it wrote, and no manifest is written', async () => {
    const failing = new FailingPuts(store, (key) => key.endsWith('train-00002.bin'));
    await expect(prepare('regress.csv', { label: 'y', shardSize: 10 }, failing)).rejects.toThrow('injected');
    expect(failing.wrote.length).toBeGreaterThan(0);
    expect(await store.list('')).toEqual([]);
  });
});

/** A store whose puts of matching keys fail (a network error), the rest working. */
class FailingPuts implements BlobStore {
  wrote: string[] = [];
  constructor(
    private readonly inner: BlobStore,
    private readonly fails: (key: string) => boolean,
  ) {}
  get(key: string) {
    return this.inner.get(key);
  }
  getIfChanged(key: string, etag: string) {
    return this.inner.getIfChanged(key, etag);
  }
  async put(key: string, body: Uint8Array | string, opts?: PutOptions) {
    if (this.fails(key)) throw new Error(`injected put failure at ${key}`);
    const r = await this.inner.put(key, body, opts);
    this.wrote.push(key);
    return r;
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}
