/**
 * worker: one trial message ⇒ one terminal result (or a checkpoint and a continuation message).
 *
 * Exactly-once outcome on an at-least-once queue:
 * - result.json is created once (If-None-Match: *); a redelivery that finds it just re-announces it;
 * - training state is checkpointed after every epoch once CHECKPOINT_INTERVAL_MS of training has passed
 *   since the last one, so a killed or timed-out invocation resumes from its last checkpoint,
 *   bit-identically;
 * - when the next epoch would not fit in the time left, the worker checkpoints, sends a continuation
 *   message and ends cleanly; trials of any length complete across invocations;
 * - an exception is recorded under `errors/` and rethrown: the queue retries, and after maxReceiveCount
 *   the message lands in the DLQ, whose handler (the aggregator) records the trial as `failed`.
 */
import { testRow } from '../data/tabular/decode.ts';
import type { LoadedDataset } from '../dataset.ts';
import { keys } from '../layout.ts';
import { MAX_EMBEDDED_RESULT_CHARS, type ResultMessage, type TrialMessage } from '../messages.ts';
import {
  createTrainer,
  estimateTrainingBytes,
  flopsPerEpoch,
  mismatch,
  resumeTrainer,
  type Trainer,
  trainingSet,
} from '../nn/index.ts';
import {
  type AnyTestMetrics,
  type EpochMetrics,
  isRegressionTest,
  slimResult,
  type TrialResult,
} from '../result.ts';
import { checkBudget, createPruner, metricValue, pruneMetric, trialCostUsd } from '../sweep/index.ts';
import { TrialState } from '../trial-state.ts';
import type { AppDeps, InvocationContext } from './deps.ts';
import { createJson, getJson, putJson } from './json.ts';
import { loadSweep, readState } from './sweep-record.ts';

/** Time kept in reserve at the end of an invocation for the checkpoint write and the continuation send. */
export const SAFETY_MS = 5_000;
/**
 * Training time between checkpoints. Epochs at least this long are checkpointed every epoch; short trials
 * are not slowed by a state upload per epoch. A killed invocation loses at most this much training (the
 * redelivered message resumes from the last checkpoint, bit-identically), and an invocation about to run
 * out of time always checkpoints before it hands over to a continuation.
 */
export const CHECKPOINT_INTERVAL_MS = 30_000;
/**
 * Least time between two writes of live.json (the epochs so far, for `sweep dashboard`): one small put
 * after an epoch, none after the last (result.json follows), at most one a second however short the epochs.
 */
export const LIVE_INTERVAL_MS = 1_000;
/** Conservative throughput for the first epoch's estimate, multiply-adds per second on one vCPU. */
const ASSUMED_FLOPS_PER_S = 1.5e9;

interface Progress {
  invocations: number;
  billed_ms: number;
  started_at: string;
}

/** `live.json`: what a running trial has done so far (core/app/live.ts reads it). */
export interface LiveProgress {
  trial_id: string;
  started_at: string;
  updated_at: string;
  history: EpochMetrics[];
}

export type TrialOutcome = { outcome: TrialState | 'continued'; trial_id: string };

export class TrialInputError extends Error {
  override readonly name = 'TrialInputError';
}

export async function runTrial(
  msg: TrialMessage,
  deps: AppDeps,
  ctx: InvocationContext,
): Promise<TrialOutcome> {
  const t0 = deps.now();
  const { sweep_id: sweepId, trial_id: trialId } = msg;
  const resultKey = keys.result(sweepId, trialId); // throws on an invalid id before anything is read
  // The trial's inputs are read while we look for an existing result (one round trip instead of two).
  const inputs = readInputs(msg, deps);
  inputs.catch(() => {}); // a failed read is handled where it is awaited (below), or not needed at all
  const existing = await getJson<TrialResult>(deps.store, resultKey);
  if (existing) {
    // A redelivery after the result was written: make sure the aggregator knows.
    await announce(msg, deps, existing);
    return { outcome: existing.state, trial_id: trialId };
  }
  try {
    return await train(msg, deps, ctx, t0, await inputs);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // Time first (records sort by it), then a unique suffix: two attempts in the same millisecond keep both.
    const recordKey = `${keys.errors(sweepId, trialId)}${new Date(deps.now()).toISOString()}-${globalThis.crypto.randomUUID()}.json`;
    await putJson(deps.store, recordKey, {
      error: err.name,
      message: err.message,
      worker: deps.workerId,
      continuation: msg.continuation,
    });
    deps.log.error('trial attempt failed', { sweep_id: sweepId, trial_id: trialId, error: err.message });
    throw err;
  }
}

