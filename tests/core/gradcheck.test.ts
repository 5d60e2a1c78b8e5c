/**
 * Finite-difference gradient checks in float64 through the production forward/backward code of both
 * engines (Mlp with dtype 'f64': the scalar kernels, and the SIMD kernels generated for f64x2): every
 * activation × loss, every input normalisation, dropout off and on (a fixed mask: the PRNG is re-seeded
 * before every forward), and the coupled L2 term via the optimizer.
 * Central differences with h = 1e-5; tolerance: relative difference |a − n| / max(|a| + |n|, 1e-4) ≤ 1e-6.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  type Activation,
  ENGINES,
  type Engine,
  LOSSES,
  NORMALIZATIONS,
  TRIAL_DEFAULTS,
} from '../../core/config.ts';
import { createKernels } from '../../core/nn/engines.ts';
import type { FloatArray } from '../../core/nn/kernels.ts';
import { type LossKind, type LossOut, lossForwardBackward } from '../../core/nn/losses.ts';
import { Mlp, type ModelSpec, modelSpec } from '../../core/nn/model.ts';
import { Optimizer } from '../../core/nn/optimizers.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';

const SIZES = [5, 4, 3, 3];
const B = 4;
const H = 1e-5;
const TOL = 1e-6;
// Pixels with zeros in them, so the sparse paths (skipped zeros) are exercised.
const PIXELS = [0, 37, 255, 0, 128, 9, 0, 0, 200, 61, 250, 0, 3, 90, 0, 17, 0, 180, 44, 0];
const LABELS = [2, 0, 1, 2];

function makeModel(
  engine: Engine,
  act: Activation,
  dropout: number,
  norm: { scale: number; offset: number },
): Mlp {
  const spec: ModelSpec = {
    sizes: SIZES,
    activations: [act, act],
    leakySlope: 0.1,
    dropout: [dropout, dropout],
    ...norm,
  };
  const m = new Mlp(spec, createKernels(engine, 'f64', SIZES), B);
  m.init('glorot_uniform', new Xoshiro128ss(7));
  // Non-zero biases so every parameter matters.
  m.b.forEach((b, l) => {
    for (let j = 0; j < b.length; j++) b[j] = 0.05 * (j + 1) * (l % 2 ? -1 : 1);
  });
  m.input.set(PIXELS);
  return m;
}

/** Mean loss of the batch; fills the gradients when `grad`. Re-seeds dropout so the mask is fixed. */
function lossOf(m: Mlp, loss: LossKind, grad: boolean): number {
  const dropout = m.M.some((x) => x);
  if (dropout) m.drawMasks(B, new Xoshiro128ss(99));
  const logits = m.forward(B, dropout);
  const out: LossOut = { sum: 0, correct: 0 };
  const K = SIZES[SIZES.length - 1]!;
  lossForwardBackward(loss, logits, Uint8Array.from(LABELS), B, K, m.P, m.dA[m.L - 1]!, 1 / B, out);
  if (grad) m.backward(B);
  return out.sum / B;
}

/** Worst relative difference between the analytic gradient and central differences over all params. */
function worstRelDiff(m: Mlp, f: () => number, analytic: FloatArray[]): number {
  let worst = 0;
  const ps = m.params();
  ps.forEach((p, pi) => {
    for (let i = 0; i < p.w.length; i++) {
      const w0 = p.w[i]!;
      p.w[i] = w0 + H;
      const up = f();
      p.w[i] = w0 - H;
      const down = f();
      p.w[i] = w0;
      const num = (up - down) / (2 * H);
      const a = analytic[pi]![i]!;
      worst = Math.max(worst, Math.abs(a - num) / Math.max(Math.abs(a) + Math.abs(num), 1e-4));
    }
  });
  return worst;
}

/** Every input normalisation, as the production code maps it to x = scale·p + offset (MNIST's pixel stats). */
const NORMS = Object.fromEntries(
  NORMALIZATIONS.map((normalize) => {
    const { scale, offset } = modelSpec({ ...TRIAL_DEFAULTS, normalize }, 0.1307, 0.3081);
    return [normalize, { scale, offset }];
  }),
) as Record<(typeof NORMALIZATIONS)[number], { scale: number; offset: number }>;

for (const engine of ENGINES)
  describe(`finite-difference gradient check (${engine} engine, float64, 5-4-3-3, batch 4)`, () => {
    const worst: Record<string, number> = {};
    for (const act of ACTIVATIONS) {
      for (const loss of LOSSES) {
        for (const [normName, norm] of Object.entries(NORMS)) {
          for (const dropout of [0, 0.3]) {
            const name = `${act} × ${loss} × ${normName} × dropout ${dropout}`;
            it(name, () => {
              const m = makeModel(engine, act, dropout, norm);
              lossOf(m, loss, true);
              const analytic = m.params().map((p) => Float64Array.from(p.g));
              const w = worstRelDiff(m, () => lossOf(m, loss, false), analytic);
              worst[name] = w;
              expect(analytic.some((g) => g.some((v) => v !== 0))).toBe(true);
              expect(w).toBeLessThan(TOL);
            });
          }
        }
      }
    }

    it('coupled L2: the optimizer applies d/dW(½·l2·ΣW²) = l2·W to weights, not biases', () => {
      const l2 = 0.3;
      const m = makeModel(engine, 'tanh', 0, NORMS.scale01);
      const penalty = () =>
        m.W.reduce((s, W) => s + 0.5 * l2 * Array.from(W).reduce((a, v) => a + v * v, 0), 0);
      const f = () => lossOf(m, 'cross_entropy', false) + penalty();
      lossOf(m, 'cross_entropy', true);
      const before = m.params().map((p) => Float64Array.from(p.w));
      // SGD with lr 1: w_new = w − (g + l2·w), so the effective gradient is w − w_new.
      const opt = new Optimizer(
        {
          optimizer: 'sgd',
          momentum: 0,
          nesterov: false,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-8,
          rho: 0.9,
          l2,
          weight_decay: 0,
        },
        m.params(),
        m.kernels,
      );
      opt.step(1);
      const effective = m.params().map((p, i) => before[i]!.map((w0, j) => w0 - p.w[j]!));
      m.params().forEach((p, i) => {
        p.w.set(before[i]!);
      });
      const w = worstRelDiff(m, f, effective);
      worst['l2 0.3 (tanh × cross_entropy)'] = w;
      expect(w).toBeLessThan(TOL);
    });

    it('covers every input normalisation, each a different map of the pixels', () => {
      expect(Object.keys(NORMS)).toEqual([...NORMALIZATIONS]);
      const maps = new Set(Object.values(NORMS).map((n) => `${n.scale}:${n.offset}`));
      expect(maps.size).toBe(NORMALIZATIONS.length);
    });

    // Whatever ran (one case alone, or all in any order): the worst difference seen, for the log.
    afterAll(() => {
      const all = Object.values(worst);
      if (all.length > 0)
        console.log(
          `gradient check (${engine} engine): worst relative difference ${Math.max(...all).toExponential(2)} over ${all.length} cases (tolerance ${TOL})`,
        );
    });
  });
