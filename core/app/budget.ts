/**
 * Budgets checked by a worker before a trial starts, from the sweep's running totals (kept in state.json
 * by the aggregator from the recorded cost and time of finished trials). A trial over budget ends
 * `skipped` with the reason.
 */
import type { Sweep } from '../sweep/index.ts';
import type { SweepState } from './sweep-record.ts';

export type BudgetVerdict = { ok: true } | { ok: false; reason: string };

export function checkSweepBudget(sweep: Sweep, state: SweepState | undefined, nowMs: number): BudgetVerdict {
  if (!state) return { ok: true };
  const cost = state.totals.cost_usd;
  if (sweep.max_cost_usd !== undefined && cost >= sweep.max_cost_usd) {
    return {
      ok: false,
      reason: `budget: finished trials cost $${cost.toFixed(6)}, max_cost_usd is $${sweep.max_cost_usd}`,
    };
  }
  const minutes = (nowMs - state.started_ms) / 60_000;
  if (sweep.max_minutes !== undefined && minutes >= sweep.max_minutes) {
    return {
      ok: false,
      reason: `budget: the sweep has run ${minutes.toFixed(1)} min, max_minutes is ${sweep.max_minutes}`,
    };
  }
  return { ok: true };
}
