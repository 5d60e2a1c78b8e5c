/**
 * Optimizers and the learning-rate schedule. One `step` updates every parameter tensor in place.
 *
 * Legend: w (parameter), g (its gradient of the data loss), m / v (moment buffers), t (step, 1-based)
 *   weights only (not biases):  g ← g + l2·w                           (coupled L2, see core/config.ts)
 *   sgd:      μ = 0: w ← w − lr·g
 *             μ > 0: m ← μ·m + g;  w ← w − lr·m;  Nesterov: w ← w − lr·(g + μ·m)      (PyTorch convention)
 *   adam:     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t);
 *             w ← w − lr·m̂/(√v̂ + ε)
 *   rmsprop:  v ← ρ·v + (1−ρ)·g²;  w ← w − lr·g/(√v + ε)
 *   weights only, after the step:  w ← w − lr·weight_decay·w        (decoupled, AdamW)
 *
 * Schedules (epoch e is 0-based, E = config.epochs): constant lr; step lr·γ^⌊e/step_size⌋;
 * cosine min_lr + (lr − min_lr)·(1 + cos(π·e/E))/2.
 */
import type { TrialConfig } from '../config.ts';
import type { FloatArray, FloatCtor } from './kernels.ts';

export interface Param {
  w: FloatArray;
  g: FloatArray;
  /** True for weight matrices (L2 and weight decay apply), false for biases. */
  isWeight: boolean;
}

type OptConfig = Pick<
  TrialConfig,
  'optimizer' | 'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'epsilon' | 'rho' | 'l2' | 'weight_decay'
>;

export class Optimizer {
  /** Steps taken so far. */
  t = 0;
  /** First-moment (sgd momentum / adam m) buffers, one per param; empty when unused. */
  readonly m: FloatArray[];
  /** Second-moment (adam v / rmsprop v) buffers; empty when unused. */
  readonly v: FloatArray[];

  constructor(
    readonly cfg: OptConfig,
    readonly params: Param[],
    ctor: FloatCtor,
    /** Allocate the moments in SharedArrayBuffers, or adopt existing (shared) moment buffers. */
    opts: { shared?: boolean; adopt?: { m: FloatArray[]; v: FloatArray[] } } = {},
  ) {
    const needM = cfg.optimizer === 'adam' || (cfg.optimizer === 'sgd' && cfg.momentum > 0);
    const needV = cfg.optimizer === 'adam' || cfg.optimizer === 'rmsprop';
    const alloc = (n: number): FloatArray =>
      !opts.shared
        ? new ctor(n)
        : ctor === Float32Array
          ? new Float32Array(new SharedArrayBuffer(n * 4))
          : new Float64Array(new SharedArrayBuffer(n * 8));
    this.m = opts.adopt ? opts.adopt.m : needM ? params.map((p) => alloc(p.w.length)) : [];
    this.v = opts.adopt ? opts.adopt.v : needV ? params.map((p) => alloc(p.w.length)) : [];
  }

  /** The moment buffers in a fixed order (for serialisation). */
  stateTensors(): FloatArray[] {
    return [...this.m, ...this.v];
  }

  /**
   * One update with learning rate lr. When `gradSq` is given, gradSq[p] receives Σ g² of param p's
   * data-loss gradient (before L2), computed in the same pass (for the per-epoch grad norms).
   */
  step(lr: number, gradSq?: Float64Array): void {
    this.t++;
    for (let p = 0; p < this.params.length; p++) {
      const sq = this.update(p, 0, this.params[p]!.w.length, lr, this.t, gradSq !== undefined);
      if (gradSq) gradSq[p] = sq;
    }
  }

  /**
   * The update of elements [i0, i1) of param p at step t (1-based; `step` increments this.t first).
   * Elementwise, so disjoint ranges can run on different threads with the same result. Returns Σ g² of
   * the data-loss gradient over the range (0 unless wantSq).
   */
  update(p: number, i0: number, i1: number, lr: number, t: number, wantSq: boolean): number {
    const c = this.cfg;
    const { w, g, isWeight } = this.params[p]!;
    const l2 = isWeight ? c.l2 : 0;
    let sq = 0;
    if (wantSq) for (let i = i0; i < i1; i++) sq += g[i]! * g[i]!;
    if (c.optimizer === 'sgd') {
      if (c.momentum === 0) {
        for (let i = i0; i < i1; i++) w[i] = w[i]! - lr * (g[i]! + l2 * w[i]!);
      } else {
        const m = this.m[p]!;
        const mu = c.momentum;
        for (let i = i0; i < i1; i++) {
          const gi = g[i]! + l2 * w[i]!;
          m[i] = mu * m[i]! + gi;
          w[i] = w[i]! - lr * (c.nesterov ? gi + mu * m[i]! : m[i]!);
        }
      }
    } else if (c.optimizer === 'adam') {
      const m = this.m[p]!;
      const v = this.v[p]!;
      const b1 = c.beta1;
      const b2 = c.beta2;
      // w − lr·(m/bc1)/(√(v/bc2) + ε) computed as w − a·m/(√v·s + ε), a = lr/bc1, s = 1/√bc2
      const a = lr / (1 - b1 ** t);
      const sc = 1 / Math.sqrt(1 - b2 ** t);
      const c1 = 1 - b1;
      const c2 = 1 - b2;
      const eps = c.epsilon;
      for (let i = i0; i < i1; i++) {
        const gi = g[i]! + l2 * w[i]!;
        const mi = b1 * m[i]! + c1 * gi;
        const vi = b2 * v[i]! + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! - (a * mi) / (Math.sqrt(vi) * sc + eps);
      }
    } else {
      const v = this.v[p]!;
      const rho = c.rho;
      for (let i = i0; i < i1; i++) {
        const gi = g[i]! + l2 * w[i]!;
        v[i] = rho * v[i]! + (1 - rho) * gi * gi;
        w[i] = w[i]! - (lr * gi) / (Math.sqrt(v[i]!) + c.epsilon);
      }
    }
    if (isWeight && c.weight_decay > 0) {
      const f = lr * c.weight_decay;
      for (let i = i0; i < i1; i++) w[i] = w[i]! - f * w[i]!;
    }
    return sq;
  }
}

/** Learning rate of 0-based epoch `e`. */
export function learningRateAt(
  c: Pick<TrialConfig, 'learning_rate' | 'lr_schedule' | 'epochs'>,
  e: number,
): number {
  const s = c.lr_schedule;
  switch (s.type) {
    case 'constant':
      return c.learning_rate;
    case 'step':
      return c.learning_rate * s.gamma ** Math.floor(e / s.step_size);
    case 'cosine':
      return s.min_lr + ((c.learning_rate - s.min_lr) * (1 + Math.cos((Math.PI * e) / c.epochs))) / 2;
  }
}
