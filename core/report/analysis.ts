/**
 * The data behind every chart of the report, as plain rows (tested directly; the chart specs only map
 * these rows to marks).
 */
import type { RegressionTestMetrics, TrialResult } from '../result.ts';
import { canonicalJson, displayParam } from './leaderboard.ts';
import type { Leaderboard, LeaderboardRow } from './types.ts';

// ---------------------------------------------------------------------------------------------------
// Parameter importance

export interface Importance {
  param: string;
  /** η² = SS_between / SS_total of the metric grouped on this parameter (0 when the metric is constant). */
  eta2: number;
  /** ε² = (SS_between − (k−1)·MS_within) / SS_total, clamped at 0: η² less its small-sample bias. */
  epsilon2: number;
  /** Number of groups (distinct values, or quantile buckets for numeric parameters). */
  groups: number;
  /** Trials used (completed with a finite metric). */
  n: number;
  bucketed: boolean;
}

/** Numeric parameters with more distinct values than this are bucketed into quantiles. */
export const MAX_EXACT_GROUPS = 6;
export const QUANTILE_BUCKETS = 4;

/**
 * Group keys for one parameter's values. Non-numeric (or ≤ MAX_EXACT_GROUPS distinct numbers) → the
 * value itself (by canonical JSON). Otherwise quantile buckets by rank: the value whose first occurrence in
 * sorted order is at position p goes to bucket ⌊p·B/n⌋, so equal values always share a bucket.
 */
export function groupKeys(values: readonly unknown[]): { keys: string[]; bucketed: boolean } {
  const numeric = values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const distinct = new Set(values.map(canonicalJson));
  if (!numeric || distinct.size <= MAX_EXACT_GROUPS)
    return { keys: values.map(canonicalJson), bucketed: false };
  const nums = values as readonly number[];
  const sorted = [...nums].sort((a, b) => a - b);
  const firstPos = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!firstPos.has(v)) firstPos.set(v, i);
  });
  const n = nums.length;
  return {
    keys: nums.map((v) => `q${Math.floor((firstPos.get(v)! * QUANTILE_BUCKETS) / n)}`),
    bucketed: true,
  };
}

/** One-way ANOVA effect sizes of `metric` grouped by `keys`. */
export function etaSquared(
  keys: readonly string[],
  metric: readonly number[],
): { eta2: number; epsilon2: number; groups: number } {
  const n = metric.length;
  const mean = metric.reduce((s, x) => s + x, 0) / Math.max(1, n);
  const sum = new Map<string, { s: number; c: number }>();
  keys.forEach((k, i) => {
    const g = sum.get(k) ?? { s: 0, c: 0 };
    g.s += metric[i]!;
    g.c += 1;
    sum.set(k, g);
  });
  let ssTotal = 0;
  for (const x of metric) ssTotal += (x - mean) ** 2;
  let ssBetween = 0;
  for (const g of sum.values()) ssBetween += g.c * (g.s / g.c - mean) ** 2;
  const k = sum.size;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of metric) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  // A constant metric (up to rounding) has nothing to explain.
  if (n < 2 || !(hi - lo > 1e-12 * Math.max(1, Math.abs(mean)))) return { eta2: 0, epsilon2: 0, groups: k };
  const eta2 = Math.min(1, Math.max(0, ssBetween / ssTotal));
  const msWithin = n > k ? (ssTotal - ssBetween) / (n - k) : 0;
  const epsilon2 = Math.min(1, Math.max(0, (ssBetween - (k - 1) * msWithin) / ssTotal));
  return { eta2, epsilon2, groups: k };
}

/**
 * Importance of each varying parameter: the fraction of the metric's variance across completed trials
 * that grouping on the parameter explains (η², one-way ANOVA), numeric parameters bucketed into
 * quartiles. It is a marginal, per-parameter measure: interactions are not attributed, and correlated
 * parameters (e.g. in a grid) can both score. Sorted by η², highest first.
 */
