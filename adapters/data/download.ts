/**
 * Downloading the public MNIST-family data sets into the user's cache (XDG: `~/.cache/mlp-sweep/datasets/
 * <name>/`), verified against the MD5s torchvision publishes.
 *
 * - Mirrors are tried in order; a transient failure (network error, timeout, HTTP 5xx/429) is retried
 *   with backoff, anything else (404, wrong MD5) falls over to the next mirror at once.
 * - Bytes stream into `<file>.<pid>.<random>.part` next to the target while their MD5 is computed; only
 *   a verified file is renamed into place, a failed one is removed. The cache never holds a partial or
 *   unverified file under a real name, and files already there are re-verified before use.
 * - A progress bar (cli-progress) is shown on stderr when asked for and stderr is a terminal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import envPaths from 'env-paths';

export type DownloadableDataset = 'mnist' | 'fashion-mnist' | 'kmnist' | 'qmnist';

export interface RemoteFile {
  name: string;
  md5: string;
}

/** Mirrors and published MD5s (of the .gz files), as torchvision lists them. */
export const REMOTE_DATASETS: Record<DownloadableDataset, { mirrors: string[]; files: RemoteFile[] }> = {
  mnist: {
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    files: [
      { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
      { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
      { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
    ],
  },
  'fashion-mnist': {
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
      { name: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
      { name: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
      { name: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
    ],
  },
  kmnist: {
    mirrors: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
    files: [
      { name: 'train-images-idx3-ubyte.gz', md5: 'bdb82020997e1d708af4cf47b453dcf7' },
      { name: 'train-labels-idx1-ubyte.gz', md5: 'e144d726b3acfaa3e44228e80efcd344' },
      { name: 't10k-images-idx3-ubyte.gz', md5: '5c965bf0a639b31b8f53240b1b52f4d7' },
      { name: 't10k-labels-idx1-ubyte.gz', md5: '7320c461ea6c1c855c0b718fb2a4b134' },
    ],
  },
  qmnist: {
    mirrors: ['https://raw.githubusercontent.com/facebookresearch/qmnist/master/'],
    files: [
      { name: 'qmnist-train-images-idx3-ubyte.gz', md5: 'ed72d4157d28c017586c42bc6afe6370' },
      { name: 'qmnist-train-labels-idx2-int.gz', md5: '0058f8dd561b90ffdd0f734c6a30e5e4' },
      { name: 'qmnist-test-images-idx3-ubyte.gz', md5: '1394631089c404de565df7b7aeaf9412' },
      { name: 'qmnist-test-labels-idx2-int.gz', md5: '5b5b05890a5e13444e108efe57b788aa' },
    ],
  },
};

export function isDownloadable(name: string): name is DownloadableDataset {
  return Object.hasOwn(REMOTE_DATASETS, name);
}

/** `$XDG_CACHE_HOME/mlp-sweep/datasets` (or the platform's equivalent). */
export function defaultDatasetCacheDir(): string {
  return join(envPaths('mlp-sweep', { suffix: '' }).cache, 'datasets');
}

export interface DownloadOptions {
  /** Root of the data set cache; files go to `<cacheDir>/<name>/`. */
  cacheDir?: string;
  /** Overrides the data set's mirror list (base URLs, with trailing slash). */
  mirrors?: string[];
  /** Show a progress bar (only when stderr is a TTY). */
  progress?: boolean;
  fetchImpl?: typeof fetch;
  /** Retries per mirror for transient failures (default 2). */
  retries?: number;
  /** First backoff delay, doubled per retry (default 500 ms). */
  retryDelayMs?: number;
  /** Per-request timeout, body included (default 300 s). */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly file: string,
    readonly attempts: { url: string; error: string }[],
  ) {
    // One entry per mirror and error, with the number of tries: retries of a dead mirror say it once.
    const tally = new Map<string, number>();
    for (const a of attempts) tally.set(`${a.url}: ${a.error}`, (tally.get(`${a.url}: ${a.error}`) ?? 0) + 1);
    const tried = [...tally].map(([what, n]) => (n > 1 ? `${what} (×${n})` : what));
    super(`could not download ${file}: ${tried.join('; ')}`);
  }
}

class TransientError extends Error {}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The MD5 of a file (read as a stream), or undefined when it cannot be read. */
export async function md5File(path: string): Promise<string | undefined> {
  try {
    const hash = createHash('md5');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** Downloads (or finds in the cache) the data set's files; returns the directory holding them, verified. */
export async function downloadDataset(
  name: DownloadableDataset,
  opts: DownloadOptions = {},
): Promise<string> {
  const spec = REMOTE_DATASETS[name];
  if (!spec)
    throw new Error(`unknown data set ${name}: expected one of ${Object.keys(REMOTE_DATASETS).join(', ')}`);
  const dir = join(opts.cacheDir ?? defaultDatasetCacheDir(), name);
  await fsp.mkdir(dir, { recursive: true });
  await removeStaleParts(dir);
  for (const f of spec.files) {
    const target = join(dir, f.name);
    const have = await md5File(target);
    if (have === f.md5) continue;
    if (have !== undefined) {
      opts.log?.(`${target}: MD5 ${have} does not match ${f.md5}; downloading it again`);
      await fsp.rm(target, { force: true });
    }
    await downloadFile(f, opts.mirrors ?? spec.mirrors, target, opts);
  }
  return dir;
}

async function downloadFile(
  f: RemoteFile,
  mirrors: string[],
  target: string,
  opts: DownloadOptions,
): Promise<void> {
  const attempts: { url: string; error: string }[] = [];
  const retries = opts.retries ?? 2;
  const delay = opts.retryDelayMs ?? 500;
  for (const mirror of mirrors) {
    const url = new URL(f.name, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        await fetchVerified(url, f, target, opts);
        return;
      } catch (e) {
        const msg = (e as Error).message;
        attempts.push({ url, error: msg });
        const transient = e instanceof TransientError;
        opts.log?.(`${url}: ${msg}${transient && attempt < retries ? ' (retrying)' : ''}`);
        if (!transient || attempt === retries) break;
        await sleep(delay * 2 ** attempt);
      }
    }
  }
  throw new DownloadError(f.name, attempts);
}

async function fetchVerified(
  url: string,
  f: RemoteFile,
  target: string,
  opts: DownloadOptions,
): Promise<void> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const part = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000),
      redirect: 'follow',
    });
  } catch (e) {
    // A host name that does not resolve will not resolve a second later either (offline, or a dead
    // mirror): go on to the next mirror at once instead of retrying.
    if ((e as { cause?: { code?: string } }).cause?.code === 'ENOTFOUND')
      throw new Error(`request failed: ${errText(e)}`);
    throw new TransientError(`request failed: ${errText(e)}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    const text = `HTTP ${res.status} ${res.statusText}`.trim();
    if (res.status >= 500 || res.status === 429) throw new TransientError(text);
    throw new Error(text);
  }
  const total = Number(res.headers.get('content-length') ?? 0);
  const bar =
    opts.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: `${f.name} [{bar}] {percentage}% | {value}/{total} KiB`,
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(Math.ceil(total / 1024) || 0, 0);
  const hash = createHash('md5');
  const fh = await fsp.open(part, 'wx');
  let received = 0;
  let ok = false;
  try {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await fh.write(chunk);
        received += chunk.length;
        bar?.update(Math.floor(received / 1024));
      }
    } catch (e) {
      throw new TransientError(`download interrupted after ${received} bytes: ${errText(e)}`);
    }
    await fh.sync();
    await fh.close();
    if (total > 0 && received !== total) {
      throw new TransientError(`short download: ${received} of ${total} bytes`);
    }
    const md5 = hash.digest('hex');
    if (md5 !== f.md5) throw new Error(`MD5 mismatch: got ${md5}, expected ${f.md5}`);
    await fsp.rename(part, target);
    ok = true;
  } finally {
    bar?.stop();
    await fh.close().catch(() => undefined);
    if (!ok) await fsp.rm(part, { force: true });
  }
}

function errText(e: unknown): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : String(err.message ?? e);
}

/** Removes `.part` files left by a process that died mid-download (older than one hour). */
async function removeStaleParts(dir: string): Promise<void> {
  const now = Date.now();
  for (const n of await fsp.readdir(dir)) {
    if (!n.endsWith('.part')) continue;
    const p = join(dir, n);
    const st = await fsp.stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > 3_600_000) await fsp.rm(p, { force: true });
  }
}
