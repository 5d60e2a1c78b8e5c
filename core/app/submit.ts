/**
 * Submitting a sweep: validate the file completely, store it, and put one message on the submissions
 * queue. An invalid file yields every problem and enqueues nothing. The sweep id is derived from the
 * sweep's name and its normalised content, so re-submitting the same sweep addresses the same trials
 * and only those without a result run again.
 */

import { contentHash } from '../canonical.ts';
import type { Parsed, Problem } from '../config.ts';
import { keys } from '../layout.ts';
import type { SubmissionMessage } from '../messages.ts';
import type { BlobStore, MessageQueue } from '../ports.ts';
import { expandTrials, parseSweep, type Sweep } from '../sweep/index.ts';
import { datasetProblems } from './dataset-fit.ts';
import { putJson } from './json.ts';
import type { SweepFile } from './sweep-record.ts';

export function sweepIdOf(sweep: Sweep): string {
  const slug =
    sweep.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'sweep';
  const { source_format: _ignored, ...content } = sweep;
  return `${slug}-${contentHash(content, 10)}`;
}

export interface Submitted {
  sweep_id: string;
  sweep: Sweep;
  trials: number;
  warnings: Problem[];
}

export interface SubmitDeps {
  store: BlobStore;
  submissions: MessageQueue;
  now: () => number;
}

/** Validates the sweep (file and data set), then stores and enqueues it; every problem otherwise. */
export async function submitSweep(
  text: string,
  filename: string,
  deps: SubmitDeps,
): Promise<Parsed<Submitted>> {
  const parsed = parseSweep(text, { filename });
  if (!parsed.ok) return parsed;
  const dataProblems = await datasetProblems(deps.store, parsed.value);
  if (dataProblems.length > 0) return { ok: false, problems: [...dataProblems, ...parsed.warnings] };
  const value = await enqueueSweep(parsed.value, text, filename, deps);
  return { ok: true, value: { ...value, warnings: parsed.warnings }, warnings: parsed.warnings };
}

/** Stores a parsed sweep's text under its id and puts it on the submissions queue (no further checks). */
export async function enqueueSweep(
  sweep: Sweep,
  text: string,
  filename: string,
  deps: SubmitDeps,
): Promise<Omit<Submitted, 'warnings'>> {
  const trials = expandTrials(sweep);
  const sweepId = sweepIdOf(sweep);
  const file: SweepFile = {
    sweep_id: sweepId,
    filename,
    text,
    submitted_at: new Date(deps.now()).toISOString(),
  };
  await putJson(deps.store, keys.sweepFile(sweepId), file);
  const msg: SubmissionMessage = { type: 'submit', sweep_id: sweepId };
  await deps.submissions.send([JSON.stringify(msg)]);
  return { sweep_id: sweepId, sweep, trials: trials.length };
}
