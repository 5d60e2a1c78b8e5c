/**
 * TPE (tree-structured Parzen estimator), rebuilt from the observations on every call. Suggestion k:
 *  1. observations sorted by trial id; split into good / bad groups (evidence.ts), on ranks smoothed over
 *     neighbouring trials (denoise.ts) so that one lucky value does not make a region good;
 *  2. fewer than `startup` evidence trials: a random draw from the parameters' own distributions;
 *  3. else l(x) = Parzen estimator of the good group, g(x) of the bad (running trials included: constant
 *     liar). Independent by default (one l and g per parameter, as hyperopt and Optuna's default TPE: every
 *     trial informs every parameter's estimate, which noisy single evaluations need); `multivariate`
 *     models the unconditional parameters jointly. A conditional parameter always has its own l and g,
 *     from the observations where it was active;
 *  4. `candidates` points drawn from l; the one with the largest log l(x) − log g(x) (summed over the
 *     estimators) that is a valid trial not yet observed is suggested (then the next best, …; more batches
 *     of candidates, then random draws);
 *  5. nothing new found: a finite space is enumerated for a trial not yet observed; none ⇒ exhausted.
 * All randomness comes from Rng(suggestionSeed(seed, k)).
 */
import { gridPoints } from '../../expand.ts';
import { Rng, suggestionSeed } from '../rng.ts';
import {
  type CompiledParam,
  drawDistinct,
  isActive,
  isInvalid,
  lookupIn,
  type Point,
  type SearchSpace,
  type Trial,
} from '../space.ts';
import type { Objective, Observation, Sampler } from '../types.ts';
import { denoiseRanks } from './denoise.ts';
import { type Dim, dimOf } from './dims.ts';
import { splitObservations } from './evidence.ts';
import { type Coord, type Mixture, parzen } from './parzen.ts';
import { farthest } from './spread.ts';

export interface TpeOptions {
  seed: number;
  /** Objectives in the order of each observation's `values` (two or more: MOTPE). */
  objectives: readonly Objective[];
  /** Random suggestions until this many trials are evidence; also the observations a rung level needs. */
  startup?: number;
  /** Candidates drawn from l(x) per batch. */
  candidates?: number;
  /** Weight of the prior kernel (each observation weighs 1). */
  priorWeight?: number;
  /** Model the unconditional parameters jointly (one multivariate estimator) instead of independently. */
  multivariate?: boolean;
  /** Split on ranks smoothed over neighbouring trials (denoise.ts) rather than on the raw values. */
  denoise?: boolean;
  /**
   * Draws per start-up suggestion: the one farthest from the trials already observed or running is
   * suggested (maximin); 1 = plain random draws.
   */
  spreadDraws?: number;
}

export const TPE_DEFAULTS = {
  startup: 10,
  candidates: 24,
  priorWeight: 1,
  multivariate: false,
  denoise: true,
  spreadDraws: 24,
} as const;
/** Batches of candidates tried before falling back to random draws. */
const BATCHES = 4;
/** A finite space up to this many points is enumerated before a sampler says it is exhausted. */
const MAX_ENUMERATED = 100_000;

interface Model {
  joint: { dims: Dim[]; l: Mixture; g: Mixture };
  /** One estimator per parameter modelled on its own (every one when independent; conditional ones). */
  single: Map<string, { dim: Dim; l: Mixture; g: Mixture }>;
}

export class TpeSampler<T extends Trial> implements Sampler<T> {
  readonly method = 'tpe';
  private readonly dims: Map<string, Dim>;
  private readonly params: Map<string, CompiledParam>;
  /** Categorical dims: the index of each choice by its value key (space.valueKey). */
  private readonly choiceIndex = new Map<string, Map<string, number>>();
  private readonly opts: Required<Omit<TpeOptions, 'objectives'>> & { objectives: readonly Objective[] };

