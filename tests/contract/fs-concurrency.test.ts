/** FsBlobStore's conditional puts hold across processes and threads, not only within one event loop. */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TSX_EXEC_ARGV, tsWorker } from '../../adapters/runner/ts-worker.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { PreconditionFailedError } from '../../core/ports.ts';

const writer = join(import.meta.dirname, 'fixtures', 'cas-writer.ts');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'fs-store-conc-'));
  dirs.push(d);
  return d;
};

function inProcess(dir: string, key: string, times: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(writer, [dir, key, String(times)], {
      execArgv: [...TSX_EXEC_ARGV],
      stdio: 'inherit',
    });
    let conflicts = -1;
    child.on('message', (m) => {
      conflicts = (m as { conflicts: number }).conflicts;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(conflicts) : reject(new Error(`writer exited ${code}`)),
    );
  });
}

function inThread(dir: string, key: string, times: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = tsWorker(pathToFileURL(writer), { workerData: [dir, key, times] });
    let conflicts = -1;
    w.on('message', (m) => {
      conflicts = (m as { conflicts: number }).conflicts;
    });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve(conflicts) : reject(new Error(`thread exited ${code}`))));
  });
}

describe('FsBlobStore across processes and threads', () => {
  it('2 processes + 2 worker threads + this thread increment one counter with CAS: exact count', async () => {
    const dir = await tempDir();
    const key = 'sweeps/s/state.json';
    const times = 25;
    const { casIncrement } = await import('./blob-store.contract.ts');
    const results = await Promise.all([
      inProcess(dir, key, times),
      inProcess(dir, key, times),
      inThread(dir, key, times),
      inThread(dir, key, times),
      casIncrement(new FsBlobStore(dir), key, times),
    ]);
    const got = await new FsBlobStore(dir).get(key);
    expect(JSON.parse(new TextDecoder().decode(got!.body))).toEqual({ n: 5 * times });
    for (const c of results) expect(c).toBeGreaterThanOrEqual(0);
    // No temp files or locks left behind, and they never show up as keys.
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    expect(await readdir(join(dir, '.locks'))).toEqual([]);
    expect(await new FsBlobStore(dir).list('')).toEqual([key]);
  });

  it('breaks a lock left by a dead process and still refuses a stale ETag', async () => {
    const dir = await tempDir();
    const store = new FsBlobStore(dir);
    const v1 = await store.put('k/x', 'v1');
    // A lock file whose owner (this host, a pid that does not exist) died between open and unlink.
    const { createHash } = await import('node:crypto');
    const { hostname } = await import('node:os');
    await mkdir(join(dir, '.locks'), { recursive: true });
    const lock = join(dir, '.locks', createHash('sha1').update('k/x').digest('hex'));
    await writeFile(lock, `${hostname()} 2147483646 deadbeef`);
    const v2 = await store.put('k/x', 'v2', { ifMatch: v1.etag });
    await expect(store.put('k/x', 'v3', { ifMatch: v1.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await store.get('k/x'))!.etag).toBe(v2.etag);
  });

  it('rejects keys that would escape the root or use its reserved directories', async () => {
    const store = new FsBlobStore(await tempDir());
    for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', '.tmp/x', '.locks/y', 'a\\b', '']) {
      await expect(store.put(bad, 'x')).rejects.toThrow(/invalid key/);
    }
  });
});