export function parameterImportance(results: readonly TrialResult[], lb: Leaderboard): Importance[] {
  const metricById = new Map(lb.rows.map((r) => [r.trial_id, r.metric]));
  const used = results.filter((r) => r.state === 'completed' && metricById.get(r.trial_id) != null);
  const metric = used.map((r) => metricById.get(r.trial_id)!);
  const out: Importance[] = [];
  for (const p of lb.varying) {
    const values = used.map((r) => (r.config as unknown as Record<string, unknown>)[p]);
    const { keys, bucketed } = groupKeys(values);
    const e = etaSquared(keys, metric);
    out.push({ param: p, ...e, n: used.length, bucketed });
  }
  return out.sort((a, b) => b.eta2 - a.eta2 || (a.param < b.param ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------
// Parallel coordinates

export interface ParallelDimension {
  name: string;
  kind: 'linear' | 'log' | 'categorical';
  /** Labels drawn at the bottom (0) and top (1) of the axis. */
  min_label: string;
  max_label: string;
  /** For categorical axes: the categories bottom→top. */
  categories?: string[];
  /** Labelled positions on the axis: every value when there are few, else the ends (and decades on log axes). */
  ticks: { norm: number; label: string }[];
}

export interface ParallelPoint {
  trial_id: string;
  dim: string;
  /** Position on the dimension's axis, 0..1. */
  norm: number;
  /** The value as shown in the tooltip. */
  raw: string;
  metric: number;
  rank: number;
}

const fmt = (x: number): string => {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6)
    ? Number(x.toPrecision(3)).toExponential()
    : String(Number(x.toPrecision(4)));
};

/**
 * Normalise one dimension to 0..1. Numbers: min→0, max→1, on a log scale when all are positive and
 * span ≥ 2 decades (learning rates, L2); a constant dimension sits at 0.5. Anything else is categorical:
 * distinct values sorted (numerically when possible) and spaced evenly.
 */
export function normaliseDimension(
  name: string,
  values: readonly unknown[],
): { dim: ParallelDimension; norm: number[]; raw: string[] } {
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (numeric) {
    const nums = values as readonly number[];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of nums) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const log = lo > 0 && hi / lo >= 100;
    const f = log ? Math.log10 : (x: number) => x;
    const a = f(lo);
    const b = f(hi);
    const pos = (v: number) => (b > a ? (f(v) - a) / (b - a) : 0.5);
    const norm = nums.map(pos);
    const distinct = [...new Set(nums)].sort((x, y) => x - y);
    let ticks: { norm: number; label: string }[];
    if (distinct.length <= MAX_EXACT_GROUPS) ticks = distinct.map((v) => ({ norm: pos(v), label: fmt(v) }));
    else {
      ticks = [
        { norm: 0, label: fmt(lo) },
        { norm: 1, label: fmt(hi) },
      ];
      if (log)
        for (let d = Math.ceil(a); d <= Math.floor(b); d++) {
          const t = (d - a) / (b - a);
          if (t > 0.08 && t < 0.92) ticks.push({ norm: t, label: fmt(10 ** d) });
        }
    }
    return {
      dim: { name, kind: log ? 'log' : 'linear', min_label: fmt(lo), max_label: fmt(hi), ticks },
      norm,
      raw: nums.map(fmt),
    };
  }
  const raw = values.map((v) => String(displayParam(v)));
  const cats = [...new Set(raw)].sort((x, y) => {
    const nx = Number(x);
    const ny = Number(y);
    return Number.isFinite(nx) && Number.isFinite(ny) && x !== '' && y !== ''
      ? nx - ny
      : x < y
        ? -1
        : x > y
          ? 1
          : 0;
  });
  const idx = new Map(cats.map((c, i) => [c, i]));
  const norm = raw.map((r) => (cats.length > 1 ? idx.get(r)! / (cats.length - 1) : 0.5));
  return {
    dim: {
      name,
      kind: 'categorical',
      min_label: cats[0] ?? '',
      max_label: cats[cats.length - 1] ?? '',
      categories: cats,
      ticks:
        cats.length <= 12
          ? cats.map((c, i) => ({ norm: cats.length > 1 ? i / (cats.length - 1) : 0.5, label: c }))
          : [],
    },
    norm,
    raw,
  };
}

/** Long-format ("folded") rows for a parallel-coordinates plot: one per trial × dimension, the metric last. */
export function parallelCoordinates(
  results: readonly TrialResult[],
  lb: Leaderboard,
): { dims: ParallelDimension[]; points: ParallelPoint[] } {
  const rowById = new Map(lb.rows.map((r) => [r.trial_id, r]));
  const used = results
    .map((r) => ({ r, row: rowById.get(r.trial_id) }))
    .filter((x): x is { r: TrialResult; row: LeaderboardRow & { metric: number } } => x.row?.metric != null);
  const dims: ParallelDimension[] = [];
  const points: ParallelPoint[] = [];
  const add = (name: string, values: unknown[]) => {
    const { dim, norm, raw } = normaliseDimension(name, values);
    dims.push(dim);
    used.forEach(({ r, row }, i) => {
      points.push({
        trial_id: r.trial_id,
        dim: name,
        norm: norm[i]!,
        raw: raw[i]!,
        metric: row.metric,
        rank: row.rank,
      });
    });
  };
  for (const p of lb.varying)
    add(
      p,
      used.map(({ r }) => (r.config as unknown as Record<string, unknown>)[p]),
    );
  add(
    lb.sweep.metric.name,
    used.map(({ row }) => row.metric),
  );
  return { dims, points };
}

// ---------------------------------------------------------------------------------------------------
// Learning-rate scatter

export interface LrPoint {
  trial_id: string;
  learning_rate: number;
  metric: number;
  state: string;
  rank: number;
  optimizer: string;
}

export function learningRateScatter(results: readonly TrialResult[], lb: Leaderboard): LrPoint[] {
  const rowById = new Map(lb.rows.map((r) => [r.trial_id, r]));
  const out: LrPoint[] = [];
  for (const r of results) {
    const row = rowById.get(r.trial_id);
    const lr = r.config?.learning_rate;
    if (!row || row.metric === null || typeof lr !== 'number' || !(lr > 0)) continue;
    out.push({
      trial_id: r.trial_id,
      learning_rate: lr,
      metric: row.metric,
      state: r.state,
      rank: row.rank,
      optimizer: String(r.config.optimizer ?? ''),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Learning curves

/** The per-epoch series of the learning curves, by task: how good (accuracy, or RMSE in the target's units), and the loss. */
export const CURVE_SERIES = {
  classification: ['val_accuracy', 'val_loss'],
  regression: ['val_rmse', 'val_loss'],
} as const;
export type CurveSeries = (typeof CURVE_SERIES)[keyof typeof CURVE_SERIES][number];

export interface CurvePoint {
  trial_id: string;
  epoch: number;
  series: CurveSeries;
  value: number;
  /** Highlighted (coloured) trial, or context (pruned, greyed). */
  highlight: boolean;
  state: string;
  rank: number;
}

/**
 * Per-epoch validation accuracy (a regression: RMSE) and loss of the top `top` non-pruned trials with a history (coloured),
 * plus up to `maxPruned` pruned trials (greyed, best-ranked first) to show where pruning stopped them, and
 * up to `maxRunning` trials still running (coloured: the dashboard passes their epochs so far).
 */
export function learningCurves(
  results: readonly TrialResult[],
  lb: Leaderboard,
  opts: { top?: number; maxPruned?: number; maxRunning?: number } = {},
): CurvePoint[] {
  const top = opts.top ?? 8;
  const maxPruned = opts.maxPruned ?? 40;
  const maxRunning = opts.maxRunning ?? 8;
  let nRunning = 0;
  const byId = new Map(results.map((r) => [r.trial_id, r]));
  const out: CurvePoint[] = [];
  let nTop = 0;
  let nPruned = 0;
  for (const row of lb.rows) {
    const r = byId.get(row.trial_id);
    if (!r || r.history.length === 0) continue;
    const pruned = r.state === 'pruned';
    if (r.state === 'running') {
      if (nRunning >= maxRunning) continue;
      nRunning++;
    } else if (pruned ? nPruned >= maxPruned : nTop >= top || row.metric === null) continue;
    else if (pruned) nPruned++;
    else nTop++;
    for (const e of r.history) {
      for (const series of CURVE_SERIES[lb.task]) {
        const value = e[series];
        if (value === undefined || !Number.isFinite(value)) continue;
        out.push({
          trial_id: r.trial_id,
          epoch: e.epoch,
          series,
          value,
          highlight: !pruned,
          state: r.state,
          rank: row.rank,
        });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Confusion matrix

export interface ConfusionCell {
  actual: number;
  predicted: number;
  /** The classes' names (their ids as text when the data set names none). */
  actual_label: string;
  predicted_label: string;
  count: number;
  /** count / (row total): the share of true class `actual` predicted as `predicted`. */
  rate: number;
}

/** Classes a confusion matrix draws at most; beyond, the ones with the most test rows (the table lists all). */
export const MAX_MATRIX_CLASSES = 40;

/** The classes a matrix of `confusion` shows: all, or the MAX_MATRIX_CLASSES with the most rows (by id). */
export function matrixClasses(confusion: readonly (readonly number[])[]): number[] {
  const ids = confusion.map((_, i) => i);
  if (ids.length <= MAX_MATRIX_CLASSES) return ids;
  const support = confusion.map((row) => row.reduce((s, x) => s + x, 0));
  return ids
    .sort((a, b) => support[b]! - support[a]! || a - b)
    .slice(0, MAX_MATRIX_CLASSES)
    .sort((a, b) => a - b);
}

export function confusionCells(
  confusion: readonly (readonly number[])[],
  names?: readonly string[],
): ConfusionCell[] {
  const out: ConfusionCell[] = [];
  const shown = matrixClasses(confusion);
  const label = (i: number) => names?.[i] ?? String(i);
  for (const actual of shown) {
    const row = confusion[actual]!;
    const total = row.reduce((s, x) => s + x, 0);
    for (const predicted of shown) {
      const count = row[predicted]!;
      out.push({
        actual,
        predicted,
        actual_label: label(actual),
        predicted_label: label(predicted),
        count,
        rate: total > 0 ? count / total : 0,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Regression fit

export interface FitPoint {
  index: number;
  actual: number;
  predicted: number;
  /** actual − predicted, in the target's units. */
  residual: number;
}

/** The plotted test rows of a regression, with their residuals. */
export function fitPoints(t: RegressionTestMetrics): FitPoint[] {
  return t.points.map((p) => ({ ...p, residual: p.actual - p.predicted }));
}

// ---------------------------------------------------------------------------------------------------
// Training dynamics

export interface NormPoint {
  trial: string;
  epoch: number;
  layer: string;
  kind: 'weight norm' | 'gradient norm';
  value: number;
}

/** Per-layer weight and gradient Frobenius norms per epoch of the best `top` completed trials. */
export function trainingDynamics(results: readonly TrialResult[], lb: Leaderboard, top = 3): NormPoint[] {
  const byId = new Map(results.map((r) => [r.trial_id, r]));
  const out: NormPoint[] = [];
  let n = 0;
  for (const row of lb.rows) {
    if (n >= top) break;
    const r = byId.get(row.trial_id);
    if (!r || row.metric === null || r.history.length === 0) continue;
    if (!r.history.some((e) => (e.weight_norms?.length ?? 0) > 0 || (e.grad_norms?.length ?? 0) > 0))
      continue;
    n++;
    const trial = `#${row.rank} ${r.trial_id}`;
    for (const e of r.history) {
      (e.weight_norms ?? []).forEach((value, i) => {
        if (Number.isFinite(value))
          out.push({ trial, epoch: e.epoch, layer: `W${i + 1}`, kind: 'weight norm', value });
      });
      (e.grad_norms ?? []).forEach((value, i) => {
        if (Number.isFinite(value) && value > 0)
          out.push({ trial, epoch: e.epoch, layer: `W${i + 1}`, kind: 'gradient norm', value });
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Sweep summary

export function stateCounts(lb: Leaderboard): [string, number][] {
  return Object.entries(lb.counts).filter(([, n]) => n > 0);
}

/** Speed-up over running the trials one after another: total compute / wall (null without a wall time). */
export function speedUp(lb: Leaderboard): number | null {
  return lb.wall_s !== null && lb.wall_s > 0 ? lb.total_compute_s / lb.wall_s : null;
}

// ---------------------------------------------------------------------------------------------------
// Per-trial curves (the dashboard's trial and compare pages)

export interface EpochPoint {
  trial: string;
  epoch: number;
  split: 'train' | 'val';
  metric: 'accuracy' | 'loss';
  value: number;
}

/** Train and validation accuracy and loss per epoch of each trial given (finite values only). */
export function epochCurves(trials: readonly Pick<TrialResult, 'trial_id' | 'history'>[]): EpochPoint[] {
  const out: EpochPoint[] = [];
  for (const t of trials)
    for (const e of t.history)
      for (const [split, metric, value] of [
        ['train', 'accuracy', e.train_accuracy],
        ['val', 'accuracy', e.val_accuracy],
        ['train', 'loss', e.train_loss],
        ['val', 'loss', e.val_loss],
      ] as const)
        if (Number.isFinite(value)) out.push({ trial: t.trial_id, epoch: e.epoch, split, metric, value });
  return out;
}
