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

const WRITER_SCRIPT = join(import.meta.dirname, 'fixtures', 'cas-writer.ts');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'fs-store-conc-'));
  dirs.push(d);
  return d;
};

/** A writer in another process or thread: ready once started, racing from `go()`, its conflicts at the end. */
interface Writer {
  ready: Promise<void>;
  go(): void;
  /** CAS conflicts it met; rejects if it died or never reported. */
  done: Promise<number>;
}

type Endpoint = {
  on(ev: 'message', f: (m: unknown) => void): unknown;
  on(ev: 'error', f: (e: Error) => void): unknown;
  on(ev: 'exit', f: (code: number | null) => void): unknown;
};

function watchWriter(w: Endpoint, go: () => void, what: string): Writer {
  let conflicts: number | undefined;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const done = new Promise<number>((resolve, reject) => {
    w.on('message', (m) => {
      const msg = m as { ready?: boolean; conflicts?: number };
      if (msg.ready) ready();
      if (msg.conflicts !== undefined) conflicts = msg.conflicts;
    });
    w.on('error', reject);
    w.on('exit', (code) =>
      code === 0 && conflicts !== undefined
        ? resolve(conflicts)
        : reject(new Error(`${what} exited ${code}${conflicts === undefined ? ' without reporting' : ''}`)),
    );
  });
  return { ready: isReady, go, done };
}

function inProcess(dir: string, key: string, times: number): Writer {
  const child = fork(WRITER_SCRIPT, [dir, key, String(times)], {
    execArgv: [...TSX_EXEC_ARGV],
    stdio: 'inherit',
  });
  return watchWriter(child, () => child.send('go'), 'writer process');
}

function inThread(dir: string, key: string, times: number): Writer {
  const w = tsWorker(pathToFileURL(WRITER_SCRIPT), { workerData: [dir, key, times] });
  return watchWriter(w, () => w.postMessage('go'), 'writer thread');
}

describe('FsBlobStore across processes and threads', () => {
  it('2 processes + 2 worker threads + this thread, started together, increment one counter with CAS: they conflict, and the count is exact', async () => {
    const dir = await tempDir();
    const key = 'sweeps/s/state.json';
    const times = 25;
    const { casIncrement } = await import('./blob-store.contract.ts');
    const writers = [
      inProcess(dir, key, times),
      inProcess(dir, key, times),
      inThread(dir, key, times),
      inThread(dir, key, times),
    ];
    // Every writer is up before any starts, so all five really overlap (process start-up takes longer
    // than 25 increments here).
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    const results = await Promise.all([
      ...writers.map((w) => w.done),
      casIncrement(new FsBlobStore(dir), key, times),
    ]);
    const got = await new FsBlobStore(dir).get(key);
    expect(JSON.parse(new TextDecoder().decode(got!.body))).toEqual({ n: 5 * times });
    // They raced: some compare-and-swaps lost and were retried (else this proves nothing about atomicity).
    console.log(`[contract] fs CAS across processes/threads: conflicts per writer ${results.join(', ')}`);
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
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
