/**
 * Resource estimates of a training run, used to refuse configs that won't fit a worker and to
 * predict durations. Both are pure arithmetic on the config.
 */
import type { TrialConfig } from '../config.ts';

/** Rows of one evaluation chunk (validation / test are evaluated in chunks of max(batch, EVAL_ROWS)). */
export const EVAL_ROWS = 256;
const FLOAT_BYTES = 4; // production trainers run in Float32

/**
 * Peak working memory of a trainer in bytes (the data set itself is not counted): weights + gradients +
 * transposed copies + optimizer moments, per-row activation buffers (A, dA, dropout M/H, softmax P) and
 * CSR/CSC scratch for max(batch, EVAL_ROWS) rows, the index arrays of the split, and a fixed allowance
 * for the test predictions and the JS objects around them. `input`: u8 pixels, or a table's dense floats.
 */
export function estimateTrainingBytes(
  c: TrialConfig,
  trainCount: number,
  testCount: number,
  input: 'pixels' | 'dense' = 'pixels',
): number {
  const sizes = c.layers;
  const L = sizes.length - 1;
  const rows = Math.max(c.batch_size, EVAL_ROWS);
  const widest = Math.max(...sizes);
  let params = 0;
  let weights = 0;
  let perRow = 0;
  for (let l = 0; l < L; l++) {
    const k = sizes[l]!;
    const n = sizes[l + 1]!;
    params += k * n + n;
    weights += k * n;
    const dropout = l < L - 1 && (Array.isArray(c.dropout) ? c.dropout[l]! : c.dropout) > 0;
    perRow += n * FLOAT_BYTES * (dropout ? 4 : 2); // A, dA (+ M, H)
    perRow += k * (4 + FLOAT_BYTES); // CSR of the layer input
  }
  perRow += sizes[L]! * FLOAT_BYTES; // P
  perRow += widest * 2 * (4 + FLOAT_BYTES); // CSC + dZ CSR scratch
  perRow += sizes[0]! * (input === 'dense' ? FLOAT_BYTES : 1) + 2 + FLOAT_BYTES; // input, label, target
  const moments = c.optimizer === 'adam' ? 2 : c.optimizer === 'rmsprop' || c.momentum > 0 ? 1 : 0;
  const paramBytes = FLOAT_BYTES * (params * (2 + moments) + weights); // w, grad, moments, WT
  const indexBytes = trainCount * 4 * 3; // split + epoch order
  // Predictions and wrong candidates (a regression keeps both values per row in float64, and an order).
  const testBytes = testCount * (input === 'dense' ? 48 : 24);
  return paramBytes + rows * perRow + indexBytes + testBytes + 1_000_000;
}

/**
 * Floating-point operations of one epoch counted as dense: 2 × multiply-adds of forward (Σ k·n per
 * sample) and backward (dW for every layer, dX for all but the first) over the training part, plus the
 * forward pass over the validation part. (The sparse kernels skip zeros, so real work is less.)
 */
export function flopsPerEpoch(c: TrialConfig, trainCount: number): number {
  const nVal = Math.round(trainCount * c.validation_split);
  const nTrain = trainCount - nVal;
  let fwd = 0;
  let bwd = 0;
  for (let l = 0; l + 1 < c.layers.length; l++) {
    const kn = c.layers[l]! * c.layers[l + 1]!;
    fwd += kn;
    bwd += l === 0 ? kn : 2 * kn;
  }
  return 2 * (nTrain * (fwd + bwd) + nVal * fwd);
}