/**
 * Everything an invocation may need from the store, read at once (the state only matters to a trial's
 * first invocation and the checkpoint only to later ones, but a request in parallel costs no time).
 */
function readInputs(msg: TrialMessage, deps: AppDeps) {
  const { sweep_id: sweepId, trial_id: trialId } = msg;
  // Keys first: a key that throws must do so before any read is under way (or its rejection is orphaned).
  const progressKey = keys.progress(sweepId, trialId);
  const checkpointKey = keys.checkpoint(sweepId, trialId);
  return Promise.all([
    loadSweep(deps.store, sweepId),
    getJson<Progress>(deps.store, progressKey),
    readState(deps.store, sweepId),
    deps.store.get(checkpointKey),
  ]);
}

async function train(
  msg: TrialMessage,
  deps: AppDeps,
  ctx: InvocationContext,
  t0: number,
  [{ sweep }, stored, state, checkpoint]: Awaited<ReturnType<typeof readInputs>>,
): Promise<TrialOutcome> {
  const { sweep_id: sweepId, trial_id: trialId, config } = msg;
  const progress: Progress = stored ?? {
    invocations: 0,
    billed_ms: 0,
    started_at: new Date(t0).toISOString(),
  };
  const base = { msg, deps, progress, t0 };

  // Budgets are checked before a trial starts (not before its continuations).
  if (progress.invocations === 0) {
    const t = state?.totals;
    const spent = { cost_usd: t?.cost_usd ?? 0, ran: (t?.terminal ?? 0) - (t?.by_state.skipped ?? 0) };
    const budget = checkBudget(sweep, spent, state?.started_ms ?? t0, deps.now());
    if (!budget.ok) return finish(base, { state: TrialState.Skipped, reason: budget.reason });
  }

  const data = await deps.datasets.load(
    msg.dataset,
    config.train_shards !== undefined ? { trainShards: config.train_shards } : {},
  );
  const shapeProblem = mismatch(config, trainingSet(data));
  if (shapeProblem) throw new TrialInputError(shapeProblem);
  const input = data.kind === 'table' ? 'dense' : 'pixels';
  const needBytes =
    estimateTrainingBytes(config, data.train.count, data.test.count, input) + datasetBytes(data);
  const haveBytes = deps.memoryMb * 1024 * 1024 * 0.85;
  if (needBytes > haveBytes) {
    return finish(base, {
      state: TrialState.Failed,
      reason: `needs about ${Math.ceil(needBytes / 2 ** 20)} MB but the worker has ${deps.memoryMb} MB (85% usable); refused before training`,
    });
  }

  const trainer: Trainer = checkpoint
    ? resumeTrainer(config, data, checkpoint.body)
    : createTrainer(config, data);
  const pruner = createPruner(sweep, sweepId, deps.store);
  let epochMs = (flopsPerEpoch(config, data.train.count) / ASSUMED_FLOPS_PER_S) * 1000;
  let epochsHere = 0;
  let pruned = false;
  let lastCheckpoint = deps.now();
  let lastLive = Number.NEGATIVE_INFINITY;

  while (trainer.status === 'running') {
    if (epochsHere > 0 && ctx.remainingMs() < epochMs * 1.25 + SAFETY_MS) {
      await saveCheckpoint(base, trainer);
      const next: TrialMessage = { ...msg, continuation: msg.continuation + 1 };
      await deps.trials.send([JSON.stringify(next)]);
      deps.log.info('trial continues in a new invocation', {
        sweep_id: sweepId,
        trial_id: trialId,
        epochs_done: trainer.epochsDone,
        continuation: next.continuation,
      });
      return { outcome: 'continued', trial_id: trialId };
    }
    const started = deps.now();
    const m = trainer.runEpoch();
    epochMs = Math.max(1, deps.now() - started);
    epochsHere++;
    if (trainer.status !== 'running') break;
    const value = metricValue(m, pruneMetric(sweep));
    if (value !== undefined && (await pruner.decide({ trialId, epoch: m.epoch, value })) === 'prune') {
      pruned = true;
      break;
    }
    if (deps.now() - lastLive >= LIVE_INTERVAL_MS) {
      lastLive = deps.now();
      const live: LiveProgress = {
        trial_id: trialId,
        started_at: progress.started_at,
        updated_at: new Date(lastLive).toISOString(),
        history: [...trainer.history],
      };
      await putJson(deps.store, keys.live(sweepId, trialId), live);
    }
    if (deps.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
      await saveCheckpoint(base, trainer);
      lastCheckpoint = deps.now();
    }
  }

  if (trainer.status === 'diverged') {
    return finish(
      base,
      { state: TrialState.Diverged, reason: trainer.divergedReason ?? 'loss diverged' },
      trainer,
    );
  }
  if (pruned) {
    const last = trainer.history.at(-1);
    return finish(
      base,
      {
        state: TrialState.Pruned,
        reason: `stopped by ${sweep.early_terminate?.type ?? 'pruner'} at epoch ${last?.epoch}`,
      },
      trainer,
    );
  }
  return finish({ ...base, data }, { state: TrialState.Completed }, trainer, true);
}

