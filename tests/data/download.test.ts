/**
 * The downloader against local mirrors (node:http on 127.0.0.1, random port) serving the real MNIST
 * files from ../shared: one mirror answers 500, one serves a corrupted copy, one cuts the connection
 * mid-file, one is good. No test touches the network.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, downloadDataset, REMOTE_DATASETS } from '../../adapters/data/download.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import { datasetVersion } from '../../core/data/shards.ts';
import { SHARED_MNIST, tempDir } from './helpers.ts';

const FILES = REMOTE_DATASETS.mnist.files.map((f) => f.name);
const content = new Map(FILES.map((f) => [f, readFileSync(join(SHARED_MNIST, f))]));
const hits: Record<string, number> = {};
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, mode, file] = (req.url ?? '').split('/');
    hits[mode!] = (hits[mode!] ?? 0) + 1;
    const body = content.get(file ?? '');
    if (mode === 'fail500') return void res.writeHead(500).end('internal error');
    if (!body) return void res.writeHead(404).end('not found');
    if (mode === 'good') return void res.writeHead(200, { 'content-length': body.length }).end(body);
    if (mode === 'corrupt') {
      const bad = Buffer.from(body);
      bad[Math.floor(bad.length / 2)]! ^= 0xff;
      return void res.writeHead(200, { 'content-length': bad.length }).end(bad);
    }
    if (mode === 'cut') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let cacheDir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: cacheDir, cleanup } = tempDir('dl'));
  for (const k of Object.keys(hits)) delete hits[k];
});
afterEach(() => cleanup());

const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');
const fast = { retries: 1, retryDelayMs: 1, progress: false };

describe('downloadDataset', () => {
  it('falls over from a failing and a corrupt mirror to a good one and ends with verified files', async () => {
    const log: string[] = [];
    const dir = await downloadDataset('mnist', {
      cacheDir,
      mirrors: [`${base}/fail500/`, `${base}/corrupt/`, `${base}/cut/`, `${base}/good/`],
      ...fast,
      log: (m) => log.push(m),
    });
    expect(dir).toBe(join(cacheDir, 'mnist'));
    expect(readdirSync(dir).sort()).toEqual([...FILES].sort());
    for (const f of REMOTE_DATASETS.mnist.files) expect(md5(join(dir, f.name))).toBe(f.md5);
    expect(hits).toEqual({ fail500: 8, corrupt: 4, cut: 8, good: 4 }); // 500 and cut are retried once
    expect(log.some((m) => /fail500.*HTTP 500.*\(retrying\)/.test(m))).toBe(true);
    expect(log.some((m) => /corrupt.*MD5 mismatch/.test(m))).toBe(true);
    expect(log.some((m) => /cut.*(interrupted|short download)/.test(m))).toBe(true);
    // A second call finds everything in the cache and makes no request.
    const before = { ...hits };
    await downloadDataset('mnist', { cacheDir, mirrors: [`${base}/good/`], ...fast });
    expect(hits).toEqual(before);
  });

  it('does not retry a mirror whose host name does not resolve; it goes on to the next one', async () => {
    const log: string[] = [];
    const asked: string[] = [];
    const offline: typeof fetch = async (input, init) => {
      const url = String(input);
      asked.push(new URL(url).host);
      if (url.startsWith('http://mirror.example/')) {
        const cause = Object.assign(new Error('getaddrinfo ENOTFOUND mirror.example'), { code: 'ENOTFOUND' });
        throw new TypeError('fetch failed', { cause });
      }
      return fetch(input, init);
    };
    const dir = await downloadDataset('mnist', {
      cacheDir,
      mirrors: ['http://mirror.example/mnist/', `${base}/good/`],
      ...fast,
      retries: 2,
      fetchImpl: offline,
      log: (m) => log.push(m),
    });
    for (const f of REMOTE_DATASETS.mnist.files) expect(md5(join(dir, f.name))).toBe(f.md5);
    // One attempt per file at the unresolvable mirror (not 1 + 2 retries), then the good one.
    expect(asked.filter((h) => h === 'mirror.example')).toHaveLength(FILES.length);
    expect(log.filter((m) => m.includes('ENOTFOUND'))).toHaveLength(FILES.length);
    expect(log.some((m) => m.includes('(retrying)'))).toBe(false);
  });

  it('errors cleanly when no mirror has a good copy, leaving no partial file in the cache', async () => {
    const err = await downloadDataset('mnist', {
      cacheDir,
      mirrors: [`${base}/corrupt/`, `${base}/fail500/`, `${base}/cut/`],
      ...fast,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).file).toBe('train-images-idx3-ubyte.gz');
    expect((err as DownloadError).attempts.map((a) => a.url.split('/')[3])).toEqual([
      'corrupt',
      'fail500',
      'fail500',
      'cut',
      'cut',
    ]);
    expect((err as Error).message).toMatch(/MD5 mismatch.*HTTP 500/);
    expect(readdirSync(join(cacheDir, 'mnist'))).toEqual([]);
  });

  it('replaces a corrupted file found in the cache', async () => {
    await downloadDataset('mnist', { cacheDir, mirrors: [`${base}/good/`], ...fast });
    const victim = join(cacheDir, 'mnist', 't10k-labels-idx1-ubyte.gz');
    writeFileSync(victim, 'garbage');
    hits.good = 0;
    await downloadDataset('mnist', { cacheDir, mirrors: [`${base}/good/`], ...fast });
    expect(hits.good).toBe(1);
    expect(md5(victim)).toBe('ec29112dd5afa0611ce80d1b7f02629c');
  });
});

describe('resolveDataset', () => {
  it('uses verified files from the cache without any request', async () => {
    await downloadDataset('mnist', { cacheDir, mirrors: [`${base}/good/`], ...fast });
    const before = { ...hits };
    const r = await resolveDataset('mnist', { cacheDir, offline: true });
    expect(r.notice).toBeUndefined();
    expect(r.dataset.name).toBe('mnist');
    expect(r.dataset.train.count).toBe(60_000);
    expect(r.source.map((s) => s.md5).sort()).toEqual(REMOTE_DATASETS.mnist.files.map((f) => f.md5).sort());
    expect(hits).toEqual(before);
  });

  it('downloads through the given mirrors when the cache is empty', async () => {
    const r = await resolveDataset('mnist', { cacheDir, download: { mirrors: [`${base}/good/`], ...fast } });
    expect(r.notice).toBeUndefined();
    expect(r.dataset.test.count).toBe(10_000);
    expect(hits.good).toBe(4);
  });

  it('falls back to mnist-mini with a clear notice when offline or the download fails', async () => {
    const offline = await resolveDataset('mnist', { cacheDir, offline: true });
    expect(offline.dataset.name).toBe('mnist-mini');
    expect(offline.dataset.train.count).toBe(7996);
    expect(offline.notice).toMatch(/could not get mnist \(offline and not in the cache\); using mnist-mini/);
    const failed = await resolveDataset('kmnist', {
      cacheDir,
      download: { mirrors: [`${base}/fail500/`], retries: 0, retryDelayMs: 1 },
    });
    expect(failed.dataset.name).toBe('mnist-mini');
    expect(failed.notice).toMatch(
      /could not get kmnist \(could not download .*HTTP 500.*which is NOT kmnist/,
    );
    expect(existsSync(join(cacheDir, 'kmnist')) ? readdirSync(join(cacheDir, 'kmnist')) : []).toEqual([]);
  });

  it('reads a directory by path or via dataDir, and rejects unknown names', async () => {
    const byDir = await resolveDataset('mnist', { dataDir: SHARED_MNIST });
    expect(byDir.dataset.name).toBe('mnist');
    // Same files ⇒ same version as a download would give.
    expect(byDir.dataset.version).toBe(
      datasetVersion(REMOTE_DATASETS.mnist.files.map((f) => ({ file: f.name, md5: f.md5 }))),
    );
    const byPath = await resolveDataset(SHARED_MNIST);
    expect(byPath.dataset.name).toBe('mnist');
    await expect(resolveDataset('cifar10')).rejects.toThrow(
      /data set "cifar10" is not built in: built in are mnist, .* --dataset cifar10 --data-dir <dir>.* --dataset cifar10 --from /,
    );
    await expect(resolveDataset('./no/such/dir')).rejects.toThrow(/does not exist/);
  });
});
