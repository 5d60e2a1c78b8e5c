/**
 * Parzen estimators: a weighted mixture of product kernels, one kernel per observation plus one prior
 * kernel. Numeric dims: Gaussians truncated to the axis bounds, evaluated as a density (continuous dims) or
 * as the probability mass of the value's cell (discrete dims). Categorical dims: a categorical distribution
 * per kernel that puts weight 1 on the observed choice plus priorWeight/K spread by the prior (Optuna's).
 *
 * Bandwidth (numeric): each kernel's σ is the larger distance to its neighbours among the observations and
 * the axis ends (hyperopt's rule, the first and last only their inner neighbour), clipped to
 * [width / min(100, n + 2), width] (Optuna's "magic clip"); the prior kernel is N(priorMu, priorSigma).
 */
import erfc from '@stdlib/math-base-special-erfc';
import type { Rng } from '../rng.ts';
import type { Dim, NumericDim } from './dims.ts';

const SQRT1_2 = Math.SQRT1_2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Floor of a probability mass (a cell far in a kernel's tail): keeps log-densities finite. */
const MIN_MASS = 1e-300;

/** P(a ≤ Z ≤ b) for a standard normal Z, accurate in both tails. */
export function normalMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  if (a >= 0) return 0.5 * (erfc(a * SQRT1_2) - erfc(b * SQRT1_2));
  if (b <= 0) return 0.5 * (erfc(-b * SQRT1_2) - erfc(-a * SQRT1_2));
  return 1 - 0.5 * (erfc(-a * SQRT1_2) + erfc(b * SQRT1_2));
}

interface NumericKernels {
  dim: NumericDim;
  mu: Float64Array;
  sigma: Float64Array;
  /** log of each kernel's mass inside the bounds (truncation). */
  logZ: Float64Array;
}
interface CategoricalKernels {
  /** K × n choice probabilities. */
  p: Float64Array;
  n: number;
}
type Kernels = NumericKernels | CategoricalKernels;

/** A candidate on the internal axes: per dim the coordinate (categorical: the choice index) and its cell. */
export interface Coord {
  x: number;
  /** Discrete numeric dims: the cell [a, b] of the value. */
  a?: number;
  b?: number;
}

export interface Mixture {
  sample(rng: Rng): number[];
  logPdf(coords: readonly Coord[]): number;
}

function bandwidths(dim: NumericDim, mus: readonly number[]): Float64Array {
  const n = mus.length;
  const lo = Number.isFinite(dim.lo) ? dim.lo : Math.min(dim.priorMu - 3 * dim.priorSigma, ...mus);
  const hi = Number.isFinite(dim.hi) ? dim.hi : Math.max(dim.priorMu + 3 * dim.priorSigma, ...mus);
  const order = mus.map((_, i) => i).sort((i, j) => mus[i]! - mus[j]! || i - j);
  const ends = [lo, ...order.map((i) => mus[i]!), hi];
  const out = new Float64Array(n);
  const minSigma = dim.width / Math.min(100, n + 2);
  order.forEach((i, r) => {
    const left = ends[r + 1]! - ends[r]!;
    const right = ends[r + 2]! - ends[r + 1]!;
    let s = Math.max(left, right);
    if (n >= 2 && r === 0) s = right;
    else if (n >= 2 && r === n - 1) s = left;
    out[i] = Math.min(dim.width, Math.max(minSigma, s));
  });
  return out;
}

function numericKernels(dim: NumericDim, mus: readonly number[]): NumericKernels {
  const K = mus.length + 1;
  const mu = new Float64Array(K);
  const sigma = new Float64Array(K);
  mu.set(mus);
  sigma.set(bandwidths(dim, mus));
  mu[K - 1] = dim.priorMu;
  sigma[K - 1] = dim.priorSigma;
  const logZ = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    logZ[k] = Math.log(
      Math.max(MIN_MASS, normalMass((dim.lo - mu[k]!) / sigma[k]!, (dim.hi - mu[k]!) / sigma[k]!)),
    );
  }
  return { dim, mu, sigma, logZ };
}

