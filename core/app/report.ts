/**
 * A sweep's HTML report from its aggregate: the aggregator stores one (core/app/aggregator.ts, when due and
 * at the end); `sweep report` renders one on demand while a sweep is still running.
 */
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import { buildLeaderboard, type ReportSweep, renderReport } from '../report/index.ts';
import type { TrialResult } from '../result.ts';
import type { Aggregate } from './aggregator.ts';
import { getJson } from './json.ts';
import { datasetPreview } from './preview.ts';
import { type LoadedSweep, loadSweep, readState, type SweepState } from './sweep-record.ts';

export function reportSweepOf(sweepId: string, sweep: LoadedSweep['sweep'], state: SweepState): ReportSweep {
  return {
    sweep_id: sweepId,
    name: sweep.name,
    metric: sweep.metric,
    parameters: sweep.parameters,
    started_at: state.submitted_at,
    ...(state.finished_at ? { finished_at: state.finished_at } : {}),
    dataset: state.dataset,
  };
}

/** The report page from the aggregate's (slim) results; the top 3 are re-read whole for their images. */
export async function renderSweepHtml(
  store: BlobStore,
  reportSweep: ReportSweep,
  slimResults: readonly TrialResult[],
  state: SweepState,
): Promise<string> {
  const lb = buildLeaderboard(reportSweep, slimResults, { expectedTrials: state.total });
  const [dataset, ...top] = await Promise.all([
    datasetPreview(store, state.dataset),
    ...lb.rows
      .slice(0, 3)
      .map((row) => getJson<TrialResult>(store, keys.result(reportSweep.sweep_id, row.trial_id))),
  ]);
  const full = new Map<string, TrialResult>();
  for (const r of top) if (r) full.set(r.trial_id, r);
  const results = slimResults.map((r) => full.get(r.trial_id) ?? r);
  return renderReport({
    sweep: reportSweep,
    results,
    expectedTrials: state.total,
    ...(dataset ? { dataset } : {}),
    weightsHref: (r) => (r.weights_key ? `trials/${r.trial_id}/weights.safetensors` : undefined),
  });
}

/** Renders the report of a sweep as of now (undefined if there is no such sweep); `known`: its state, read already. */
export async function renderSweepReportNow(
  store: BlobStore,
  sweepId: string,
  known?: SweepState,
): Promise<{ html: string; results: number; total: number; finished: boolean } | undefined> {
  const state = known ?? (await readState(store, sweepId));
  if (!state) return undefined;
  const { sweep } = await loadSweep(store, sweepId);
  const agg = await getJson<Aggregate>(store, keys.aggregate(sweepId));
  const results = Object.values(agg?.results ?? {});
  const html = await renderSweepHtml(store, reportSweepOf(sweepId, sweep, state), results, state);
  return { html, results: results.length, total: state.total, finished: state.finished };
}