interface Base {
  msg: TrialMessage;
  deps: AppDeps;
  progress: Progress;
  t0: number;
  /** The data set trained on (a table's test rows are described in the result). */
  data?: LoadedDataset;
}

async function saveCheckpoint(b: Base, trainer: Trainer): Promise<void> {
  const { sweep_id: s, trial_id: t } = b.msg;
  await b.deps.store.put(keys.checkpoint(s, t), trainer.serialize(), {
    contentType: 'application/octet-stream',
    tags: { kind: 'checkpoint' },
  });
  const p: Progress = {
    ...b.progress,
    invocations: b.progress.invocations + 1,
    billed_ms: b.progress.billed_ms + Math.ceil(b.deps.now() - b.t0),
  };
  // Computed from the invocation's starting record each time, so saves within one invocation count it once.
  await putJson(b.deps.store, keys.progress(s, t), p);
}

async function finish(
  b: Base,
  outcome: { state: TrialState; reason?: string },
  trainer?: Trainer,
  evaluate = false,
): Promise<TrialOutcome> {
  const { msg, deps } = b;
  const { sweep } = await loadSweep(deps.store, msg.sweep_id);
  const invocations = b.progress.invocations + 1;
  const history = trainer ? [...trainer.history] : [];
  const last = history.at(-1);
  // The weights upload runs while the test set is evaluated (the evaluation pauses every few batches so
  // the upload's I/O goes on); the result is written only after both, so it never names missing weights.
  let weightsKey: string | undefined;
  let upload: Promise<unknown> | undefined;
  if (trainer && outcome.state !== TrialState.Diverged) {
    weightsKey = keys.weights(msg.sweep_id, msg.trial_id);
    upload = deps.store.put(weightsKey, trainer.safetensors(), { contentType: 'application/octet-stream' });
    upload.catch(() => {}); // awaited below; this only keeps a failure during the evaluation handled
  }
  const evalStart = deps.now();
  const evaluated = trainer && evaluate ? await trainer.evaluateTestAsync(16, yieldToIo) : undefined;
  const test = evaluated && b.data ? describeRows(evaluated, b.data) : evaluated;
  const evalS = test ? (deps.now() - evalStart) / 1000 : undefined;
  await upload;
  // Billed time runs to the result write: it includes the test evaluation and the weights upload.
  const billedMs = b.progress.billed_ms + Math.ceil(deps.now() - b.t0);
  const wall = history.reduce((s, e) => s + e.wall_s, 0);
  const samples = history.reduce((s, e) => s + e.samples_per_s * e.wall_s, 0);
  const result: TrialResult = {
    sweep_id: msg.sweep_id,
    trial_id: msg.trial_id,
    index: msg.index,
    config: msg.config,
    state: outcome.state,
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    epochs_run: history.length,
    history,
    ...(test ? { test, ...testHeadline(test) } : {}),
    ...(last ? lastEpochHeadline(last) : {}),
    wall_s: wall,
    ...(evalS !== undefined ? { eval_s: evalS } : {}),
    samples_per_s: wall > 0 ? samples / wall : 0,
    billed_ms: billedMs,
    memory_mb: deps.memoryMb,
    cost_usd: trialCostUsd({
      billedMs,
      memoryMb: deps.memoryMb,
      arch: deps.arch,
      invocations,
      ...(sweep.price ? { prices: sweep.price } : {}),
    }),
    invocations,
    ...(weightsKey ? { weights_key: weightsKey } : {}),
    started_at: b.progress.started_at,
    finished_at: new Date(deps.now()).toISOString(),
    worker: deps.workerId,
  };
  const created = await createJson(deps.store, keys.result(msg.sweep_id, msg.trial_id), result);
  if (created) {
    deps.metrics?.record('TrialDuration', wall, 'Seconds');
    deps.metrics?.record('SamplesPerSecond', result.samples_per_s, 'Count/Second');
    deps.metrics?.record('TrialCost', result.cost_usd, 'None');
    deps.metrics?.record('TrialsFinished', 1, 'Count');
  }
  deps.log.info('trial finished', {
    sweep_id: msg.sweep_id,
    trial_id: msg.trial_id,
    state: result.state,
    reason: result.reason,
    val_accuracy: result.val_accuracy,
    duplicate: !created,
  });
  // Another attempt's result won the create: announce without a copy (the aggregator reads the stored one).
  await announce(msg, deps, created ? result : undefined);
  return { outcome: outcome.state, trial_id: msg.trial_id };
}

