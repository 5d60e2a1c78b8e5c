/**
 * The order a sweep's trials are sent to the workers in (pure).
 *
 * Longest first — estimated multiply-adds per sample × epochs, the LPT rule of makespan scheduling (the
 * data set is the same for every trial of a sweep) — when the order cannot change what the sweep
 * decides: no budget (`max_cost_usd`, `max_minutes`) and no early termination. When trials outnumber
 * the concurrent workers (a local run, `max_concurrency`, the event source's maximum concurrency) the
 * sweep then ends on short trials instead of one worker still running a long one while the others idle.
 * Otherwise expansion order, which is the order the budget and the pruner are specified to see trials in.
 * Ties keep expansion order.
 */
import type { Sweep, TrialSpec } from './types.ts';

/** Relative cost of a trial: Σ fan-in × fan-out over its layers, × epochs. */
export function trialWork(t: TrialSpec): number {
  const { layers, epochs } = t.config;
  let macs = 0;
  for (let i = 0; i + 1 < layers.length; i++) macs += layers[i]! * layers[i + 1]!;
  return macs * epochs;
}

export function sendOrder(
  sweep: Pick<Sweep, 'max_cost_usd' | 'max_minutes' | 'early_terminate'>,
  trials: readonly TrialSpec[],
): TrialSpec[] {
  const orderMatters =
    sweep.max_cost_usd !== undefined ||
    sweep.max_minutes !== undefined ||
    sweep.early_terminate !== undefined;
  if (orderMatters) return [...trials];
  return trials
    .map((t, i) => ({ t, i, w: trialWork(t) }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.t);
}
