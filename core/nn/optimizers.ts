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
import type { Kernels } from './compute.ts';
import type { FloatArray } from './kernels.ts';

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

/** The elementwise update an optimizer config runs (sgd with momentum 0 is plain sgd). */
export const RULES = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop'] as const;
export type UpdateRule = (typeof RULES)[number];

/**
 * Slots of the coefficient block (a Float64Array of COEF_SLOTS) an update reads, filled per call by
 * Optimizer.update: lr, l2 (0 for biases), decay = lr·weight_decay (0: none), then per rule
 * momentum/nesterov: μ; adam: β1, 1−β1, β2, 1−β2, a = lr/(1−β1^t), s = 1/√(1−β2^t), ε;
 * rmsprop: ρ, 1−ρ, ε (in the β1, 1−β1 and ε slots).
 */
export const COEF = { lr: 0, l2: 1, decay: 2, b1: 3, c1: 4, b2: 5, c2: 6, a: 7, sc: 8, eps: 9 } as const;
export const COEF_SLOTS = 10;

export function updateRule(c: Pick<OptConfig, 'optimizer' | 'momentum' | 'nesterov'>): UpdateRule {
  if (c.optimizer === 'sgd') return c.momentum === 0 ? 'sgd' : c.nesterov ? 'nesterov' : 'momentum';
  return c.optimizer;
}

export class Optimizer {
  /** Steps taken so far. */
  t = 0;
  /** First-moment (sgd momentum / adam m) buffers, one per param; empty when unused. */
  readonly m: FloatArray[];
  /** Second-moment (adam v / rmsprop v) buffers; empty when unused. */
  readonly v: FloatArray[];
  readonly rule: UpdateRule;
  private readonly coef = new Float64Array(COEF_SLOTS);

  constructor(
    readonly cfg: OptConfig,
    readonly params: Param[],
    readonly kernels: Kernels,
    /** Allocate the moments visible to gradient workers, or adopt existing (shared) moment buffers. */
    opts: { shared?: boolean; adopt?: { m: FloatArray[]; v: FloatArray[] } } = {},
  ) {
    this.rule = updateRule(cfg);
    const needM = this.rule === 'adam' || this.rule === 'momentum' || this.rule === 'nesterov';
    const needV = this.rule === 'adam' || this.rule === 'rmsprop';
    const alloc = (n: number): FloatArray => kernels.floats(n, opts.shared ?? false);
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
   * the data-loss gradient over the range (0 unless wantSq; the SIMD engine always computes it).
   */
  update(p: number, i0: number, i1: number, lr: number, t: number, wantSq: boolean): number {
    const c = this.cfg;
    const { w, g, isWeight } = this.params[p]!;
    const k = this.coef;
    k[COEF.lr] = lr;
    k[COEF.l2] = isWeight ? c.l2 : 0;
    k[COEF.decay] = isWeight && c.weight_decay > 0 ? lr * c.weight_decay : 0;
    if (this.rule === 'momentum' || this.rule === 'nesterov') k[COEF.b1] = c.momentum;
    else if (this.rule === 'adam') {
      k[COEF.b1] = c.beta1;
      k[COEF.c1] = 1 - c.beta1;
      k[COEF.b2] = c.beta2;
      k[COEF.c2] = 1 - c.beta2;
      k[COEF.a] = lr / (1 - c.beta1 ** t);
      k[COEF.sc] = 1 / Math.sqrt(1 - c.beta2 ** t);
      k[COEF.eps] = c.epsilon;
    } else if (this.rule === 'rmsprop') {
      k[COEF.b1] = c.rho;
      k[COEF.c1] = 1 - c.rho;
      k[COEF.eps] = c.epsilon;
    }
    return this.kernels.update(this.rule, w, g, this.m[p] ?? null, this.v[p] ?? null, i0, i1, k, wantSq);
  }
}

/**
 * The scalar engine's update of elements [i0, i1) (the reference: every SIMD update is tested against
 * it). Arithmetic in float64 (JavaScript numbers), rounded once per stored element.
 */
export function scalarUpdate(
  rule: UpdateRule,
  w: FloatArray,
  g: FloatArray,
  m: FloatArray | null,
  v: FloatArray | null,
  i0: number,
  i1: number,
  k: Float64Array,
  wantSq: boolean,
): number {
  const lr = k[COEF.lr]!;
  const l2 = k[COEF.l2]!;
  let sq = 0;
  if (wantSq) for (let i = i0; i < i1; i++) sq += g[i]! * g[i]!;
  if (rule === 'sgd') {
    for (let i = i0; i < i1; i++) w[i] = w[i]! - lr * (g[i]! + l2 * w[i]!);
  } else if (rule === 'momentum' || rule === 'nesterov') {
    const mu = k[COEF.b1]!;
    const nesterov = rule === 'nesterov';
    for (let i = i0; i < i1; i++) {
      const gi = g[i]! + l2 * w[i]!;
      m![i] = mu * m![i]! + gi;
      w[i] = w[i]! - lr * (nesterov ? gi + mu * m![i]! : m![i]!);
    }
  } else if (rule === 'adam') {
    const b1 = k[COEF.b1]!;
    const c1 = k[COEF.c1]!;
    const b2 = k[COEF.b2]!;
    const c2 = k[COEF.c2]!;
    // w − lr·(m/bc1)/(√(v/bc2) + ε) computed as w − a·m/(√v·s + ε), a = lr/bc1, s = 1/√bc2
    const a = k[COEF.a]!;
    const sc = k[COEF.sc]!;
    const eps = k[COEF.eps]!;
    for (let i = i0; i < i1; i++) {
      const gi = g[i]! + l2 * w[i]!;
      const mi = b1 * m![i]! + c1 * gi;
      const vi = b2 * v![i]! + c2 * gi * gi;
      m![i] = mi;
      v![i] = vi;
      w[i] = w[i]! - (a * mi) / (Math.sqrt(vi) * sc + eps);
    }
  } else {
    const rho = k[COEF.b1]!;
    const c1 = k[COEF.c1]!;
    const eps = k[COEF.eps]!;
    for (let i = i0; i < i1; i++) {
      const gi = g[i]! + l2 * w[i]!;
      v![i] = rho * v![i]! + c1 * gi * gi;
      w[i] = w[i]! - (lr * gi) / (Math.sqrt(v![i]!) + eps);
    }
  }
  const decay = k[COEF.decay]!;
  if (decay > 0) for (let i = i0; i < i1; i++) w[i] = w[i]! - decay * w[i]!;
  return sq;
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
