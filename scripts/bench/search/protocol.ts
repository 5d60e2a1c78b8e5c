/**
 * The protocol of ../shared/hpo-tables/README.md, replayed against a table:
 *  - each evaluation draws one repetition r uniformly from the search's own seeded generator, in the order
 *    trials are started, and returns that repetition's metric and runtime;
 *  - the incumbent after n reported trials is the best observed value (ties: the earliest reported);
 *    regret(n) = |truth(incumbent) − optimum|;
 *  - 1 worker: start, evaluate, report; W workers: W trials started one after another at clock 0 (each sees
 *    the earlier ones running), then repeatedly the trial that finishes first (ties: started first) is
 *    reported and, while fewer than `trials` were started, a new one starts at its finish time.
 * The sampler is asked exactly as the aggregator asks it: `suggest(k, observations)` with every reported
 * trial (complete) and every trial in flight (running).
 */
import { type Observation, Rng, type Sampler, suggestionSeed } from '../../../core/sweep/samplers/index.ts';
import type { Table, TableTrial } from './table.ts';

export interface SearchRun {
  /** regret[n − 1]: regret after n reported trials. */
  regret: number[];
  /** Reported trials in report order: the repetition drawn for each and the clock at its report. */
  reported: { trial_id: string; started: number; repetition: number; value: number; clock: number }[];
  /** Milliseconds each suggestion took, with the number of observations it was given. */
  suggestions: { ms: number; observations: number }[];
}

interface Running {
  trial: TableTrial;
  order: number;
  finish: number;
  repetition: number;
  value: number;
}

export function runSearch(
  table: Table,
  sampler: Sampler<TableTrial>,
  opts: { seed: number; trials: number; workers: number },
): SearchRun {
  const noise = new Rng(suggestionSeed(opts.seed, 0, 'noise'));
  const done: Observation[] = [];
  const running: Running[] = [];
  const suggestions: SearchRun['suggestions'] = [];
  const regret: number[] = [];
  const reported: SearchRun['reported'] = [];
  let started = 0;
  let clock = 0;
  let best: { value: number; truth: number } | undefined;
  const better = (a: number, b: number) => (table.goal === 'maximize' ? a > b : a < b);

  const start = (): boolean => {
    const observations = [
      ...done,
      ...running.map(
        (r): Observation => ({ trial_id: r.trial.trial_id, params: r.trial.params, state: 'running' }),
      ),
    ];
    const t0 = performance.now();
    const trial = sampler.suggest(started, observations);
    suggestions.push({ ms: performance.now() - t0, observations: observations.length });
    if (!trial) return false;
    const row = table.rows.get(trial.trial_id)!;
    const r = Math.floor(noise.uniform() * row.values.length);
    running.push({
      trial,
      order: started++,
      finish: clock + row.times[r]!,
      repetition: r,
      value: row.values[r]!,
    });
    return true;
  };

  const report = (r: Running) => {
    done.push({ trial_id: r.trial.trial_id, params: r.trial.params, state: 'complete', values: [r.value] });
    if (!best || better(r.value, best.value))
      best = { value: r.value, truth: table.rows.get(r.trial.trial_id)!.truth };
    regret.push(Math.abs(best.truth - table.optimum));
    reported.push({
      trial_id: r.trial.trial_id,
      started: r.order,
      repetition: r.repetition,
      value: r.value,
      clock,
    });
  };

  while (started < Math.min(opts.workers, opts.trials) && start()) {}
  while (running.length > 0) {
    let next = 0;
    for (let i = 1; i < running.length; i++) {
      const a = running[i]!;
      const b = running[next]!;
      if (a.finish < b.finish || (a.finish === b.finish && a.order < b.order)) next = i;
    }
    const r = running.splice(next, 1)[0]!;
    clock = Math.max(clock, r.finish);
    report(r);
    if (started < opts.trials) start();
  }
  return { regret, reported, suggestions };
}

/** numpy's median (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
