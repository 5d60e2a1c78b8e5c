/**
 * How TPE models each parameter: a categorical dimension (unordered choices, modelled by categorical
 * kernels) or a numeric one (Gaussian kernels on an internal axis, truncated to its bounds):
 *
 * | spec                                   | internal axis x                 | discrete cells            |
 * | -------------------------------------- | ------------------------------- | ------------------------- |
 * | `values`, all distinct finite numbers   | rank in ascending order (0…n−1) | one per value             |
 * | `values` otherwise                      | categorical                     |                           |
 * | `int_uniform`                          | the value                       | one per integer           |
 * | `uniform`, `beta`                      | the value                       |                           |
 * | `log_uniform(_values)`, `log_normal`   | ln(value)                       |                           |
 * | `inv_log_uniform(_values)`             | −ln(value)                      |                           |
 * | `normal`                               | the value                       |                           |
 * | `q_*`                                  | as without q                    | value ± q/2, on that axis |
 *
 * Bounded axes have the prior N(mid, width) (Optuna's); the normal family's axis is unbounded and its prior
 * is the user's N(mu, sigma). `constant` parameters are not modelled. A parameter with a `when` condition is
 * `conditional`: only observations where it was active inform it (tpe/sampler.ts).
 */
import type { ParamSpec } from '../../types.ts';
import { quantize } from '../../util.ts';
import type { CompiledParam } from '../space.ts';

export interface CategoricalDim {
  kind: 'categorical';
  key: string;
  conditional: boolean;
  values: readonly unknown[];
  /** Prior probability of each choice (uniform, or the spec's `probabilities`). */
  prior: readonly number[];
}

export interface NumericDim {
  kind: 'numeric';
  key: string;
  conditional: boolean;
  /** Bounds of the internal axis (infinite for the normal family). */
  lo: number;
  hi: number;
  /** Scale of the axis for the bandwidth rule (bounded: hi − lo; normal family: 6σ). */
  width: number;
  priorMu: number;
  priorSigma: number;
  /** Values fall in cells (ordered choices, integers, q_*). */
  discrete: boolean;
  /** Internal coordinate of a value (clipped to the bounds); undefined when the value is not one of this dim. */
  toInternal(value: unknown): number | undefined;
  /** The value an internal coordinate stands for (rounded to the dim's grid). */
  valueAt(x: number): unknown;
  /** The cell of a value on the internal axis ([x, x] for continuous dims). */
  cell(value: unknown): [number, number];
}

export type Dim = CategoricalDim | NumericDim;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Ordered numeric choices: the axis is the rank. */
function ordinal(key: string, conditional: boolean, values: readonly number[]): NumericDim {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (v: unknown) => (isNum(v) ? sorted.indexOf(v) : -1);
  return {
    kind: 'numeric',
    key,
    conditional,
    lo: -0.5,
    hi: n - 0.5,
    width: n,
    priorMu: (n - 1) / 2,
    priorSigma: n,
    discrete: true,
    toInternal: (v) => (rank(v) >= 0 ? rank(v) : undefined),
    valueAt: (x) => sorted[clip(Math.round(x), 0, n - 1)],
    cell: (v) => [rank(v) - 0.5, rank(v) + 0.5],
  };
}

interface Axis {
  lo: number;
  hi: number;
  to: (v: number) => number;
  from: (x: number) => number;
  /** The user's prior on the axis, for unbounded axes. */
  prior?: { mu: number; sigma: number };
}

const identity = (v: number) => v;
const ln = (v: number) => (v > 0 ? Math.log(v) : Number.NEGATIVE_INFINITY);
const negLn = (v: number) => -ln(v);

function axisOf(s: ParamSpec): Axis | undefined {
  switch (s.distribution) {
    case 'int_uniform':
      return { lo: s.min - 0.5, hi: s.max + 0.5, to: identity, from: identity };
    case 'uniform':
    case 'q_uniform':
      return { lo: s.min, hi: s.max, to: identity, from: identity };
    case 'log_uniform':
    case 'q_log_uniform':
      return { lo: s.min, hi: s.max, to: ln, from: Math.exp };
    case 'log_uniform_values':
    case 'q_log_uniform_values':
      return { lo: Math.log(s.min), hi: Math.log(s.max), to: ln, from: Math.exp };
    case 'inv_log_uniform':
      return { lo: s.min, hi: s.max, to: negLn, from: (x) => Math.exp(-x) };
    case 'inv_log_uniform_values':
      return { lo: -Math.log(s.max), hi: -Math.log(s.min), to: negLn, from: (x) => Math.exp(-x) };
    case 'beta':
    case 'q_beta':
      return { lo: 0, hi: 1, to: identity, from: identity };
    case 'normal':
    case 'q_normal':
      return { lo: -Infinity, hi: Infinity, to: identity, from: identity, prior: s };
    case 'log_normal':
    case 'q_log_normal':
      return { lo: -Infinity, hi: Infinity, to: ln, from: Math.exp, prior: s };
    default:
      return undefined;
  }
}

function numeric(key: string, conditional: boolean, s: ParamSpec, axis: Axis): NumericDim {
  const q = 'q' in s ? s.q : undefined;
  const isInt = s.distribution === 'int_uniform';
  const bounded = axis.prior === undefined;
  const width = bounded ? axis.hi - axis.lo : 6 * axis.prior!.sigma;
  const toInternal = (v: unknown) => (isNum(v) ? clip(axis.to(v), axis.lo, axis.hi) : undefined);
  return {
    kind: 'numeric',
    key,
    conditional,
    lo: axis.lo,
    hi: axis.hi,
    width,
    priorMu: bounded ? (axis.lo + axis.hi) / 2 : axis.prior!.mu,
    priorSigma: bounded ? width : axis.prior!.sigma,
    discrete: isInt || q !== undefined,
    toInternal,
    valueAt: (x) => {
      if (isInt) return clip(Math.round(x), axis.lo + 0.5, axis.hi - 0.5);
      const v = axis.from(clip(x, axis.lo, axis.hi));
      return q !== undefined ? quantize(v, q) : v;
    },
    cell: (v) => {
      if (!isNum(v)) return [Number.NaN, Number.NaN];
      if (isInt) return [v - 0.5, v + 0.5];
      if (q === undefined) {
        const x = toInternal(v)!;
        return [x, x];
      }
      return [clip(axis.to(v - q / 2), axis.lo, axis.hi), clip(axis.to(v + q / 2), axis.lo, axis.hi)];
    },
  };
}

/** The model of one parameter, or undefined for a constant (nothing to learn). */
export function dimOf(c: CompiledParam): Dim | undefined {
  const s = c.spec;
  const conditional = c.when.length > 0;
  if (s.distribution === 'constant') return undefined;
  if (s.distribution === 'categorical' || s.distribution === 'categorical_w_probabilities') {
    const nums = s.values.filter(isNum);
    if (
      s.distribution === 'categorical' &&
      nums.length === s.values.length &&
      new Set(nums).size === nums.length &&
      nums.length >= 2
    )
      return ordinal(c.key, conditional, nums);
    const prior =
      s.distribution === 'categorical_w_probabilities'
        ? s.probabilities
        : s.values.map(() => 1 / s.values.length);
    return { kind: 'categorical', key: c.key, conditional, values: s.values, prior };
  }
  const axis = axisOf(s);
  return axis ? numeric(c.key, conditional, s, axis) : undefined;
}
