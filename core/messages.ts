/** Message bodies on the three queues, validated on receipt (a malformed body is a failed record). */
import { z } from 'zod';
import { ID_PATTERN, trialConfigSchema } from './config.ts';
import type { TrialResult } from './result.ts';

const id = z.string().regex(ID_PATTERN);

/** submissions queue: the sweep file is already stored at `sweeps/<id>/sweep.json`. */
export const submissionMessageSchema = z.strictObject({ type: z.literal('submit'), sweep_id: id });

/** trials queue: one trial to run (or continue from its checkpoint). */
export const trialMessageSchema = z.strictObject({
  type: z.literal('trial'),
  sweep_id: id,
  trial_id: id,
  index: z.number().int().min(0),
  config: trialConfigSchema,
  dataset: z.strictObject({ name: id, version: id }),
  /** >0 when this message continues a checkpointed trial. */
  continuation: z.number().int().min(0).default(0),
});

/** A trial result carried in a result message (checked for its identity and shape only). */
const embeddedResult = z.custom<TrialResult>((v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.sweep_id === 'string' &&
    typeof r.trial_id === 'string' &&
    typeof r.state === 'string' &&
    Array.isArray(r.history)
  );
}, 'expected a trial result (sweep_id, trial_id, state, history)');

/**
 * results queue: a trial reached a terminal state; the result is at its result.json. `result`, when
 * present, is that stored result without its images (see slimResult): the aggregator then need not read
 * it back. It is only sent by whoever knows it is the stored one (the writer that created it, or a reader
 * of it), and only when small (MAX_EMBEDDED_RESULT_CHARS); otherwise the aggregator reads result.json.
 */
export const resultMessageSchema = z
  .strictObject({
    type: z.literal('result'),
    sweep_id: id,
    trial_id: id,
    result: embeddedResult.optional(),
  })
  .refine((m) => !m.result || (m.result.sweep_id === m.sweep_id && m.result.trial_id === m.trial_id), {
    message: 'the embedded result belongs to another trial',
    path: ['result'],
  });

/** Largest message with an embedded result, in JSON characters (SQS allows 256 KiB; we keep far below). */
export const MAX_EMBEDDED_RESULT_CHARS = 64 * 1024;

export type SubmissionMessage = z.infer<typeof submissionMessageSchema>;
export type TrialMessage = z.output<typeof trialMessageSchema>;
export type TrialMessageInput = z.input<typeof trialMessageSchema>;
export type ResultMessage = z.infer<typeof resultMessageSchema>;
