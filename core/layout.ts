/**
 * Where everything lives in the bucket (or the local store's directory). Ids are validated here, before
 * they ever become part of a key: no `..`, no `/`, no control characters.
 *
 *   datasets/<name>/<version>/manifest.json, shard-00000.bin …
 *   sweeps/<id>/sweep.json                      the normalised sweep as submitted
 *   sweeps/<id>/state.json                      trials expanded, counts, finished flag
 *   sweeps/<id>/trials/<trial>/result.json      one terminal result, written once (If-None-Match)
 *   sweeps/<id>/trials/<trial>/weights.safetensors
 *   sweeps/<id>/trials/<trial>/checkpoint.bin   resumable training state (lifecycle-expired)
 *   sweeps/<id>/trials/<trial>/enqueued.json    marker: the trial message was sent (idempotent enqueue)
 *   sweeps/<id>/trials/<trial>/progress.json    invocations and billed time so far (with the checkpoint)
 *   sweeps/<id>/trials/<trial>/live.json        the epochs so far while it trains (for the dashboard)
 *   sweeps/<id>/trials/<trial>/errors/<ts>.json one record per failed attempt (the DLQ handler reports the last)
 *   sweeps/<id>/aggregate.json                  every terminal result's summary, merged by compare-and-swap
 *   sweeps/<id>/rungs/<rung>/<trial>.json       ASHA rung records
 *   sweeps/<id>/leaderboard.json|.csv|.md, report.html
 */
import { ID_RULE, isId } from './config.ts';

export class InvalidIdError extends Error {
  override readonly name = 'InvalidIdError';
  constructor(
    readonly kind: string,
    readonly value: string,
  ) {
    super(`invalid ${kind} id ${JSON.stringify(value)}: expected ${ID_RULE}`);
  }
}

export function assertId(kind: string, value: string): string {
  if (!isId(value)) throw new InvalidIdError(kind, String(value));
  return value;
}

export const keys = {
  dataset: (name: string, version: string) =>
    `datasets/${assertId('dataset', name)}/${assertId('version', version)}/`,
  manifest: (name: string, version: string) => `${keys.dataset(name, version)}manifest.json`,
  sweep: (id: string) => `sweeps/${assertId('sweep', id)}/`,
  sweepFile: (id: string) => `${keys.sweep(id)}sweep.json`,
  sweepState: (id: string) => `${keys.sweep(id)}state.json`,
  trial: (id: string, trial: string) => `${keys.sweep(id)}trials/${assertId('trial', trial)}/`,
  result: (id: string, trial: string) => `${keys.trial(id, trial)}result.json`,
  weights: (id: string, trial: string) => `${keys.trial(id, trial)}weights.safetensors`,
  checkpoint: (id: string, trial: string) => `${keys.trial(id, trial)}checkpoint.bin`,
  enqueued: (id: string, trial: string) => `${keys.trial(id, trial)}enqueued.json`,
  progress: (id: string, trial: string) => `${keys.trial(id, trial)}progress.json`,
  live: (id: string, trial: string) => `${keys.trial(id, trial)}live.json`,
  errors: (id: string, trial: string) => `${keys.trial(id, trial)}errors/`,
  trials: (id: string) => `${keys.sweep(id)}trials/`,
  aggregate: (id: string) => `${keys.sweep(id)}aggregate.json`,
  rung: (id: string, rung: number) => `${keys.sweep(id)}rungs/${rung}/`,
  rungRecord: (id: string, rung: number, trial: string) =>
    `${keys.rung(id, rung)}${assertId('trial', trial)}.json`,
  leaderboard: (id: string, ext: 'json' | 'csv' | 'md') => `${keys.sweep(id)}leaderboard.${ext}`,
  report: (id: string) => `${keys.sweep(id)}report.html`,
};
