/**
 * The observation rules (samplers/types.ts) as a split into TPE's good ("below") and bad ("above") groups.
 *
 * One objective: the model is fitted at one level — the final result if at least `minLevel` trials
 * completed, else the highest rung epoch at least `minLevel` trials reached (complete trials included, by
 * their value at that epoch), else the level most trials reached. Trials with a value there are ranked
 * (best first; ties by trial id); the good group is the first γ(n) of them, n = the number of trials that
 * are evidence (complete, pruned, diverged). Everything else is bad: the rest of the ranked, trials that
 * never reached the level (pruned earlier: they lost a rung), diverged ones (the worst value seen), and
 * running ones (constant liar). Failed trials are left out.
 *
 * With `smooth` (one objective), the ranks are first replaced by smoothed ranks (denoise.ts) and the good
 * group is the best γ(n) of those.
 *
 * Several objectives (MOTPE): complete trials with every value finite are ranked by non-domination rank;
 * the good group takes whole ranks while they fit, then the rest of it from the next rank by greedy
 * hypervolume subset selection; pruned, diverged and running trials are bad.
 */
import type { Objective, Observation } from '../types.ts';
import { nonDominatedRanks, referencePoint, selectByHypervolume } from './pareto.ts';

export interface Split {
  below: Observation[];
  above: Observation[];
  /** Trials that are evidence (complete, pruned, diverged). */
  evidence: number;
}

/** Optuna's γ: the good group's size for n observations (single objective capped at 25). */
export function goodCount(n: number, objectives: number): number {
  const g = Math.ceil(0.1 * n);
  return objectives > 1 ? g : Math.min(g, 25);
}

const FINAL = Number.POSITIVE_INFINITY;

function valueAt(o: Observation, level: number): number | undefined {
  if (level === FINAL) {
    const v = o.state === 'complete' ? o.values?.[0] : undefined;
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  }
  if (o.state !== 'complete' && o.state !== 'pruned') return undefined;
  const v = o.rungs?.find((r) => r.epoch === level)?.value;
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** The level the model is fitted at (FINAL or a rung epoch), or undefined when nothing has a value. */
function chooseLevel(evidence: readonly Observation[], minLevel: number): number | undefined {
  const levels = new Set<number>([FINAL]);
  for (const o of evidence) for (const r of o.rungs ?? []) levels.add(r.epoch);
  const byHeight = [...levels].sort((a, b) => b - a);
  const counts = byHeight.map((l) => evidence.filter((o) => valueAt(o, l) !== undefined).length);
  const enough = byHeight.findIndex((_, i) => counts[i]! >= minLevel);
  if (enough >= 0) return byHeight[enough];
  const most = Math.max(...counts);
  return most > 0 ? byHeight[counts.indexOf(most)] : undefined;
}

/** Smoothed ranks of trials (sorted by id) from their ranks (0 = best; ties share their mean rank). */
export type RankSmoother = (trials: readonly Observation[], ranks: readonly number[]) => number[];

/** Each trial's rank in `ranked` (best first, 0-based); equal values share their mean rank. */
function meanRanks(ranked: readonly Observation[], level: number): Map<Observation, number> {
  const rank = new Map<Observation, number>();
  for (let i = 0; i < ranked.length; ) {
    let j = i;
    while (j + 1 < ranked.length && valueAt(ranked[j + 1]!, level) === valueAt(ranked[i]!, level)) j++;
    for (let x = i; x <= j; x++) rank.set(ranked[x]!, (i + j) / 2);
    i = j + 1;
  }
  return rank;
}

function splitSingle(
  evidence: Observation[],
  goal: Objective['goal'],
  minLevel: number,
  smooth?: RankSmoother,
) {
  const level = chooseLevel(evidence, minLevel);
  if (level === undefined) return { below: [], rest: evidence };
  const sign = goal === 'maximize' ? -1 : 1;
  let ranked = evidence
    .filter((o) => valueAt(o, level) !== undefined)
    .sort((a, b) => sign * (valueAt(a, level)! - valueAt(b, level)!)); // stable: ties keep id order
  if (smooth) {
    // on ranks, so that any monotone transform of the metric gives the same split, as plain TPE
    const rank = meanRanks(ranked, level);
    const byId = [...ranked].sort((a, b) => (a.trial_id < b.trial_id ? -1 : 1));
    const smoothed = smooth(
      byId,
      byId.map((o) => rank.get(o)!),
    );
    const at = new Map(byId.map((o, i) => [o, smoothed[i]!]));
    ranked = byId.sort((a, b) => at.get(a)! - at.get(b)!);
  }
  const n = Math.min(goodCount(evidence.length, 1), ranked.length);
  const below = ranked.slice(0, n);
  const good = new Set(below);
  return { below, rest: evidence.filter((o) => !good.has(o)) };
}

function splitMulti(evidence: Observation[], objectives: readonly Objective[]) {
  const finite = evidence.filter(
    (o) =>
      o.state === 'complete' &&
      o.values?.length === objectives.length &&
      o.values.every((v) => Number.isFinite(v)),
  );
  const losses = finite.map((o) =>
    objectives.map((ob, i) => (ob.goal === 'maximize' ? -1 : 1) * o.values![i]!),
  );
  const ranks = nonDominatedRanks(losses);
  const size = Math.min(goodCount(evidence.length, objectives.length), finite.length);
  const good = new Set<number>();
  for (let r = 0; good.size < size; r++) {
    const inRank = finite.map((_, i) => i).filter((i) => ranks[i] === r);
    if (good.size + inRank.length <= size) {
      for (const i of inRank) good.add(i);
      continue;
    }
    const pts = inRank.map((i) => losses[i]!);
    for (const j of selectByHypervolume(pts, size - good.size, referencePoint(pts))) good.add(inRank[j]!);
  }
  const below = finite.filter((_, i) => good.has(i));
  const chosen = new Set(below);
  return { below, rest: evidence.filter((o) => !chosen.has(o)) };
}

/** `observations` sorted by trial id. */
export function splitObservations(
  observations: readonly Observation[],
  objectives: readonly Objective[],
  minLevel: number,
  smooth?: RankSmoother,
): Split {
  const evidence = observations.filter(
    (o) => o.state === 'complete' || o.state === 'pruned' || o.state === 'diverged',
  );
  const running = observations.filter((o) => o.state === 'running');
  const { below, rest } =
    objectives.length > 1
      ? splitMulti(evidence, objectives)
      : splitSingle(evidence, objectives[0]?.goal ?? 'minimize', minLevel, smooth);
  return { below, above: [...rest, ...running], evidence: evidence.length };
}
