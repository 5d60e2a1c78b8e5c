/**
 * Worker Lambda (trials queue, batch size 1): trains one trial (core/app/worker.ts). The trial
 * checkpoints and re-enqueues itself ('continued') before the invocation's time runs out.
 */

import { observability } from '../adapters/aws/powertools.ts';
import { runTrial } from '../core/app/worker.ts';
import { trialMessageSchema } from '../core/messages.ts';
import { createSqsHandler, type DepsFactory, errorDetail, type SqsHandler } from './runtime.ts';

export function createHandler(deps?: DepsFactory): SqsHandler {
  return createSqsHandler({
    obs: observability('mlp-sweep-worker'),
    deps,
    schema: trialMessageSchema,
    memoryFromContext: true,
    async process(messages, d, context) {
      const failed = new Set<string>();
      const ctx = { remainingMs: () => context.getRemainingTimeInMillis() };
      for (const { messageId, message } of messages) {
        try {
          const r = await runTrial(message, d, ctx);
          d.log.info('trial finished', {
            messageId,
            sweep_id: message.sweep_id,
            trial_id: r.trial_id,
            outcome: r.outcome,
            continuation: message.continuation,
          });
        } catch (err) {
          failed.add(messageId);
          d.log.error('trial failed', {
            messageId,
            sweep_id: message.sweep_id,
            trial_id: message.trial_id,
            error: errorDetail(err),
          });
        }
      }
      return failed;
    },
  });
}

export const handler = createHandler();
