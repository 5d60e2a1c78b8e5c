/**
 * Small synthetic tables for trainer tests, already "prepared" (standardised numbers, one-hot groups), with
 * the recipe a prepared table carries (core/data/tabular/manifest.ts).
 *
 *  - classification: 2 numbers and a one-hot `colour` group of 3; 3 classes, class = which of x0, x1, or the
 *    colour dominates (noisy).
 *  - regression: 3 numbers and a one-hot `kind` group of 2; y = 30·x0 − 20·x1 + 10·[kind = b] + 5·noise + 200
 *    (in the target's own units: mean and std are the generated y's).
 *  - many classes: `classes` classes, input = one-hot of the class (width = classes): learnable by heart.
 */

import type { FeatureStep } from '../../core/data/tabular/manifest.ts';
import type { ClassificationTable, RegressionTable } from '../../core/dataset.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';

const numeric = (column: string, mean: number, std: number): FeatureStep => ({
  column,
  type: 'numeric',
  median: mean,
  mean,
  std,
  missing: { train: 0, test: 0 },
});
const categorical = (column: string, categories: string[]): FeatureStep => ({
  column,
  type: 'categorical',
  categories,
  other: false,
  pooled: 0,
  most_frequent: categories[0]!,
  missing: { train: 0, test: 0 },
});

function classRows(n: number, rng: Xoshiro128ss) {
  const features = new Float32Array(n * 5);
  const labels = new Uint16Array(n);
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    labels[r] = c;
    const x = features.subarray(r * 5, r * 5 + 5);
    x[0] = (c === 0 ? 1.5 : -0.5) + 0.6 * rng.normal();
    x[1] = (c === 1 ? 1.5 : -0.5) + 0.6 * rng.normal();
    const colour = c === 2 ? 2 : rng.below(2);
    x[2 + colour] = 1;
  }
  return { features, labels, count: n };
}

export function toyClassificationTable(): ClassificationTable {
  const rng = new Xoshiro128ss(77);
  return {
    kind: 'table',
    name: 'toy-table',
    version: 'c1',
    task: 'classification',
    inputs: 5,
    featureNames: ['x0', 'x1', 'colour=red', 'colour=green', 'colour=blue'],
    steps: [numeric('x0', 10, 2), numeric('x1', -3, 0.5), categorical('colour', ['red', 'green', 'blue'])],
    classes: 3,
    classNames: ['low', 'mid', 'high'],
    train: classRows(300, rng),
    test: classRows(90, rng),
  };
}

const Y_MEAN = 200;
const Y_STD = 40;

function regressionRows(n: number, rng: Xoshiro128ss) {
  const features = new Float32Array(n * 5);
  const labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const x = features.subarray(r * 5, r * 5 + 5);
    x[0] = rng.normal();
    x[1] = rng.normal();
    x[2] = rng.normal();
    const b = rng.below(2);
    x[3 + b] = 1;
    const y = Y_MEAN + 30 * x[0]! - 20 * x[1]! + 10 * b + 5 * rng.normal();
    labels[r] = (y - Y_MEAN) / Y_STD;
  }
  return { features, labels, count: n };
}

export function toyRegressionTable(): RegressionTable {
  const rng = new Xoshiro128ss(78);
  return {
    kind: 'table',
    name: 'toy-regression',
    version: 'r1',
    task: 'regression',
    inputs: 5,
    featureNames: ['x0', 'x1', 'x2', 'kind=a', 'kind=b'],
    steps: [numeric('x0', 0, 1), numeric('x1', 5, 2), numeric('x2', 1, 1), categorical('kind', ['a', 'b'])],
    target: { name: 'y', mean: Y_MEAN, std: Y_STD },
    train: regressionRows(400, rng),
    test: regressionRows(100, rng),
  };
}

/** `classes` classes, 2 rows each, input = the one-hot of the class. */
export function manyClassesTable(classes: number): ClassificationTable {
  const rows = (n: number) => {
    const features = new Float32Array(n * classes);
    const labels = new Uint16Array(n);
    for (let r = 0; r < n; r++) {
      labels[r] = r % classes;
      features[r * classes + (r % classes)] = 1;
    }
    return { features, labels, count: n };
  };
  return {
    kind: 'table',
    name: 'many',
    version: '1',
    task: 'classification',
    inputs: classes,
    featureNames: Array.from({ length: classes }, (_, i) => `c=${i}`),
    steps: [
      categorical(
        'c',
        Array.from({ length: classes }, (_, i) => String(i)),
      ),
    ],
    classes,
    classNames: Array.from({ length: classes }, (_, i) => `k${i}`),
    train: rows(2 * classes),
    test: rows(classes),
  };
}
