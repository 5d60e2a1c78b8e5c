/** Shared helpers of the data tests: synthetic IDX files, temp dirs, paths to the shared real data. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Full MNIST .gz files (shared with the checkout; tests may read them, the product never needs them). */
export const SHARED_MNIST = resolve(REPO_ROOT, '..', 'shared', 'data', 'mnist');
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Builds IDX bytes: magic 0x0000<type><ndims>, big-endian dims, big-endian data. */
export function idxBytes(type: 'u8' | 'i32', dims: number[], values: ArrayLike<number>): Uint8Array {
  const size = type === 'u8' ? 1 : 4;
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = type === 'u8' ? 0x08 : 0x0c;
  out[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  for (let i = 0; i < values.length; i++) {
    if (type === 'u8') out[header + i] = values[i]!;
    else view.setInt32(header + 4 * i, values[i]!, false);
  }
  return out;
}

/** n synthetic images of rows×cols where image i is filled with (i*37+k) & 255 and labelled i % classes. */
export function syntheticSplit(n: number, rows: number, cols: number, classes = 10) {
  const images = new Uint8Array(n * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (Math.floor(i / (rows * cols)) * 37 + i) & 255;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  return { images, labels, count: n };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
