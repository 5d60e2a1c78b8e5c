/**
 * Worker Lambda (trials queue, batch size 1): trains one trial (core/app/worker.ts). The trial
 * checkpoints and re-enqueues itself ('continued') before the invocation's time runs out.
 */
import { observability } from '../adapters/aws/powertools.ts';
import { runTrial } from '../core/app/worker.ts';
import { trialMessageSchema } from '../core/messages.ts';
import { createSqsHandler, type DepsFactory, type SqsHandler } from './runtime.ts';

export function createHandler(deps?: DepsFactory): SqsHandler {
  return createSqsHandler({
    obs: observability('mlp-sweep-worker'),
    deps,
    schema: trialMessageSchema,
    memoryFromContext: true,
    async each(message, d, context) {
      await runTrial(message, d, { remainingMs: () => context.getRemainingTimeInMillis() });
    },
    describe: (m) => ({ sweep_id: m.sweep_id, trial_id: m.trial_id, continuation: m.continuation }),
  });
}

export const handler = createHandler();
