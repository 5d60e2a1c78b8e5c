/**
 * Waiting for a sweep run by local function instances: polls the sweep's status in the store, reports
 * progress, and returns once the sweep is finished AND every queue is drained (so the aggregator's last
 * leaderboard and report are written). Fails fast when the submission was dead-lettered, or when nothing
 * is left to do but the sweep is not finished (stalled).
 */
import { readSweepStatus, type SweepStatus } from '../../core/app/status.ts';
import type { BlobStore, MessageQueue } from '../../core/ports.ts';
import { isBetter, metricValue } from '../../core/sweep/index.ts';
import type { MetricSpec } from '../../core/sweep/types.ts';
import { TrialState } from '../../core/trial-state.ts';

export interface SweepProgress {
  total: number;
  /** Terminal trials (any state). */
  done: number;
  running: number;
  /** Failed + diverged. */
  failed: number;
  best?: { metric: string; value: number; trial_id: string };
  elapsedMs: number;
}

export function progressOf(
  status: SweepStatus,
  metric: MetricSpec | undefined,
  elapsedMs: number,
): SweepProgress {
  const c = status.counts;
  const done = c.completed + c.pruned + c.diverged + c.failed + c.skipped;
  let best: SweepProgress['best'];
  if (metric) {
    for (const r of status.results) {
      if (r.state !== TrialState.Completed && r.state !== TrialState.Pruned) continue;
      const v = metricValue(r, metric);
      if (v !== undefined && (!best || isBetter(v, best.value, metric.goal))) {
        best = { metric: metric.name, value: v, trial_id: r.trial_id };
      }
    }
  }
  return {
    total: status.state.total,
    done,
    running: c.running,
    failed: c.failed + c.diverged,
    ...(best ? { best } : {}),
    elapsedMs,
  };
}

/** True when no queue holds a visible or in-flight message. */
export async function queuesDrained(queues: readonly MessageQueue[]): Promise<boolean> {
  for (const q of queues) {
    const d = await q.depth();
    if (d.visible + d.inFlight > 0) return false;
  }
  return true;
}

export class SweepStalledError extends Error {
  override readonly name = 'SweepStalledError';
}

export interface WaitOptions {
  /** All queues the functions consume (for the drained check). */
  queues: readonly MessageQueue[];
  /** The submissions DLQ: a message there means the dispatcher gave up on the sweep. */
  submissionsDlq?: MessageQueue;
  /** Extra "still working" signal (e.g. pollers mid-invocation). */
  busy?: () => boolean;
  metric?: MetricSpec;
  /** Trials being trained right now, when the runner knows better than the store (busy workers). */
  running?: () => number | Promise<number>;
  onProgress?: (p: SweepProgress) => void;
  intervalMs?: number;
  /** Consecutive drained-but-unfinished checks before giving up. */
  stallChecks?: number;
  signal?: AbortSignal;
  startedAt?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function waitForSweep(store: BlobStore, sweepId: string, o: WaitOptions): Promise<SweepStatus> {
  const t0 = o.startedAt ?? Date.now();
  const interval = o.intervalMs ?? 500;
  const stallChecks = o.stallChecks ?? 10;
  let idleUnfinished = 0;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    const status = await readSweepStatus(store, sweepId);
    if (status && o.onProgress) {
      const p = progressOf(status, o.metric, Date.now() - t0);
      const active = o.running ? await o.running() : 0; // busy workers, when the runner knows
      o.onProgress({ ...p, running: o.running ? Math.min(p.total - p.done, active) : p.running });
    }
    const drained = !(o.busy?.() ?? false) && (await queuesDrained(o.queues));
    if (status?.finished && drained) return status;
    if (o.submissionsDlq) {
      const d = await o.submissionsDlq.depth();
      if (d.visible + d.inFlight > 0) {
        throw new SweepStalledError(
          `the dispatcher gave up on sweep ${sweepId} (its submission is in the dead-letter queue); see the dispatcher log`,
        );
      }
    }
    idleUnfinished = drained && !status?.finished ? idleUnfinished + 1 : 0;
    if (idleUnfinished >= stallChecks) {
      throw new SweepStalledError(
        status
          ? `sweep ${sweepId} is not finished but no queue holds work for it (${JSON.stringify(status.counts)})`
          : `sweep ${sweepId} was never dispatched`,
      );
    }
    await sleep(interval, o.signal);
  }
}