  constructor(
    private readonly space: SearchSpace<T>,
    options: TpeOptions,
  ) {
    this.opts = { ...TPE_DEFAULTS, ...options };
    this.dims = new Map();
    this.params = new Map(space.params.map((c) => [c.key, c]));
    for (const c of space.params) {
      const d = dimOf(c);
      if (d) this.dims.set(c.key, d);
      if (d?.kind === 'categorical') {
        const index = new Map<string, number>();
        d.values.forEach((v, i) => {
          const key = space.valueKey(d.key, v);
          if (!index.has(key)) index.set(key, i); // two spellings of one value: the first
        });
        this.choiceIndex.set(d.key, index);
      }
    }
  }

  plan(): undefined {
    return undefined;
  }

  suggest(k: number, observations: readonly Observation[]): T | undefined {
    const obs = [...observations].sort((a, b) =>
      a.trial_id < b.trial_id ? -1 : a.trial_id > b.trial_id ? 1 : 0,
    );
    const taken = new Set(obs.map((o) => o.trial_id));
    const rng = new Rng(suggestionSeed(this.opts.seed, k));
    const smooth = this.opts.denoise
      ? (trials: readonly Observation[], ranks: readonly number[]) => this.denoise(trials, ranks)
      : undefined;
    const split = splitObservations(obs, this.opts.objectives, this.opts.startup, smooth);
    if (split.evidence >= this.opts.startup && split.below.length > 0) {
      const model = this.fit(split.below, split.above);
      for (let batch = 0; batch < BATCHES; batch++) {
        const t = this.bestCandidate(model, rng, taken, k);
        if (t) return t;
      }
    }
    if (split.evidence < this.opts.startup && this.opts.spreadDraws > 1)
      return this.spreadDraw(obs, rng, taken, k);
    return drawDistinct(this.space, rng, 1, taken, k).trials[0] ?? this.firstFree(taken, k);
  }

  /** A start-up draw: the farthest of `spreadDraws` prior draws from the trials seen (spread.ts). */
  private spreadDraw(
    obs: readonly Observation[],
    rng: Rng,
    taken: ReadonlySet<string>,
    k: number,
  ): T | undefined {
    const drawn = drawDistinct(this.space, rng, this.opts.spreadDraws, taken, k);
    if (drawn.trials.length === 0) return this.firstFree(taken, k);
    const dims = [...this.dims.values()];
    const at = farthest(
      dims,
      drawn.points.map((p) => this.axes(dims, p)),
      obs.map((o) => this.axes(dims, o.params)),
    );
    return drawn.trials[at];
  }

  /** Ranks smoothed over every modelled parameter's axis (denoise.ts). */
  private denoise(trials: readonly Observation[], ranks: readonly number[]): number[] {
    const dims = [...this.dims.values()];
    return denoiseRanks(
      trials.map((o) => this.axes(dims, o.params)),
      dims.map((d) => d.kind === 'categorical'),
      ranks,
    );
  }

  /** A trial's coordinate on each dim's axis; undefined where the parameter is inactive. */
  private axes(dims: readonly Dim[], params: Readonly<Point>): (number | undefined)[] {
    const get = lookupIn(params, (key) => this.space.fallback(key));
    return dims.map((d) =>
      isActive(this.params.get(d.key)!, get) ? this.coordOf(d, params[d.key]) : undefined,
    );
  }

  /** The coordinates of an observation's value on a dim (undefined: it does not inform the dim). */
  private coordOf(dim: Dim, value: unknown): number | undefined {
    if (dim.kind === 'numeric') return dim.toInternal(value);
    return this.choiceIndex.get(dim.key)?.get(this.space.valueKey(dim.key, value));
  }

  private points(dims: readonly Dim[], group: readonly Observation[]): number[][] {
    const out: number[][] = [];
    for (const o of group) {
      const p = dims.map((d) => this.coordOf(d, o.params[d.key]));
      if (p.every((x) => x !== undefined)) out.push(p as number[]);
    }
    return out;
  }

