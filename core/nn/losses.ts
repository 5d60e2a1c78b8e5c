/**
 * Output layer losses, fused with their gradient w.r.t. the output layer's pre-activation Z.
 *
 * Classification, on the softmax of the logits:
 * Legend: Z (logits), P (probabilities), dZ: [B, K]   labels: [B] class ids   scale: usually 1/B
 *
 *   cross_entropy: L_b = −log softmax(z_b)[y_b] computed as logsumexp(z_b) − z_b[y_b] (max-shifted,
 *                  numerically stable);  dZ = (P − Y)·scale.
 *   mse:           L_b = (1/K)·Σ_k (p_bk − y_bk)², one-hot Y, mean over classes as in Keras;
 *                  g = dL/dP = (2/K)(P − Y)·scale, backprop through the softmax Jacobian:
 *                  dZ_j = p_j·(g_j − Σ_k p_k g_k).
 *
 * The returned sum is Σ_b L_b (not averaged); `correct` counts rows whose argmax (first max) is the label.
 *
 * Regression, on the linear output (Z is the prediction) against the standardised target T: [B, K], r = z − t:
 *   mse:   L_b = (1/K)·Σ_k r²;  dZ = (2/K)·r·scale.
 *   huber: L_b = (1/K)·Σ_k h(r), h(r) = ½r² for |r| ≤ δ, else δ·(|r| − ½δ);  dZ = (1/K)·clip(r, −δ, δ)·scale.
 *          δ = HUBER_DELTA = 1: the target is standardised, so residuals beyond one standard deviation of the
 *          target count linearly (an outlier's pull is bounded) and smaller ones quadratically; 1 is also
 *          PyTorch's HuberLoss / SmoothL1Loss default, so runs compare.
 * The returned sum is Σ_b L_b; `correct` is 0 (no accuracy).
 */
import type { Loss } from '../config.ts';
import type { FloatArray } from './kernels.ts';

export type LossKind = Loss;
export type ClassificationLoss = 'cross_entropy' | 'mse';
export type RegressionLoss = 'mse' | 'huber';

/** Huber's δ, in standard deviations of the (standardised) target. */
export const HUBER_DELTA = 1;

/** h(r) for a residual r. */
export function huber(r: number): number {
  const a = Math.abs(r);
  return a <= HUBER_DELTA ? 0.5 * r * r : HUBER_DELTA * (a - 0.5 * HUBER_DELTA);
}

export interface LossOut {
  sum: number;
  correct: number;
}

/** Softmax + loss over B rows; writes P, and dZ when given. Non-finite logits propagate as NaN. */
export function lossForwardBackward(
  kind: ClassificationLoss,
  Z: FloatArray,
  labels: ArrayLike<number>,
  B: number,
  K: number,
  P: FloatArray,
  dZ: FloatArray | null,
  scale: number,
  out: LossOut,
): void {
  let sum = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const o = b * K;
    const y = labels[b]!;
    let m = Z[o]!;
    let arg = 0;
    for (let k = 1; k < K; k++) {
      const z = Z[o + k]!;
      if (z > m) {
        m = z;
        arg = k;
      }
    }
    if (arg === y) correct++;
    let s = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(Z[o + k]! - m);
      P[o + k] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let k = 0; k < K; k++) P[o + k] = P[o + k]! * inv;
    if (kind === 'cross_entropy') {
      sum += Math.log(s) - (Z[o + y]! - m);
      if (dZ) {
        for (let k = 0; k < K; k++) dZ[o + k] = (P[o + k]! - (k === y ? 1 : 0)) * scale;
      }
    } else {
      let l = 0;
      let pg = 0;
      for (let k = 0; k < K; k++) {
        const p = P[o + k]!;
        const d = p - (k === y ? 1 : 0);
        l += d * d;
        pg += p * ((2 / K) * d * scale);
      }
      sum += l / K;
      if (dZ) {
        for (let k = 0; k < K; k++) {
          const p = P[o + k]!;
          const g = (2 / K) * (p - (k === y ? 1 : 0)) * scale;
          dZ[o + k] = p * (g - pg);
        }
      }
    }
  }
  out.sum = sum;
  out.correct = correct;
}

/** Regression loss over B rows of K outputs against `targets` [B, K]; writes dZ when given. */
export function regressionLossForwardBackward(
  kind: RegressionLoss,
  Z: FloatArray,
  targets: ArrayLike<number>,
  B: number,
  K: number,
  dZ: FloatArray | null,
  scale: number,
  out: LossOut,
): void {
  let sum = 0;
  const n = B * K;
  if (kind === 'mse') {
    const g = (2 / K) * scale;
    for (let i = 0; i < n; i++) {
      const r = Z[i]! - targets[i]!;
      sum += r * r;
      if (dZ) dZ[i] = g * r;
    }
  } else {
    const d = HUBER_DELTA;
    const g = scale / K;
    for (let i = 0; i < n; i++) {
      const r = Z[i]! - targets[i]!;
      sum += huber(r);
      // NaN residuals stay NaN (Math.min/max propagate it), so a diverged batch is seen.
      if (dZ) dZ[i] = g * Math.max(-d, Math.min(d, r));
    }
  }
  out.sum = sum / K;
  out.correct = 0;
}
