/** `sweep data …` through commander, against a local files store in a temp directory. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { loadFromStore } from '../../core/data/prepare.ts';
import { dataCli } from './cli-helpers.ts';
import { tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let out: string[];
let err: string[];
let sweep: (...args: string[]) => Promise<void>;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cli'));
  ({ out, err, sweep } = dataCli());
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  cleanup();
});

describe('sweep data prepare', () => {
  it('writes mnist-mini to a local store, then is a no-op, and the store loads', async () => {
    const storeDir = join(dir, 'store');
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'mnist-mini',
      '--store-dir',
      storeDir,
      '--shard-size',
      '4000',
      '--json',
    );
    expect(process.exitCode).toBeUndefined();
    const first = JSON.parse(out.join(''));
    expect(first).toMatchObject({
      ok: true,
      dataset: 'mnist-mini',
      skipped: false,
      written: 4,
      train: 7996,
      test: 2004,
      shards: 3,
    });
    out.length = 0;
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'mnist-mini',
      '--store-dir',
      storeDir,
      '--shard-size',
      '4000',
      '--json',
    );
    expect(JSON.parse(out.join(''))).toMatchObject({ skipped: true, written: 0, version: first.version });
    const ds = await loadFromStore(new FsBlobStore(storeDir), { name: 'mnist-mini', version: first.version });
    expect(ds.train.count).toBe(7996);
    out.length = 0;
    await sweep('data', 'list', '--store-dir', storeDir, '--json');
    expect(JSON.parse(out.join(''))).toMatchObject({
      dataset: 'mnist-mini',
      version: first.version,
      shards: 3,
    });
  });

  it('falls back to mnist-mini offline with a notice on stderr', async () => {
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'kmnist',
      '--offline',
      '--cache-dir',
      join(dir, 'cache'),
      '--store-dir',
      join(dir, 's'),
    );
    expect(process.exitCode).toBeUndefined();
    expect(err.join('')).toMatch(/notice: could not get kmnist .* using mnist-mini/);
    expect(out.join('')).toMatch(/prepared mnist-mini@[0-9a-f]{12} \(7996 train \/ 2004 test/);
  });

  it('exits 2 on invalid input', async () => {
    await sweep('data', 'prepare', '--dataset', 'cifar10', '--store-dir', join(dir, 's'));
    expect(process.exitCode).toBe(2);
    expect(err.join('')).toMatch(
      /data set "cifar10" is not built in: built in are mnist, .*sweep data prepare --dataset cifar10 --from /,
    );
    process.exitCode = undefined;
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'mnist-mini',
      '--shard-size',
      '0',
      '--store-dir',
      join(dir, 's'),
    );
    expect(process.exitCode).toBe(2);
    expect(err.join('')).toMatch(/--shard-size must be a positive integer/);
    process.exitCode = undefined;
    await sweep(
      'data',
      'prepare',
      '--dataset',
      'mnist-mini',
      '--backend',
      'gcp',
      '--store-dir',
      join(dir, 's'),
    );
    expect(process.exitCode).toBe(2);
  });
});
