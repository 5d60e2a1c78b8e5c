/**
 * Reading an MNIST-style directory of IDX files (gzipped or raw) into a Dataset.
 *
 * Recognised names per role (first match wins, `.gz` or not):
 *   train images  train-images-idx3-ubyte, train-images.idx3-ubyte, qmnist-train-images-idx3-ubyte
 *   train labels  train-labels-idx1-ubyte, train-labels.idx1-ubyte, qmnist-train-labels-idx2-int
 *   test images   t10k-images-idx3-ubyte, t10k-images.idx3-ubyte, qmnist-test-images-idx3-ubyte
 *   test labels   t10k-labels-idx1-ubyte, t10k-labels.idx1-ubyte, qmnist-test-labels-idx2-int
 * Gzip is detected by its magic bytes, not by the name.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { datasetFromIdx, IdxError, type IdxFile, type IdxSplitFiles } from '../../core/data/idx.ts';
import { datasetVersion, type SourceFile } from '../../core/data/shards.ts';
import type { Dataset } from '../../core/dataset.ts';

const gunzip = promisify(gunzipCb);

export const IDX_FILE_NAMES: Record<keyof IdxSplitFiles, string[]> = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte', 'qmnist-train-images-idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte', 'qmnist-train-labels-idx2-int'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'qmnist-test-images-idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 'qmnist-test-labels-idx2-int'],
};

/** Reads one IDX file from disk, gunzipping it when it starts with the gzip magic. */
export async function readIdxFile(path: string): Promise<{ file: IdxFile; md5: string }> {
  const raw = await fsp.readFile(path);
  const md5 = createHash('md5').update(raw).digest('hex');
  let bytes: Uint8Array = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = await gunzip(raw);
    } catch (e) {
      throw new IdxError(path, `corrupt gzip data (${(e as Error).message})`);
    }
  }
  return { file: { file: path, bytes }, md5 };
}

/** Finds the four files of an MNIST-style data set in `dir`; names the missing ones when incomplete. */
export async function findIdxFiles(dir: string): Promise<Record<keyof IdxSplitFiles, string>> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    throw new IdxError(dir, `cannot read the data directory (${(e as Error).message})`);
  }
  const present = new Set(names);
  const found: Partial<Record<keyof IdxSplitFiles, string>> = {};
  const missing: string[] = [];
  for (const [role, candidates] of Object.entries(IDX_FILE_NAMES) as [keyof IdxSplitFiles, string[]][]) {
    const hit = candidates.flatMap((c) => [c, `${c}.gz`]).find((n) => present.has(n));
    if (hit) found[role] = join(dir, hit);
    else missing.push(`${candidates[0]}[.gz]`);
  }
  if (missing.length > 0) throw new IdxError(dir, `lacks IDX files: ${missing.join(', ')}`);
  return found as Record<keyof IdxSplitFiles, string>;
}

/**
 * Loads a directory of IDX files with the MD5s of the files as found (compressed or not). The version
 * derives from those MD5s; the name defaults to the directory's name.
 */
export async function loadIdxDirectoryWithSource(
  dir: string,
  opts: { name?: string } = {},
): Promise<{ dataset: Dataset; source: SourceFile[] }> {
  const paths = await findIdxFiles(dir);
  const roles = Object.keys(paths) as (keyof IdxSplitFiles)[];
  const read = await Promise.all(roles.map((r) => readIdxFile(paths[r])));
  const files = Object.fromEntries(roles.map((r, i) => [r, read[i]!.file])) as unknown as IdxSplitFiles;
  const source = roles.map((r, i) => ({ file: basename(paths[r]), md5: read[i]!.md5 }));
  const name = opts.name ?? sanitizeName(basename(resolve(dir)));
  const dataset = datasetFromIdx(files, { name, version: datasetVersion(source) });
  return { dataset, source };
}

export async function loadIdxDirectory(dir: string, opts: { name?: string } = {}): Promise<Dataset> {
  return (await loadIdxDirectoryWithSource(dir, opts)).dataset;
}

/** A directory name turned into a valid data set id. */
export function sanitizeName(s: string): string {
  const cleaned = s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned || 'idx';
}