function categoricalKernels(
  prior: readonly number[],
  chosen: readonly number[],
  priorWeight: number,
): CategoricalKernels {
  const n = prior.length;
  const K = chosen.length + 1;
  const p = new Float64Array(K * n);
  const spread = (priorWeight / K) * n;
  for (let k = 0; k < K - 1; k++) {
    const row = k * n;
    for (let j = 0; j < n; j++) p[row + j] = spread * prior[j]!;
    p[row + chosen[k]!]! += 1;
    const total = spread + 1;
    for (let j = 0; j < n; j++) p[row + j]! /= total;
  }
  for (let j = 0; j < n; j++) p[(K - 1) * n + j] = prior[j]!;
  return { p, n };
}

function truncatedNormal(rng: Rng, mu: number, sigma: number, lo: number, hi: number): number {
  for (let i = 0; i < 64; i++) {
    const x = mu + sigma * rng.normal();
    if (x >= lo && x <= hi) return x;
  }
  return Math.min(hi, Math.max(lo, mu));
}

/**
 * The estimator of `points` (one internal coordinate per dim, categorical: the choice index), each with
 * weight 1, plus the prior kernel with weight `priorWeight`.
 */
export function parzen(
  dims: readonly Dim[],
  points: readonly (readonly number[])[],
  priorWeight: number,
): Mixture {
  const K = points.length + 1;
  const logw = new Float64Array(K);
  const total = points.length + priorWeight;
  for (let k = 0; k < K - 1; k++) logw[k] = Math.log(1 / total);
  logw[K - 1] = Math.log(priorWeight / total);
  const cum = new Float64Array(K);
  let acc = 0;
  for (let k = 0; k < K; k++) cum[k] = acc += Math.exp(logw[k]!);
  const kernels: Kernels[] = dims.map((d, j) => {
    const col = points.map((p) => p[j]!);
    return d.kind === 'numeric' ? numericKernels(d, col) : categoricalKernels(d.prior, col, priorWeight);
  });

  const sample = (rng: Rng): number[] => {
    const u = rng.uniform() * acc;
    let k = 0;
    while (k < K - 1 && cum[k]! <= u) k++;
    return kernels.map((kern) => {
      if ('p' in kern) {
        let v = rng.uniform();
        for (let j = 0; j < kern.n; j++) {
          v -= kern.p[k * kern.n + j]!;
          if (v < 0) return j;
        }
        return kern.n - 1;
      }
      return truncatedNormal(rng, kern.mu[k]!, kern.sigma[k]!, kern.dim.lo, kern.dim.hi);
    });
  };

  // A discrete dim has few cells: each cell's log-mass under every kernel is computed once per mixture.
  const cellMemo = kernels.map(() => new Map<number, Float64Array>());
  const cellLogMass = (j: number, kern: NumericKernels, a: number, b: number): Float64Array => {
    let v = cellMemo[j]!.get(a);
    if (!v) {
      v = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        const m = kern.mu[k]!;
        const s = kern.sigma[k]!;
        v[k] = Math.log(Math.max(MIN_MASS, normalMass((a - m) / s, (b - m) / s))) - kern.logZ[k]!;
      }
      cellMemo[j]!.set(a, v);
    }
    return v;
  };

  const logPdf = (coords: readonly Coord[]): number => {
    const terms = Float64Array.from(logw);
    kernels.forEach((kern, j) => {
      const c = coords[j]!;
      if ('p' in kern) {
        for (let k = 0; k < K; k++) terms[k]! += Math.log(Math.max(MIN_MASS, kern.p[k * kern.n + c.x]!));
      } else if (c.a !== undefined && c.b !== undefined) {
        const v = cellLogMass(j, kern, c.a, c.b);
        for (let k = 0; k < K; k++) terms[k]! += v[k]!;
      } else {
        for (let k = 0; k < K; k++) {
          const s = kern.sigma[k]!;
          const z = (c.x - kern.mu[k]!) / s;
          terms[k]! += -0.5 * z * z - LOG_SQRT_2PI - Math.log(s) - kern.logZ[k]!;
        }
      }
    });
    let max = Number.NEGATIVE_INFINITY;
    for (const t of terms) if (t > max) max = t;
    let sum = 0;
    for (const t of terms) sum += Math.exp(t - max);
    return max + Math.log(sum);
  };

  return { sample, logPdf };
}