  private fit(below: readonly Observation[], above: readonly Observation[]): Model {
    const pw = this.opts.priorWeight;
    const all = [...this.dims.values()];
    const dims = this.opts.multivariate ? all.filter((d) => !d.conditional) : [];
    const joint = {
      dims,
      l: parzen(dims, this.points(dims, below), pw),
      g: parzen(dims, this.points(dims, above), pw),
    };
    const single = new Map<string, { dim: Dim; l: Mixture; g: Mixture }>();
    for (const c of this.space.params) {
      const dim = this.dims.get(c.key);
      if (!dim || (!dim.conditional && this.opts.multivariate)) continue;
      const active = (group: readonly Observation[]) =>
        group.filter((o) =>
          isActive(
            c,
            lookupIn(o.params, (key) => this.space.fallback(key)),
          ),
        );
      single.set(c.key, {
        dim,
        l: parzen([dim], this.points([dim], active(below)), pw),
        g: parzen([dim], this.points([dim], active(above)), pw),
      });
    }
    return { joint, single };
  }

  /** The value a sampled coordinate stands for, and its coordinate for scoring. */
  private snap(dim: Dim, x: number): { value: unknown; coord: Coord } {
    if (dim.kind === 'categorical') return { value: dim.values[x], coord: { x } };
    const value = dim.valueAt(x);
    if (!dim.discrete) return { value, coord: { x: dim.toInternal(value)! } };
    const [a, b] = dim.cell(value);
    return { value, coord: { x, a, b } };
  }

  private candidate(model: Model, rng: Rng): { point: Point; score: number } {
    const { joint, single } = model;
    const drawn = joint.l.sample(rng);
    const point: Point = {};
    const jointCoords: Coord[] = [];
    let score = 0;
    const get = lookupIn(point, (key) => this.space.fallback(key));
    for (const c of this.space.params) {
      if (!isActive(c, get)) continue;
      const j = joint.dims.findIndex((d) => d.key === c.key);
      if (j >= 0) {
        const s = this.snap(joint.dims[j]!, drawn[j]!);
        point[c.key] = s.value;
        jointCoords[j] = s.coord;
      } else if (single.has(c.key)) {
        const m = single.get(c.key)!;
        const s = this.snap(m.dim, m.l.sample(rng)[0]!);
        point[c.key] = s.value;
        score += m.l.logPdf([s.coord]) - m.g.logPdf([s.coord]);
      } else if (c.spec.distribution === 'constant') {
        point[c.key] = c.spec.value;
      }
    }
    score += joint.l.logPdf(jointCoords) - joint.g.logPdf(jointCoords);
    return { point, score };
  }

  private bestCandidate(model: Model, rng: Rng, taken: ReadonlySet<string>, k: number): T | undefined {
    const cands = Array.from({ length: this.opts.candidates }, () => this.candidate(model, rng));
    const order = cands.map((_, i) => i).sort((i, j) => cands[j]!.score - cands[i]!.score || i - j);
    for (const i of order) {
      const t = this.space.trial(cands[i]!.point, k);
      if (!isInvalid(t) && !taken.has(t.trial_id)) return t;
    }
    return undefined;
  }

  /** Enumerates a finite space (constant, categorical, int_uniform parameters) for a trial not yet taken. */
  private firstFree(taken: ReadonlySet<string>, k: number): T | undefined {
    const finite = this.space.params.every((c) =>
      ['constant', 'categorical', 'categorical_w_probabilities', 'int_uniform'].includes(c.spec.distribution),
    );
    if (!finite) return undefined;
    let seen = 0;
    for (const point of gridPoints(this.space.params, (key) => this.space.fallback(key))) {
      if (++seen > MAX_ENUMERATED) return undefined;
      const t = this.space.trial(point, k);
      if (!isInvalid(t) && !taken.has(t.trial_id)) return t;
    }
    return undefined;
  }
}
