/**
 * Whether a table fits in a worker. A worker holds the whole data set in memory as float32 features plus
 * labels (u16 class ids, f32 targets), so the prepared table may take at most DATA_SHARE of the worker's
 * memory; the rest is the runtime's, the network's and the batches'. Checked exactly once the input
 * width is known, and estimated by the readers before they read a file that is plainly too large.
 */
import { TableTooLargeError } from './errors.ts';

/** Share of a worker's memory a data set may take. */
export const DATA_SHARE = 0.5;

export interface MemoryLimit {
  /** Bytes of features and labels (both splits) a worker can hold. */
  bytes: number;
  /** The worker's memory, for the message. */
  workerMemoryMb: number;
}

export const memoryLimit = (workerMemoryMb: number): MemoryLimit => ({
  bytes: Math.floor(workerMemoryMb * 2 ** 20 * DATA_SHARE),
  workerMemoryMb,
});

/**
 * Throws a TableTooLargeError unless `rows` of `inputs` float32 features and their labels fit. With
 * `estimated`, the figures come from a look at the file before reading it (the message says "about").
 */
export function checkFits(
  file: string,
  t: { rows: number; inputs: number; labelBytes: number; estimated?: boolean },
  limit: MemoryLimit,
): void {
  const rowBytes = t.inputs * 4 + t.labelBytes;
  const need = t.rows * rowBytes;
  if (need <= limit.bytes) return;
  const fits = Math.floor(limit.bytes / rowBytes);
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const mb = (b: number) =>
    b >= 2 ** 30
      ? `${(b / 2 ** 30).toFixed(1)} GB`
      : b >= 2 ** 20
        ? `${n(b / 2 ** 20)} MB`
        : `${(b / 1024).toFixed(1)} KB`;
  const about = t.estimated ? 'about ' : '';
  throw new TableTooLargeError({
    file,
    expected:
      `a table that fits in a worker: at most ${mb(limit.bytes)} of float32 features and labels ` +
      `(${DATA_SHARE * 100}% of a ${limit.workerMemoryMb} MB worker)`,
    found: `${about}${n(t.rows)} rows × ${t.inputs} inputs = ${about}${mb(need)}`,
    fix:
      `About ${n(fits)} rows of this width fit: prepare a sample or a part of the file (for a CSV, ` +
      `\`head -n ${fits + 1} file.csv > part.csv\` keeps the header and ${n(fits)} rows) or split it into ` +
      'several data sets; drop wide categorical columns (--drop, a smaller --max-categories); or deploy ' +
      'workers with more memory (cdk deploy -c workerMemoryMb=10240) and pass --worker-memory-mb 10240.',
  });
}
