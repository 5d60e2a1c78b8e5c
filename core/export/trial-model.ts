/**
 * A trial's trained model from the store, as a file other tools open: ONNX (onnx.ts, with the data set's
 * preprocessing as its first nodes) or the stored safetensors bytes. Used by `sweep export` and the
 * dashboard's downloads.
 */
import { getJson } from '../app/json.ts';
import { reportSweepOf } from '../app/report.ts';
import { readSweepStatus } from '../app/status.ts';
import { loadSweep, readState } from '../app/sweep-record.ts';
import { canonicalJson } from '../canonical.ts';
import { parseAnyManifest } from '../data/manifest.ts';
import { keys } from '../layout.ts';
import { decodeSafetensors } from '../nn/index.ts';
import type { BlobStore } from '../ports.ts';
import { buildLeaderboard } from '../report/index.ts';
import type { TrialResult } from '../result.ts';
import { mlpOnnx } from './onnx.ts';
import { manifestHead, manifestPreprocessing } from './preprocess.ts';

export const EXPORT_FORMATS = ['onnx', 'safetensors'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the user asked for does not exist (no such sweep or trial, no weights): invalid input. */
export class ExportNotFoundError extends Error {
  override readonly name = 'ExportNotFoundError';
}

export interface ExportedModel {
  sweep_id: string;
  trial_id: string;
  format: ExportFormat;
  bytes: Uint8Array;
  /** A file name for it: `<sweep>-<trial>.<format>`. */
  filename: string;
}

/** The best-ranked trial of a sweep that has weights (undefined when none has). */
export async function bestTrialWithWeights(store: BlobStore, sweepId: string): Promise<string | undefined> {
  const status = await readSweepStatus(store, sweepId);
  if (!status) throw new ExportNotFoundError(`no sweep ${sweepId} in the store`);
  const { sweep } = await loadSweep(store, sweepId);
  const lb = buildLeaderboard(reportSweepOf(sweepId, sweep, status.state), status.results);
  return lb.rows.find((r) => r.metric !== null && r.weights_key !== undefined)?.trial_id;
}

async function trialWeights(
  store: BlobStore,
  sweepId: string,
  trialId: string,
): Promise<{ result: TrialResult; weights: Uint8Array }> {
  const result = await getJson<TrialResult>(store, keys.result(sweepId, trialId));
  if (!result)
    throw new ExportNotFoundError(
      `sweep ${sweepId} has no result for trial ${trialId} (unknown trial, or not finished yet)`,
    );
  const stored = result.weights_key ? await store.get(result.weights_key) : undefined;
  if (!stored)
    throw new ExportNotFoundError(
      `trial ${trialId} has no stored weights (its state is ${result.state}${result.reason ? `: ${result.reason}` : ''})`,
    );
  return { result, weights: stored.body };
}

/** The trial's model in `format`; throws ExportNotFoundError for what does not exist. */
export async function exportTrialModel(
  store: BlobStore,
  sweepId: string,
  trialId: string,
  format: ExportFormat,
): Promise<ExportedModel> {
  const state = await readState(store, sweepId);
  if (!state) throw new ExportNotFoundError(`no sweep ${sweepId} in the store`);
  const { result, weights } = await trialWeights(store, sweepId, trialId);
  const out = { sweep_id: sweepId, trial_id: trialId, format, filename: `${sweepId}-${trialId}.${format}` };
  if (format === 'safetensors') return { ...out, bytes: weights };
  const { name, version } = state.dataset;
  const stored = await store.get(keys.manifest(name, version));
  if (!stored)
    throw new ExportNotFoundError(
      `the sweep's data set ${name}@${version} is not in the store (its manifest gives the input normalisation)`,
    );
  const manifest = parseAnyManifest(stored.body, keys.manifest(name, version));
  const { tensors } = decodeSafetensors(weights);
  const bytes = mlpOnnx({
    config: result.config,
    tensors,
    preprocessing: manifestPreprocessing(manifest, result.config.normalize),
    head: manifestHead(manifest),
    metadata: {
      sweep_id: sweepId,
      trial_id: trialId,
      dataset: `${name}@${version}`,
      state: result.state,
      config: canonicalJson(result.config),
    },
    producerVersion: '0.1.0',
  });
  return { ...out, bytes };
}
