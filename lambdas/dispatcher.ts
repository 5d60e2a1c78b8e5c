/**
 * Dispatcher Lambda (submissions queue): expands a stored sweep into trials and enqueues them
 * (core/app/dispatcher.ts). One record = one sweep; a failed record is retried by SQS, then dead-lettered.
 */

import { observability } from '../adapters/aws/powertools.ts';
import { dispatchSweep } from '../core/app/dispatcher.ts';
import { submissionMessageSchema } from '../core/messages.ts';
import { createSqsHandler, type DepsFactory, errorDetail, type SqsHandler } from './runtime.ts';

export function createHandler(deps?: DepsFactory): SqsHandler {
  return createSqsHandler({
    obs: observability('mlp-sweep-dispatcher'),
    deps,
    schema: submissionMessageSchema,
    async process(messages, d) {
      const failed = new Set<string>();
      for (const { messageId, message } of messages) {
        try {
          const r = await dispatchSweep(message, d);
          d.log.info('sweep dispatched', { messageId, ...r });
        } catch (err) {
          failed.add(messageId);
          d.log.error('dispatch failed', { messageId, sweep_id: message.sweep_id, error: errorDetail(err) });
        }
      }
      return failed;
    },
  });
}

export const handler = createHandler();
