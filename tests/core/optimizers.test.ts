/**
 * One optimizer step against updates computed by hand (values worked out below each case), on both engines
 * in float64 (the SIMD engine's f64x2 updates do the scalar engine's arithmetic in the same order).
 */
import { describe, expect, it } from 'vitest';
import { ENGINES, type LrSchedule, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import { createKernels } from '../../core/nn/engines.ts';
import { learningRateAt, Optimizer } from '../../core/nn/optimizers.ts';

const cfg = (over: Record<string, unknown>): TrialConfig => {
  const p = parseTrialConfig(over);
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.value;
};

for (const engine of ENGINES) {
  describe(`optimizers: one step by hand (${engine} engine)`, () => {
    /** A weight tensor [1, -2] with gradient [0.5, 0.25] and a bias [3] with gradient [-1]. */
    function setup(over: Record<string, unknown>) {
      const k = createKernels(engine, 'f64', [2, 1]);
      const init = (values: number[]) => {
        const a = k.floats(values.length);
        a.set(values);
        return a;
      };
      const w = init([1, -2]);
      const b = init([3]);
      const params = [
        { w, g: init([0.5, 0.25]), isWeight: true },
        { w: b, g: init([-1]), isWeight: false },
      ];
      return { w, b, opt: new Optimizer(cfg(over), params, k) };
    }
    oneStepByHand(setup);
  });
}

const close = (a: ArrayLike<number>, e: number[]) => {
  expect(a.length).toBe(e.length);
  e.forEach((v, i) => {
    expect(a[i]).toBeCloseTo(v, 12);
  });
};

type Setup = (over: Record<string, unknown>) => {
  w: ArrayLike<number>;
  b: ArrayLike<number>;
  opt: Optimizer;
};

function oneStepByHand(setup: Setup): void {
  it('plain SGD: w − lr·g', () => {
    const { w, b, opt } = setup({ optimizer: 'sgd', learning_rate: 0.1 });
    opt.step(0.1);
    close(w, [1 - 0.05, -2 - 0.025]);
    close(b, [3.1]);
  });

  it('SGD with momentum 0.9: two steps, m = 0.9·m + g', () => {
    const { w, opt } = setup({ optimizer: 'sgd', momentum: 0.9 });
    opt.step(0.1); // m = [0.5, 0.25] → w = [0.95, -2.025]
    opt.step(0.1); // m = [0.95, 0.475] → w = [0.855, -2.0725]
    close(w, [0.855, -2.0725]);
  });

  it('SGD Nesterov: w − lr·(g + μ·m)', () => {
    const { w, opt } = setup({ optimizer: 'sgd', momentum: 0.9, nesterov: true });
    opt.step(0.1); // m = g; step = g + 0.9g = 1.9g → w = [1 − 0.095, −2 − 0.0475]
    close(w, [0.905, -2.0475]);
    opt.step(0.1); // m = 0.9g + g = 1.9g; step = g + 0.9·1.9g = 2.71g → w −= 0.271·g
    close(w, [0.905 - 0.1355, -2.0475 - 0.06775]);
  });

  it('Adam with bias correction: first step moves each weight by lr·sign(g) (ε aside), second step by hand', () => {
    const { w, b, opt } = setup({ optimizer: 'adam', epsilon: 1e-8 });
    opt.step(0.01);
    // m̂ = g, v̂ = g² ⇒ Δ = lr·g/(|g| + ε)
    close(w, [1 - (0.01 * 0.5) / (0.5 + 1e-8), -2 - (0.01 * 0.25) / (0.25 + 1e-8)]);
    close(b, [3 + 0.01 / (1 + 1e-8)]);
    opt.step(0.01);
    // Same gradient again: m = (0.9·0.1 + 0.1)g = 0.19g, m̂ = 0.19g/0.19 = g; v̂ = g² ⇒ same Δ again.
    close(w, [1 - (0.02 * 0.5) / (0.5 + 1e-8), -2 - (0.02 * 0.25) / (0.25 + 1e-8)]);
  });

  it('Adam β1 .5 β2 .75, gradient changes between steps', () => {
    const { w, opt } = setup({ optimizer: 'adam', beta1: 0.5, beta2: 0.75, epsilon: 0.001 });
    opt.step(0.1);
    // w0: m = .25, v = .0625; m̂ = .5, v̂ = .25 → Δ = .1·.5/(.5+.001)
    const w1 = 1 - (0.1 * 0.5) / (0.5 + 0.001);
    opt.params[0]!.g[0] = -1; // second gradient
    opt.step(0.1);
    // m = .5·.25 + .5·(−1) = −.375; v = .75·.0625 + .25·1 = .296875
    // m̂ = −.375/(1−.25) = −.5; v̂ = .296875/(1−.5625) = .678571428…
    const mh = -0.375 / 0.75;
    const vh = 0.296875 / 0.4375;
    expect(w[0]).toBeCloseTo(w1 - (0.1 * mh) / (Math.sqrt(vh) + 0.001), 12);
  });

  it('RMSprop: v = ρv + (1−ρ)g², w − lr·g/(√v + ε)', () => {
    const { w, opt } = setup({ optimizer: 'rmsprop', rho: 0.9, epsilon: 1e-8 });
    opt.step(0.01);
    // v = 0.1·0.25 = 0.025 → Δ0 = 0.01·0.5/(√0.025 + 1e-8)
    close(w, [1 - 0.005 / (Math.sqrt(0.025) + 1e-8), -2 - 0.0025 / (Math.sqrt(0.00625) + 1e-8)]);
  });

  it('coupled l2 adds l2·W to weight gradients only', () => {
    const { w, b, opt } = setup({ optimizer: 'sgd', l2: 0.2 });
    opt.step(0.1);
    // g' = [0.5 + 0.2, 0.25 − 0.4] = [0.7, −0.15]
    close(w, [1 - 0.07, -2 + 0.015]);
    close(b, [3.1]);
  });

  it('decoupled weight_decay shrinks weights after the step, biases untouched', () => {
    const { w, b, opt } = setup({ optimizer: 'sgd', weight_decay: 0.5 });
    opt.step(0.1);
    // w = (w − 0.1·g)·(1 − 0.05)
    close(w, [0.95 * 0.95, -2.025 * 0.95]);
    close(b, [3.1]);
  });

  it('Adam + weight_decay is AdamW (decay not scaled by the moments)', () => {
    const { w, opt } = setup({ optimizer: 'adam', weight_decay: 0.1, epsilon: 1e-8 });
    opt.step(0.01);
    const a = 1 - (0.01 * 0.5) / (0.5 + 1e-8);
    expect(w[0]).toBeCloseTo(a - 0.001 * a, 12);
  });
}

describe('learning-rate schedules', () => {
  const lr = (s: LrSchedule, e: number, epochs = 10) =>
    learningRateAt({ learning_rate: 0.1, lr_schedule: s, epochs }, e);
  it('constant', () => {
    expect(lr({ type: 'constant' }, 7)).toBe(0.1);
  });
  it('step: lr·γ^⌊e/step_size⌋', () => {
    const s: LrSchedule = { type: 'step', step_size: 3, gamma: 0.5 };
    expect([0, 2, 3, 5, 6, 9].map((e) => lr(s, e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });
  it('cosine: min + (lr − min)(1 + cos(πe/E))/2', () => {
    const s: LrSchedule = { type: 'cosine', min_lr: 0.02 };
    expect(lr(s, 0)).toBeCloseTo(0.1, 15);
    expect(lr(s, 5)).toBeCloseTo(0.06, 15); // halfway
    expect(lr(s, 10)).toBeCloseTo(0.02, 15);
    expect(lr(s, 2)).toBeCloseTo(0.02 + (0.08 * (1 + Math.cos(Math.PI / 5))) / 2, 15);
  });
});
