/**
 * The SIMD engine against the scalar reference, kernel by kernel, through the production Mlp and
 * Optimizer. Two models with the same weights, inputs and dropout masks, one per engine, run the same
 * passes; then, tolerances by what the engines do differently:
 *  - CSR/CSC builders, column sums (db), transposes, ReLU / leaky ReLU, dropout and the JS-side activations
 *    do the same float operations in the same order: bit-identical.
 *  - Products (logits, hidden activations, dW, dX) sum the same terms in another order:
 *    |simd − scalar| ≤ 1e-5 · max|scalar| over the tensor in f32, 1e-12 in f64.
 *  - Sigmoid / tanh backward round every operation in f32 (the scalar engine computes in f64 and rounds
 *    once): relative 1e-6 per element.
 *  - Optimizer updates: f64 bit-identical (the same IEEE operations in the same order); f32 (the SIMD
 *    engine rounds every operation to f32): |Δ| ≤ 1e-6·|w| + 1e-5·|w_new − w_old| per element.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { Dtype, Kernels } from '../../core/nn/compute.ts';
import { createKernels } from '../../core/nn/engines.ts';
import type { FloatArray } from '../../core/nn/kernels.ts';
import { type LossOut, lossForwardBackward } from '../../core/nn/losses.ts';
import { Mlp, type ModelSpec } from '../../core/nn/model.ts';
import { Optimizer, RULES } from '../../core/nn/optimizers.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';

const NORMS = {
  scale01: { scale: 1 / 255, offset: 0 },
  standardize: { scale: 1 / (255 * 0.3), offset: -0.4 },
};

/** Worst |a − b| / max|b| over a tensor (0 for two zero tensors). */
function normwise(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(Array.from(a)).toEqual(Array.from(b));
}

interface Pair {
  scalar: Mlp;
  simd: Mlp;
}

/** Two models (one per engine) with identical weights, biases, pixels (with zeros), labels and masks. */
function pair(
  sizes: number[],
  act: Activation,
  dropout: number,
  norm: keyof typeof NORMS,
  B: number,
  dtype: Dtype,
): Pair {
  const hidden = sizes.length - 2;
  const spec: ModelSpec = {
    sizes,
    activations: Array.from({ length: hidden }, () => act),
    leakySlope: 0.05,
    dropout: Array.from({ length: hidden }, () => dropout),
    ...NORMS[norm],
  };
  const make = (engine: 'scalar' | 'simd') => {
    const m = new Mlp(spec, createKernels(engine, dtype, sizes), B);
    m.init('he_normal', new Xoshiro128ss(11));
    const rng = new Xoshiro128ss(5);
    m.b.forEach((b) => {
      for (let j = 0; j < b.length; j++) b[j] = 0.2 * (rng.nextFloat() - 0.5);
    });
    for (let i = 0; i < B * sizes[0]!; i++) m.input[i] = rng.nextFloat() < 0.7 ? 0 : rng.below(256);
    for (let r = 0; r < B; r++) m.labels[r] = rng.below(sizes.at(-1)!);
    m.drawMasks(B, new Xoshiro128ss(3));
    return m;
  };
  return { scalar: make('scalar'), simd: make('simd') };
}

/** Forward (training mode) + cross-entropy + backward on one model. */
function pass(m: Mlp, B: number): void {
  const K = m.spec.sizes.at(-1)!;
  const out: LossOut = { sum: 0, correct: 0 };
  const logits = m.forward(B, true);
  lossForwardBackward('cross_entropy', logits, m.labels, B, K, m.P, m.dA[m.L - 1]!, 1 / B, out);
  m.backward(B);
}

const productTol = (dtype: Dtype) => (dtype === 'f32' ? 1e-5 : 1e-12);

const SHAPES: { sizes: number[]; B: number }[] = [
  { sizes: [784, 128, 64, 10], B: 64 },
  // Row lengths that are not multiples of the lanes (tails), a 1-row batch, more rows than a CSR block.
  { sizes: [50, 13, 250, 10, 7], B: 7 },
  { sizes: [21, 6, 3], B: 1 },
];

