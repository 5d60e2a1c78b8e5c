/**
 * What the dashboard shows, read from the store through conditional gets: an object is read again only
 * when its ETag changed (BlobStore.getIfChanged), so polling a sweep that did not change costs a few
 * not-modified answers (one stat each on files, a 304 on S3), plus one listing of its trials while it runs.
 */
import type { Aggregate } from '../app/aggregator.ts';
import { reportSweepOf } from '../app/report.ts';
import { activeTrials, stateCounts } from '../app/status.ts';
import { loadSweep, type SweepState } from '../app/sweep-record.ts';
import type { LiveProgress } from '../app/worker.ts';
import { keys } from '../layout.ts';
import { type BlobStore, NOT_MODIFIED } from '../ports.ts';
import type { Leaderboard, ReportSweep } from '../report/index.ts';
import type { TrialResult } from '../result.ts';
import { TrialState } from '../trial-state.ts';

const dec = new TextDecoder();

/** JSON objects of one store, each kept with its ETag and read again only when that changed. */
export class StoreReader {
  private readonly cache = new Map<string, { etag: string; value: unknown }>();
  /** Whole-object reads so far (conditional reads that came back not modified are not counted). */
  reads = 0;
  constructor(readonly store: BlobStore) {}

  async json<T>(key: string): Promise<{ value: T; etag: string } | undefined> {
    const hit = this.cache.get(key);
    const got = hit ? await this.store.getIfChanged(key, hit.etag) : await this.store.get(key);
    if (got === NOT_MODIFIED) return hit as { value: T; etag: string };
    if (!got) {
      this.cache.delete(key);
      return undefined;
    }
    this.reads++;
    const entry = { value: JSON.parse(dec.decode(got.body)) as T, etag: got.etag };
    this.cache.set(key, entry);
    return entry;
  }
}

export interface SweepSnapshot {
  sweep_id: string;
  state: SweepState;
  report: ReportSweep;
  method: string;
  /** Terminal results (the aggregate's, without images), then running trials as results in state `running`. */
  results: TrialResult[];
  counts: Record<TrialState, number>;
  /** Changes whenever anything read for it changed (the ETags and the running trials). */
  version: string;
}

/** A running trial's epochs so far as a result in state `running` (the leaderboard and curves show it). */
function runningResult(sweepId: string, index: number, config: TrialResult['config'], live: LiveProgress) {
  const wall = live.history.reduce((s, e) => s + e.wall_s, 0);
  const samples = live.history.reduce((s, e) => s + e.samples_per_s * e.wall_s, 0);
  const r: TrialResult = {
    sweep_id: sweepId,
    trial_id: live.trial_id,
    index,
    config,
    state: TrialState.Running,
    epochs_run: live.history.length,
    history: live.history,
    wall_s: wall,
    samples_per_s: wall > 0 ? samples / wall : 0,
    billed_ms: 0,
    memory_mb: 0,
    cost_usd: 0,
    invocations: 0,
    started_at: live.started_at,
    finished_at: live.updated_at,
  };
  return r;
}

/** The sweep as of now, or undefined when it is not in the store. */
export async function readSweep(reader: StoreReader, sweepId: string): Promise<SweepSnapshot | undefined> {
  const state = await reader.json<SweepState>(keys.sweepState(sweepId));
  if (!state) return undefined;
  const [loaded, agg] = await Promise.all([
    loadSweep(reader.store, sweepId),
    reader.json<Aggregate>(keys.aggregate(sweepId)),
  ]);
  const results = Object.values(agg?.value.results ?? {});
  const done = new Set(results.map((r) => r.trial_id));
  const prefix = keys.trials(sweepId);
  const active = state.value.finished
    ? new Set<string>()
    : activeTrials(await reader.store.list(prefix), prefix, done);
  const versions = [state.etag, agg?.etag ?? '-'];
  const running: TrialResult[] = [];
  const lives = await Promise.all([...active].map((t) => reader.json<LiveProgress>(keys.live(sweepId, t))));
  [...active].forEach((t, i) => {
    const live = lives[i];
    versions.push(`${t}:${live?.etag ?? '-'}`);
    const spec = loaded.trials.find((x) => x.trial_id === t);
    if (live && spec) running.push(runningResult(sweepId, spec.index, spec.config, live.value));
  });
  return {
    sweep_id: sweepId,
    state: state.value,
    report: reportSweepOf(sweepId, loaded.sweep, state.value),
    method: loaded.sweep.method,
    results: [...results, ...running],
    counts: stateCounts(state.value, results, active),
    version: versions.join(' '),
  };
}