/** One turn of the event loop (I/O callbacks run), then back. */
const yieldToIo = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/** Tells the aggregator; `stored` (the result as stored) travels along when small, saving it a read. */
async function announce(msg: TrialMessage, deps: AppDeps, stored?: TrialResult): Promise<void> {
  const r: ResultMessage = { type: 'result', sweep_id: msg.sweep_id, trial_id: msg.trial_id };
  const withResult = stored ? JSON.stringify({ ...r, result: slimResult(stored) }) : undefined;
  const body = withResult && withResult.length <= MAX_EMBEDDED_RESULT_CHARS ? withResult : JSON.stringify(r);
  await deps.results.send([body]);
}

/** The result's copies of the test set's headline metrics. */
function testHeadline(t: AnyTestMetrics): Partial<TrialResult> {
  return isRegressionTest(t)
    ? { test_loss: t.loss, test_rmse: t.rmse, test_mae: t.mae, test_r2: t.r2 }
    : { test_accuracy: t.accuracy, test_loss: t.loss };
}

/** The result's copies of the last epoch's headline metrics (a regression's errors when it has them). */
function lastEpochHeadline(e: EpochMetrics): Partial<TrialResult> {
  const out: Partial<TrialResult> = {
    train_accuracy: e.train_accuracy,
    val_accuracy: e.val_accuracy,
    val_loss: e.val_loss,
  };
  if (e.val_rmse !== undefined)
    Object.assign(out, { val_rmse: e.val_rmse, val_mae: e.val_mae, val_r2: e.val_r2 });
  return out;
}

/** A table's test rows named in the metrics (mistakes, worst errors), with their values in the source's terms. */
function describeRows(t: AnyTestMetrics, d: LoadedDataset): AnyTestMetrics {
  if (d.kind !== 'table') return t;
  if (isRegressionTest(t)) return { ...t, worst: t.worst.map((w) => ({ ...w, row: testRow(d, w.index) })) };
  return { ...t, confidently_wrong: t.confidently_wrong.map((w) => ({ ...w, row: testRow(d, w.index) })) };
}

const datasetBytes = (d: LoadedDataset) =>
  d.kind === 'table'
    ? d.train.features.byteLength +
      d.train.labels.byteLength +
      d.test.features.byteLength +
      d.test.labels.byteLength
    : d.train.images.byteLength + d.test.images.byteLength;
