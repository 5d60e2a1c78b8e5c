/** Message bodies on the three queues, validated on receipt (a malformed body is a failed record). */
import { z } from 'zod';
import { trialConfigSchema } from './config.ts';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);

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

/** results queue: a trial reached a terminal state; the result is at its result.json. */
export const resultMessageSchema = z.strictObject({ type: z.literal('result'), sweep_id: id, trial_id: id });

export type SubmissionMessage = z.infer<typeof submissionMessageSchema>;
export type TrialMessage = z.output<typeof trialMessageSchema>;
export type TrialMessageInput = z.input<typeof trialMessageSchema>;
export type ResultMessage = z.infer<typeof resultMessageSchema>;
