/** Pruners (early termination): one `Pruner` port (types.ts), ASHA and Hyperband over rung records. */
import type { BlobStore } from '../../ports.ts';
import type { Sweep } from '../types.ts';
import { AshaPruner, HyperbandPruner, NopPruner } from './asha.ts';
import type { Pruner } from './types.ts';

export { AshaPruner, HyperbandPruner, NopPruner } from './asha.ts';
export { ashaDecision, BRACKET_STRIDE, bracketCount, bracketOf, rungEpochs } from './rungs.ts';
export type { PruneDecision, PruneReport, Pruner, RungRecord } from './types.ts';

/** NopPruner without early_terminate; AshaPruner for asha; HyperbandPruner for hyperband. */
export function createPruner(sweep: Sweep, sweepId: string, store: BlobStore): Pruner {
  const et = sweep.early_terminate;
  if (!et) return new NopPruner();
  return et.type === 'hyperband'
    ? new HyperbandPruner(et, sweep.metric.goal, sweepId, store)
    : new AshaPruner(et, sweep.metric.goal, sweepId, store);
}
