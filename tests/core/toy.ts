/** A small synthetic data set for trainer tests: 4×4 images, 3 classes, class c lights up row c (noisy). */
import type { Dataset, Split } from '../../core/dataset.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';

function split(n: number, rng: Xoshiro128ss): Split {
  const images = new Uint8Array(n * 16);
  const labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const c = s % 3;
    labels[s] = c;
    for (let p = 0; p < 16; p++) {
      const on = Math.floor(p / 4) === c;
      const noise = rng.nextFloat();
      images[s * 16 + p] = on ? 120 + rng.below(136) : noise < 0.7 ? 0 : rng.below(140);
    }
  }
  return { images, labels, count: n };
}

export function toyDataset(): Dataset {
  const rng = new Xoshiro128ss(2024);
  return {
    name: 'toy',
    version: '1',
    rows: 4,
    cols: 4,
    classes: 3,
    train: split(300, rng),
    test: split(90, rng),
    pixelMean: 0.2,
    pixelStd: 0.3,
  };
}
