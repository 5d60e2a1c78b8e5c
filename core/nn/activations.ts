/**
 * Hidden-layer activations, forward and backward side by side. Backward uses the activation's output A
 * (sigmoid' = a(1−a), tanh' = 1−a², relu' = [a>0], leaky' = a>0 ? 1 : slope), so no pre-activation
 * buffer is kept.
 *
 * Legend: Z, A, dA, dZ: [len] flat views of [B, n]. Forward may run in place (A === Z).
 */
import type { Activation } from '../config.ts';
import type { FloatArray } from './kernels.ts';

/** A = f(Z) over the first len entries. */
export function activationForward(
  kind: Activation,
  slope: number,
  Z: FloatArray,
  A: FloatArray,
  len: number,
): void {
  switch (kind) {
    case 'sigmoid':
      for (let i = 0; i < len; i++) {
        const z = Z[i]!;
        // Stable for large |z|: exp of a non-positive number only.
        if (z >= 0) A[i] = 1 / (1 + Math.exp(-z));
        else {
          const e = Math.exp(z);
          A[i] = e / (1 + e);
        }
      }
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) A[i] = Math.tanh(Z[i]!);
      return;
    case 'relu':
      for (let i = 0; i < len; i++) {
        const z = Z[i]!;
        A[i] = Math.max(z, 0);
      }
      return;
    case 'leaky_relu':
      for (let i = 0; i < len; i++) {
        const z = Z[i]!;
        A[i] = z > 0 ? z : slope * z;
      }
      return;
  }
}

/** dZ = dA ⊙ f'(A) over the first len entries (in place allowed: dZ === dA). */
export function activationBackward(
  kind: Activation,
  slope: number,
  A: FloatArray,
  dA: FloatArray,
  dZ: FloatArray,
  len: number,
): void {
  switch (kind) {
    case 'sigmoid':
      for (let i = 0; i < len; i++) {
        const a = A[i]!;
        dZ[i] = dA[i]! * a * (1 - a);
      }
      return;
    case 'tanh':
      for (let i = 0; i < len; i++) {
        const a = A[i]!;
        dZ[i] = dA[i]! * (1 - a * a);
      }
      return;
    case 'relu':
      for (let i = 0; i < len; i++) dZ[i] = A[i]! > 0 ? dA[i]! : 0;
      return;
    case 'leaky_relu':
      // a > 0 ⇔ z > 0 because slope ≥ 0; with slope 0 this is relu'.
      for (let i = 0; i < len; i++) dZ[i] = A[i]! > 0 ? dA[i]! : slope * dA[i]!;
      return;
  }
}
