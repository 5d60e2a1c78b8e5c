/**
 * The space a sampler searches: the sweep's parameters in sampling order with their conditions, and how a
 * point (one value per active parameter) becomes a trial. Production's space (sweep-space.ts) turns a point
 * into a validated trial config and its content-hash id; the search bench's turns it into a table key.
 */
import { canonicalJson } from '../../canonical.ts';
import type { ParamSpec } from '../types.ts';
import { sample } from './distributions.ts';
import type { Rng } from './rng.ts';

export interface CompiledParam {
  key: string;
  spec: ParamSpec;
  /** JSON path of the parameter in the sweep file (for problems). */
  path: string;
  /** Conditions as canonical-JSON sets: active iff every `key`'s value is in its `accept` set. */
  when: { key: string; accept: Set<string> }[];
}

export type Point = Record<string, unknown>;

/** Why a point is not a valid trial: the parameter involved (if known) and the validator's message. */
export interface InvalidPoint {
  invalid: true;
  key: string | undefined;
  message: string;
}

/** What a space makes of a point: at least the trial's identity. */
export interface Trial {
  trial_id: string;
}

/**
 * Contract: `params` are ordered so that a conditional parameter comes after the keys it tests;
 * `fallback(key)` is the value of a key no active parameter sets (what a condition on it tests);
 * `trial(point, index)` is pure, and two points with one `trial_id` are one trial (a sampler never suggests
 * a trial_id it has seen); `valueKey(key, v)` is the identity of a value of a parameter, equal for two
 * spellings of one value (production: "784-10" and [784, 10]).
 */
export interface SearchSpace<T extends Trial> {
  readonly params: readonly CompiledParam[];
  fallback(key: string): unknown;
  trial(point: Point, index: number): T | InvalidPoint;
  valueKey(key: string, value: unknown): string;
}

export const isInvalid = (t: Trial | InvalidPoint): t is InvalidPoint => 'invalid' in t;

export type Lookup = (key: string) => unknown;

export function isActive(c: CompiledParam, get: Lookup): boolean {
  for (const w of c.when) if (!w.accept.has(canonicalJson(get(w.key)))) return false;
  return true;
}

/** The value of `key` as a condition sees it: the point's, else the space's fallback. */
export function lookupIn(point: Readonly<Point>, fallback: (key: string) => unknown): Lookup {
  return (k) => (k in point ? point[k] : fallback(k));
}

/** One point drawn from every active parameter's own distribution, in order. */
export function drawPoint<T extends Trial>(space: SearchSpace<T>, rng: Rng): Point {
  const point: Point = {};
  const get = lookupIn(point, (k) => space.fallback(k));
  for (const c of space.params) if (isActive(c, get)) point[c.key] = sample(c.spec, rng);
  return point;
}

/** Draws per trial before giving up (invalid combinations and trials already taken are redrawn). */
export const DRAWS_PER_TRIAL = 200;

export interface Drawn<T> {
  trials: T[];
  /** The point each trial was drawn as. */
  points: Point[];
  /** Set when a trial could not be placed in DRAWS_PER_TRIAL draws (then `trials` stops there). */
  stuck?: { duplicates: number; lastInvalid?: { point: Point; why: InvalidPoint } };
}

/**
 * Up to `n` new trials from one seeded stream: each draw is a point from the parameters' own distributions;
 * an invalid point or one whose trial_id is in `taken` (or already drawn) is redrawn, up to DRAWS_PER_TRIAL
 * times per trial. Trials get the indexes firstIndex, firstIndex + 1, …
 */
export function drawDistinct<T extends Trial>(
  space: SearchSpace<T>,
  rng: Rng,
  n: number,
  taken: ReadonlySet<string> = new Set(),
  firstIndex = 0,
): Drawn<T> {
  const trials: T[] = [];
  const points: Point[] = [];
  const seen = new Set<string>();
  while (trials.length < n) {
    let duplicates = 0;
    let lastInvalid: { point: Point; why: InvalidPoint } | undefined;
    let placed = false;
    for (let attempt = 0; attempt < DRAWS_PER_TRIAL && !placed; attempt++) {
      const point = drawPoint(space, rng);
      const t = space.trial(point, firstIndex + trials.length);
      if (isInvalid(t)) lastInvalid = { point, why: t };
      else if (taken.has(t.trial_id) || seen.has(t.trial_id)) duplicates++;
      else {
        seen.add(t.trial_id);
        trials.push(t);
        points.push(point);
        placed = true;
      }
    }
    if (!placed) return { trials, points, stuck: { duplicates, ...(lastInvalid ? { lastInvalid } : {}) } };
  }
  return { trials, points };
}