describe('SIMD engine vs the scalar reference, kernel by kernel', () => {
  for (const dtype of ['f32', 'f64'] as const) {
    for (const { sizes, B } of SHAPES) {
      for (const act of ACTIVATIONS) {
        for (const norm of ['scale01', 'standardize'] as const) {
          const dropout = act === 'relu' ? 0.25 : 0;
          it(`${dtype} ${sizes.join('-')} × ${B} rows, ${act}, ${norm}, dropout ${dropout}`, () => {
            const { scalar, simd } = pair(sizes, act, dropout, norm, B, dtype);
            pass(scalar, B);
            pass(simd, B);
            const tol = productTol(dtype);
            for (let l = 0; l < scalar.L; l++) {
              const n = sizes[l + 1]!;
              // The CSR of every layer input: same nonzeros, same values (layer 0: scale·p in f64, rounded once).
              const nnz = scalar.X[l]!.ptr[B]!;
              same(simd.X[l]!.ptr.subarray(0, B + 1), scalar.X[l]!.ptr.subarray(0, B + 1));
              same(simd.X[l]!.idx.subarray(0, nnz), scalar.X[l]!.idx.subarray(0, nnz));
              if (l === 0) same(simd.X[0]!.val.subarray(0, nnz), scalar.X[0]!.val.subarray(0, nnz));
              else
                expect(
                  normwise(simd.X[l]!.val.subarray(0, nnz), scalar.X[l]!.val.subarray(0, nnz)),
                ).toBeLessThanOrEqual(tol);
              expect(
                normwise(simd.A[l]!.subarray(0, B * n), scalar.A[l]!.subarray(0, B * n)),
              ).toBeLessThanOrEqual(tol);
              expect(normwise(simd.dW[l]!, scalar.dW[l]!)).toBeLessThanOrEqual(tol);
              expect(normwise(simd.db[l]!, scalar.db[l]!)).toBeLessThanOrEqual(tol);
              if (l > 0) {
                expect(
                  normwise(
                    simd.dA[l - 1]!.subarray(0, B * sizes[l]!),
                    scalar.dA[l - 1]!.subarray(0, B * sizes[l]!),
                  ),
                ).toBeLessThanOrEqual(act === 'sigmoid' || act === 'tanh' ? Math.max(tol, 1e-6) : tol);
                same(simd.WT[l]!, scalar.WT[l]!);
              }
            }
          });
        }
      }
    }
  }

  it('column sums (db), ReLU and dropout are bit-identical to the scalar engine when their inputs are', () => {
    const { scalar, simd } = pair([30, 37, 9], 'relu', 0.5, 'scale01', 12, 'f32');
    pass(scalar, 12);
    simd.forward(12, true);
    // Feed the SIMD model the scalar logits-gradient, then compare what depends on it only.
    simd.dA[1]!.set(scalar.dA[1]!);
    simd.A[0]!.set(scalar.A[0]!);
    simd.W[1]!.set(scalar.W[1]!);
    simd.backward(12);
    same(simd.db[1]!, scalar.db[1]!);
    same(simd.WT[1]!, scalar.WT[1]!);
    // dA[0] = (dZ·Wᵀ ⊙ M) ⊙ relu': the product differs in order, the mask and the select do not add error.
    const zeros = (a: FloatArray) => Array.from(a.subarray(0, 12 * 37), (v) => v === 0);
    expect(zeros(simd.dA[0]!)).toEqual(zeros(scalar.dA[0]!));
  });

  it('ReLU and leaky ReLU forward are bit-identical, including −0, tails and NaN', () => {
    for (const act of ['relu', 'leaky_relu'] as const) {
      const ks = [createKernels('scalar', 'f32', [4, 4]), createKernels('simd', 'f32', [4, 4])];
      const zs = ks.map((k) => {
        const z = k.floats(11);
        z.set([-0, 0, 1.5, -2, Number.NaN, 3e-39, -3e-39, 7, -7, 0.25, -1e30]);
        return z;
      });
      ks.forEach((k, i) => {
        k.activationForward(act, 0.1, zs[i]!, zs[i]!, 11);
      });
      expect(Array.from(zs[1]!, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
        Array.from(zs[0]!, (v) => (Object.is(v, -0) ? '-0' : v)),
      );
    }
  });

  it('a dense float layer 0 (tabular inputs) runs through linearForward on both engines', () => {
    const sizes = [37, 6, 3];
    const B = 5;
    const run = (engine: 'scalar' | 'simd') => {
      const k = createKernels(engine, 'f32', sizes);
      const rng = new Xoshiro128ss(4);
      const fill = (n: number, zeros: number) => {
        const a = k.floats(n);
        for (let i = 0; i < n; i++) a[i] = rng.nextFloat() < zeros ? 0 : rng.normal();
        return a;
      };
      const X = fill(B * 37, 0.3);
      const W = fill(37 * 6, 0);
      const b = fill(6, 0);
      const Z = k.floats(B * 6);
      const csr = { ptr: k.ints(B + 1), idx: k.ints(B * 37), val: k.floats(B * 37) };
      k.linearForward(X, B, 37, 6, W, b, Z, csr);
      return Z;
    };
    expect(normwise(run('simd'), run('scalar'))).toBeLessThanOrEqual(1e-5);
  });

  it("the gradient workers' sum (accumulate) is bit-identical to the scalar engine, slices and tails included", () => {
    const ks = [createKernels('scalar', 'f32', [2, 2]), createKernels('simd', 'f32', [2, 2])];
    const out = ks.map((k) => {
      const rng = new Xoshiro128ss(8);
      const a = k.floats(53);
      const b = k.floats(53);
      for (let i = 0; i < 53; i++) {
        a[i] = rng.normal();
        b[i] = rng.normal();
      }
      k.accumulate(a, b, 16, 53);
      k.accumulate(a, b, 0, 16);
      return a;
    });
    same(out[1]!, out[0]!);
  });

  it('Σx² matches the scalar engine to 1e-12 (f64 sums of exact squares, another order)', () => {
    for (const len of [0, 1, 3, 4, 5, 1001]) {
      const ks = [createKernels('scalar', 'f32', [2, 2]), createKernels('simd', 'f32', [2, 2])];
      const xs = ks.map((k) => {
        const x = k.floats(len);
        const rng = new Xoshiro128ss(len + 1);
        for (let i = 0; i < len; i++) x[i] = rng.normal();
        return x;
      });
      const [a, b] = ks.map((k, i) => k.sumSquares(xs[i]!, len)) as [number, number];
      expect(Math.abs(b - a)).toBeLessThanOrEqual(1e-12 * Math.max(a, 1e-300));
    }
  });
});

const optConfig = (over: Record<string, unknown>): TrialConfig => {
  const p = parseTrialConfig({ beta1: 0.8, beta2: 0.95, epsilon: 1e-6, rho: 0.85, ...over });
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.value;
};

describe('SIMD optimizer updates vs the scalar reference', () => {
  const variants: Record<string, unknown>[] = [];
  for (const rule of RULES) {
    const base =
      rule === 'sgd'
        ? { optimizer: 'sgd' }
        : rule === 'momentum'
          ? { optimizer: 'sgd', momentum: 0.9 }
          : rule === 'nesterov'
            ? { optimizer: 'sgd', momentum: 0.9, nesterov: true }
            : { optimizer: rule };
    variants.push(base, { ...base, l2: 0.01, weight_decay: 0.05 });
  }
  for (const dtype of ['f32', 'f64'] as const) {
    for (const over of variants) {
      it(`${dtype} ${JSON.stringify(over)}: three steps of 37 + 16 elements (a tail, a slice from 16)`, () => {
        const run = (k: Kernels) => {
          const rng = new Xoshiro128ss(9);
          const mk = (n: number) => {
            const a = k.floats(n);
            for (let i = 0; i < n; i++) a[i] = rng.normal();
            return a;
          };
          const params = [
            { w: mk(37), g: mk(37), isWeight: true },
            { w: mk(16), g: mk(16), isWeight: false },
          ];
          const opt = new Optimizer(optConfig(over), params, k);
          const sq: number[] = [];
          const before = params.map((p) => Float64Array.from(p.w));
          for (let s = 1; s <= 3; s++) {
            opt.t = s;
            sq.push(opt.update(0, 0, 16, 0.01, s, true) + opt.update(0, 16, 37, 0.01, s, true));
            sq.push(opt.update(1, 0, 16, 0.01, s, true));
          }
          return { params, opt, sq, before };
        };
        const a = run(createKernels('scalar', dtype, [2, 2]));
        const b = run(createKernels('simd', dtype, [2, 2]));
        a.params.forEach((p, i) => {
          const q = b.params[i]!;
          if (dtype === 'f64') {
            same(q.w, p.w);
            for (const [j, m] of a.opt.m.entries()) same(b.opt.m[j]!, m);
            for (const [j, v] of a.opt.v.entries()) same(b.opt.v[j]!, v);
          } else {
            for (let e = 0; e < p.w.length; e++) {
              const moved = Math.abs(p.w[e]! - a.before[i]![e]!);
              expect(Math.abs(q.w[e]! - p.w[e]!)).toBeLessThanOrEqual(
                1e-6 * Math.abs(p.w[e]!) + 1e-5 * moved,
              );
            }
            a.opt.m.forEach((m, j) => {
              expect(normwise(b.opt.m[j]!, m)).toBeLessThanOrEqual(1e-6);
            });
            a.opt.v.forEach((v, j) => {
              expect(normwise(b.opt.v[j]!, v)).toBeLessThanOrEqual(1e-6);
            });
          }
        });
        b.sq.forEach((s, i) => {
          expect(Math.abs(s - a.sq[i]!)).toBeLessThanOrEqual(1e-12 * a.sq[i]!);
        });
      });
    }
  }
});
