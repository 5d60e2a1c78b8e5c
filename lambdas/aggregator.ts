/**
 * Aggregator Lambda, two event sources (batches of up to 10):
 * - the results queue: folds finished trials into the sweep's aggregate, leaderboard and report
 *   (core/app/aggregator.ts `aggregate`, compare-and-swap on the ETag, so any concurrency is safe);
 * - the trials dead-letter queue: a trial that exhausted its receives becomes a `failed` result
 *   (`recordDeadLetters`).
 * Records are told apart by their body's `type` ('result' | 'trial'), not by the source ARN, so the local
 * runner can feed either. The batch is handled in one call per kind; if that fails, each message is
 * retried alone so one bad message does not hold back the others.
 */
import { z } from 'zod';
import { observability } from '../adapters/aws/powertools.ts';
import { aggregate, recordDeadLetters } from '../core/app/aggregator.ts';
import type { AppDeps } from '../core/app/deps.ts';
import {
  type ResultMessage,
  resultMessageSchema,
  type TrialMessage,
  trialMessageSchema,
} from '../core/messages.ts';
import { createSqsHandler, type DepsFactory, type SqsHandler } from './runtime.ts';

export const aggregatorMessageSchema = z.discriminatedUnion('type', [
  resultMessageSchema,
  trialMessageSchema,
]);
type AggregatorMessage = ResultMessage | TrialMessage;

async function handle(messages: readonly AggregatorMessage[], d: AppDeps): Promise<void> {
  const results = messages.filter((m): m is ResultMessage => m.type === 'result');
  const dead = messages.filter((m): m is TrialMessage => m.type === 'trial');
  if (dead.length > 0) await recordDeadLetters(dead, d);
  if (results.length > 0) await aggregate(results, d);
  d.log.info('results aggregated', { count: messages.length });
}

export function createHandler(deps?: DepsFactory): SqsHandler {
  return createSqsHandler<AggregatorMessage>({
    obs: observability('mlp-sweep-aggregator'),
    deps,
    schema: aggregatorMessageSchema,
    batch: handle,
    each: (message, d) => handle([message], d),
    describe: (m) => ({ type: m.type, sweep_id: m.sweep_id, trial_id: m.trial_id }),
  });
}

export const handler = createHandler();
