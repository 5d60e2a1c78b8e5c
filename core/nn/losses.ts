/**
 * Output layer losses on the softmax of the logits, fused with their gradient w.r.t. the logits.
 *
 * Legend: Z (logits), P (probabilities), dZ: [B, K]   labels: [B] class ids   scale: usually 1/B
 *
 *   cross_entropy: L_b = −log softmax(z_b)[y_b] computed as logsumexp(z_b) − z_b[y_b] (max-shifted,
 *                  numerically stable);  dZ = (P − Y)·scale.
 *   mse:           L_b = (1/K)·Σ_k (p_bk − y_bk)², one-hot Y, mean over classes as in Keras;
 *                  g = dL/dP = (2/K)(P − Y)·scale, backprop through the softmax Jacobian:
 *                  dZ_j = p_j·(g_j − Σ_k p_k g_k).
 *
 * The returned sum is Σ_b L_b (not averaged); `correct` counts rows whose argmax (first max) is the label.
 */
import type { FloatArray } from './kernels.ts';

export type LossKind = 'cross_entropy' | 'mse';

export interface LossOut {
  sum: number;
  correct: number;
}

/** Softmax + loss over B rows; writes P, and dZ when given. Non-finite logits propagate as NaN. */
export function lossForwardBackward(
  kind: LossKind,
  Z: FloatArray,
  labels: Uint8Array,
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
