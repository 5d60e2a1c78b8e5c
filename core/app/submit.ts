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
import { resolveDatasetVersion } from './datasets.ts';
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

export async function submitSweep(
  text: string,
  filename: string,
  deps: { store: BlobStore; submissions: MessageQueue; now: () => number },
): Promise<Parsed<Submitted>> {
  const parsed = parseSweep(text, { filename });
  if (!parsed.ok) return parsed;
  const sweep = parsed.value;
  const trials = expandTrials(sweep);
  const version = await resolveDatasetVersion(deps.store, sweep.dataset);
  if (!version) {
    return {
      ok: false,
      problems: [
        {
          path: '$.dataset',
          message: `data set "${sweep.dataset.name}"${sweep.dataset.version ? ` version ${sweep.dataset.version}` : ''} is not prepared in this store; run "sweep data prepare --dataset ${sweep.dataset.name}" for this backend first`,
          expected: 'a prepared data set',
          found: 'none',
          severity: 'error',
        },
      ],
    };
  }
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
  return {
    ok: true,
    value: { sweep_id: sweepId, sweep, trials: trials.length, warnings: parsed.warnings },
    warnings: parsed.warnings,
  };
}