export interface SweepListItem {
  sweep_id: string;
  name: string;
  method: string;
  total: number;
  finished: boolean;
  by_state: Partial<Record<TrialState, number>>;
  best?: { trial_id: string; metric: string; value: number };
  cost_usd: number;
  submitted_at: string;
  finished_at?: string;
}

const STATE_KEY = /^sweeps\/([^/]+)\/state\.json$/;

/** Every sweep in the store, newest first, with what the sweeps page shows; `version` changes with any. */
export async function listSweeps(reader: StoreReader): Promise<{ sweeps: SweepListItem[]; version: string }> {
  const ids = (await reader.store.list('sweeps/')).flatMap((k) => STATE_KEY.exec(k)?.[1] ?? []);
  const versions: string[] = [];
  const items = await Promise.all(
    ids.map(async (id): Promise<SweepListItem | undefined> => {
      const [state, lb] = await Promise.all([
        reader.json<SweepState>(keys.sweepState(id)),
        reader.json<Leaderboard>(keys.leaderboard(id, 'json')),
      ]);
      if (!state) return undefined;
      versions.push(`${id}:${state.etag}:${lb?.etag ?? '-'}`);
      const s = state.value;
      const { sweep } = await loadSweep(reader.store, id);
      const best = lb?.value.best;
      return {
        sweep_id: id,
        name: s.name,
        method: sweep.method,
        total: s.total,
        finished: s.finished,
        by_state: s.totals.by_state,
        ...(best && best.metric !== null
          ? { best: { trial_id: best.trial_id, metric: sweep.metric.name, value: best.metric } }
          : {}),
        cost_usd: s.totals.cost_usd,
        submitted_at: s.submitted_at,
        ...(s.finished_at ? { finished_at: s.finished_at } : {}),
      };
    }),
  );
  const sweeps = items
    .filter((x): x is SweepListItem => x !== undefined)
    .sort((a, b) => (a.submitted_at < b.submitted_at ? 1 : a.submitted_at > b.submitted_at ? -1 : 0));
  return { sweeps, version: versions.sort().join(' ') };
}

export interface AttemptError {
  at: string;
  error: string;
  message: string;
  worker?: string;
}

export interface TrialSnapshot {
  sweep_id: string;
  sweep_name: string;
  trial_id: string;
  index: number;
  config: TrialResult['config'];
  /** The terminal result (whole, with its images), once there is one. */
  result?: TrialResult;
  /** The epochs so far while it runs. */
  live?: LiveProgress;
  progress?: { invocations: number; billed_ms: number; started_at: string };
  errors: AttemptError[];
  /** Image size of the sweep's data set (for the digits). */
  rows?: number;
  cols?: number;
  version: string;
}

/** One trial as of now; undefined when the sweep is not in the store or does not have this trial. */
export async function readTrial(
  reader: StoreReader,
  sweepId: string,
  trialId: string,
): Promise<TrialSnapshot | undefined> {
  const resultKey = keys.result(sweepId, trialId); // validates both ids before any read
  const state = await reader.json<SweepState>(keys.sweepState(sweepId));
  if (!state) return undefined;
  const loaded = await loadSweep(reader.store, sweepId);
  const spec = loaded.trials.find((t) => t.trial_id === trialId);
  if (!spec) return undefined;
  const { name, version } = state.value.dataset;
  const [result, live, progress, manifest, errorKeys] = await Promise.all([
    reader.json<TrialResult>(resultKey),
    reader.json<LiveProgress>(keys.live(sweepId, trialId)),
    reader.json<TrialSnapshot['progress']>(keys.progress(sweepId, trialId)),
    reader.json<{ rows: number; cols: number }>(keys.manifest(name, version)),
    reader.store.list(keys.errors(sweepId, trialId)),
  ]);
  const errors = await Promise.all(
    errorKeys.map(async (k) => ({ k, e: await reader.json<Omit<AttemptError, 'at'>>(k) })),
  );
  const prefix = keys.errors(sweepId, trialId);
  return {
    sweep_id: sweepId,
    sweep_name: state.value.name,
    trial_id: trialId,
    index: spec.index,
    config: spec.config,
    ...(result ? { result: result.value } : {}),
    ...(live ? { live: live.value } : {}),
    ...(progress ? { progress: progress.value } : {}),
    errors: errors.flatMap(({ k, e }) =>
      e ? [{ at: k.slice(prefix.length, prefix.length + 24), ...e.value }] : [],
    ),
    ...(manifest ? { rows: manifest.value.rows, cols: manifest.value.cols } : {}),
    version: [state.etag, result?.etag, live?.etag, progress?.etag, ...errorKeys].join(' '),
  };
}
