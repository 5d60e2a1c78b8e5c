import type { TrialResult } from '../result.ts';
import type { MetricName, MetricSpec, Sweep } from './types.ts';

/** The sweep's metric of a result, or of one epoch's metrics (undefined when missing or not finite). */
export function metricValue(
  result: Partial<Pick<TrialResult, MetricName>>,
  metric: MetricSpec,
): number | undefined {
  const v = result[metric.name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Whether `a` is strictly better than `b` for the goal (NaN is never better). */
export function isBetter(a: number, b: number, goal: MetricSpec['goal']): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return goal === 'maximize' ? a > b : a < b;
}

/**
 * The metric a worker reports at each epoch to the pruner: the sweep's metric, except that test accuracy
 * (known only at the end) is replaced by validation accuracy.
 */
export function pruneMetric(sweep: Pick<Sweep, 'metric'>): MetricSpec {
  return sweep.metric.name === 'test_accuracy'
    ? { name: 'val_accuracy', goal: sweep.metric.goal }
    : sweep.metric;
}
