/**
 * Dispatcher Lambda (submissions queue): expands a stored sweep into trials and enqueues them
 * (core/app/dispatcher.ts). One record = one sweep; a failed record is retried by SQS, then dead-lettered.
 */
import { observability } from '../adapters/aws/powertools.ts';
import { dispatchSweep } from '../core/app/dispatcher.ts';
import { submissionMessageSchema } from '../core/messages.ts';
import { createSqsHandler, type DepsFactory, type SqsHandler } from './runtime.ts';

export function createHandler(deps?: DepsFactory): SqsHandler {
  return createSqsHandler({
    obs: observability('mlp-sweep-dispatcher'),
    deps,
    schema: submissionMessageSchema,
    async each(message, d) {
      await dispatchSweep(message, d);
    },
    describe: (m) => ({ sweep_id: m.sweep_id }),
  });
}

export const handler = createHandler();
