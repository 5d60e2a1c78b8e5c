/**
 * Regression metrics, in the target's own units (the model predicts the standardised target z; y = z·std +
 * mean). Sums run in float64, row by row in the order the rows are evaluated, so they are deterministic.
 *
 *   rmse = std·√(Σr²/n)   mae = std·Σ|r|/n   (r = ẑ − z)
 *   r2   = 1 − Σr² / Σ(z − z̄)²  (scikit-learn's r2_score over the evaluated rows; units cancel; when the
 *          rows' targets are all equal: 1 if every prediction is exact, else 0, as its force_finite)
 */
import type { RegressionRow, RegressionTestMetrics } from '../result.ts';
import type { FloatArray } from './kernels.ts';

/** Test rows kept for the predicted-vs-actual and residual plots (evenly spaced by index). */
export const REGRESSION_POINTS = 500;

export interface RegressionErrors {
  rmse: number;
  mae: number;
  r2: number;
}

/** Running sums over evaluated rows. */
export class RegressionStats {
  private n = 0;
  private sq = 0;
  private abs = 0;
  private sumZ = 0;
  private sumZ2 = 0;

  add(predicted: number, actual: number): void {
    const r = predicted - actual;
    this.n++;
    this.sq += r * r;
    this.abs += Math.abs(r);
    this.sumZ += actual;
    this.sumZ2 += actual * actual;
  }

  /** The errors for a target of standard deviation `std` (NaN over no rows). */
  errors(std: number): RegressionErrors {
    const n = this.n;
    if (n === 0) return { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
    const total = this.sumZ2 - (this.sumZ * this.sumZ) / n;
    const r2 = total > 1e-12 * n ? 1 - this.sq / total : this.sq === 0 ? 1 : 0;
    return { rmse: std * Math.sqrt(this.sq / n), mae: (std * this.abs) / n, r2 };
  }
}

/** Collects a test pass row by row (`onRow`: the standardised prediction and target) into its metrics. */
export class RegressionCollector {
  private readonly stats = new RegressionStats();
  private readonly predicted: Float64Array;
  private readonly actual: Float64Array;

  constructor(
    count: number,
    private readonly target: { name: string; mean: number; std: number },
  ) {
    this.predicted = new Float64Array(count);
    this.actual = new Float64Array(count);
  }

  readonly onRow = (row: number, Z: FloatArray, o: number, actual: number): void => {
    const z = Z[o]!;
    this.stats.add(z, actual);
    this.predicted[row] = z;
    this.actual[row] = actual;
  };

  finish(loss: number, worstCount: number): RegressionTestMetrics {
    const { mean, std } = this.target;
    const n = this.actual.length;
    const row = (index: number): RegressionRow => ({
      index,
      actual: this.actual[index]! * std + mean,
      predicted: this.predicted[index]! * std + mean,
    });
    const step = Math.max(1, n / REGRESSION_POINTS);
    const points: RegressionRow[] = [];
    for (let i = 0; Math.floor(i) < n && points.length < REGRESSION_POINTS; i += step)
      points.push(row(Math.floor(i)));
    const order = Array.from({ length: n }, (_, i) => i);
    const err = (i: number) => Math.abs(this.predicted[i]! - this.actual[i]!);
    // NaN errors (a diverged model) count as 0; ties: lower index first.
    order.sort((a, b) => (err(b) || 0) - (err(a) || 0) || a - b);
    return {
      task: 'regression',
      loss,
      ...this.stats.errors(std),
      target: this.target.name,
      points,
      worst: order.slice(0, Math.max(0, worstCount)).map(row),
    };
  }
}
