/**
 * Expansion of a sweep into trials: pure and seeded. Grid = cartesian product (W&B order: parameter names
 * sorted, the last varying fastest; a conditional parameter comes after the keys it depends on); random =
 * n seeded draws. Every config is validated with parseTrialConfig; duplicates (same trial id) are removed,
 * keeping the first; `max_trials` truncates.
 */

import { canonicalJson } from '../canonical.ts';
import { formatProblem, ProblemList } from './problems.ts';
import { Rng } from './samplers/rng.ts';
import {
  type CompiledParam,
  DRAWS_PER_TRIAL,
  drawDistinct,
  isActive,
  type Lookup,
  type Point,
} from './samplers/space.ts';
import { configSpace, trialDefaults, trialOf } from './samplers/sweep-space.ts';
import { MAX_TRIALS } from './schema.ts';
import type { ParamSpec, Sweep, TrialSpec } from './types.ts';
import { clean } from './util.ts';

export type { CompiledParam } from './samplers/space.ts';
export { trialId } from './samplers/sweep-space.ts';

/** Leaves of the condition tree we are willing to walk when counting a grid. */
export const GRID_COMPLEXITY_LIMIT = 1_000_000;

const defaults = trialDefaults;

/** Number of grid values of a discrete spec (W&B: int_uniform = min..max, q_uniform = arange(min, max, q)). */
export function discreteSize(s: ParamSpec): number | undefined {
  switch (s.distribution) {
    case 'constant':
      return 1;
    case 'categorical':
    case 'categorical_w_probabilities':
      return s.values.length;
    case 'int_uniform':
      return s.max - s.min + 1;
    case 'q_uniform':
      return Math.max(0, Math.ceil((s.max - s.min) / s.q));
    default:
      return undefined;
  }
}

export function discreteValues(s: ParamSpec): unknown[] {
  switch (s.distribution) {
    case 'constant':
      return [s.value];
    case 'categorical':
    case 'categorical_w_probabilities':
      return s.values;
    case 'int_uniform':
      return Array.from({ length: s.max - s.min + 1 }, (_, i) => s.min + i);
    case 'q_uniform':
      return Array.from({ length: discreteSize(s) ?? 0 }, (_, i) => clean(s.min + i * s.q));
    default:
      throw new Error(`${s.distribution} is not discrete`);
  }
}

/**
 * Order the parameters (names sorted; conditionals after the keys they test) and check the conditions:
 * no cycles, only discrete parents, and a condition that can hold. Problems go to `p`.
 */
export function compileParams(
  sweep: Sweep,
  p: ProblemList,
  paths: Record<string, string> = {},
): CompiledParam[] | undefined {
  const pathOf = (k: string) => paths[k] ?? `$.parameters.${k}`;
  const errorsBefore = p.errorCount;
  const params = sweep.parameters;
  const keys = Object.keys(params).sort();
  const compiled = new Map<string, CompiledParam>();
  const dflt = defaults();
  for (const k of keys) {
    const spec = params[k]!;
    const when: CompiledParam['when'] = [];
    for (const [ref, vals] of Object.entries(spec.when ?? {})) {
      const accept = new Set(vals.map(canonicalJson));
      const refPath = `${pathOf(k)}.when.${ref}`;
      const parent = params[ref];
      if (!parent) {
        if (!accept.has(canonicalJson(dflt[ref]))) {
          p.error(
            refPath,
            `condition never holds: ${ref} is not swept and is always ${canonicalJson(dflt[ref])} (its default)`,
            canonicalJson(dflt[ref]),
            canonicalJson(vals),
          );
        }
      } else if (
        parent.distribution === 'constant' ||
        parent.distribution === 'categorical' ||
        parent.distribution === 'categorical_w_probabilities' ||
        parent.distribution === 'int_uniform' ||
        (sweep.method === 'grid' && parent.distribution === 'q_uniform')
      ) {
        const size = discreteSize(parent) ?? 0;
        if (size <= GRID_COMPLEXITY_LIMIT) {
          const pv = discreteValues(parent).map(canonicalJson);
          // an inactive parent takes its default, which may satisfy the condition too
          const reachable = parent.when ? [...pv, canonicalJson(dflt[ref])] : pv;
          if (!reachable.some((v) => accept.has(v))) {
            p.error(
              refPath,
              `condition never holds: ${ref} only takes ${pv.slice(0, 8).join(', ')}${pv.length > 8 ? ', …' : ''}`,
              `one of the values of ${pathOf(ref)}`,
              canonicalJson(vals),
            );
          }
        }
      } else {
        p.error(
          refPath,
          `conditions must test a discrete parameter; ${ref} has distribution ${parent.distribution}`,
          'a parent given by value, values or int_uniform',
          `distribution ${parent.distribution}`,
        );
      }
      when.push({ key: ref, accept });
    }
    compiled.set(k, { key: k, spec, path: pathOf(k), when });
  }
  // stable topological order: repeatedly take the first (by name) parameter whose swept parents are placed
  const order: CompiledParam[] = [];
  const placed = new Set<string>();
  const pending = [...keys];
  while (pending.length > 0) {
    const i = pending.findIndex((k) =>
      compiled.get(k)!.when.every((w) => !params[w.key] || placed.has(w.key)),
    );
    if (i < 0) {
      const cyc = pending.filter((k) => compiled.get(k)!.when.length > 0);
      p.error(
        `${pathOf(cyc[0] ?? pending[0]!)}.when`,
        `conditions form a cycle among ${cyc.join(', ')}`,
        'conditions without cycles',
        'a cycle',
      );
      break;
    }
    const k = pending.splice(i, 1)[0]!;
    placed.add(k);
    order.push(compiled.get(k)!);
  }
  return p.errorCount > errorsBefore ? undefined : order;
}

/**
 * Exact number of grid points (before de-duplication), without expanding; undefined if too complex to count.
 * `fallback`: the value of a key no parameter sets (default: the trial config's defaults).
 */
export function countGrid(
  order: readonly CompiledParam[],
  fallback: (key: string) => unknown = (k) => defaults()[k],
): number | undefined {
  const referenced = new Set(order.flatMap((c) => c.when.map((w) => w.key)));
  const assign: Point = {};
  const get: Lookup = (k) => (k in assign ? assign[k] : fallback(k));
  let total = 0;
  let leaves = 0;
  const rec = (i: number, mult: number): boolean => {
    if (i === order.length) {
      total += mult;
      return ++leaves <= GRID_COMPLEXITY_LIMIT;
    }
    const c = order[i]!;
    if (!isActive(c, get)) return rec(i + 1, mult);
    if (!referenced.has(c.key)) return rec(i + 1, mult * (discreteSize(c.spec) ?? 1));
    for (const v of discreteValues(c.spec)) {
      assign[c.key] = v;
      if (!rec(i + 1, mult)) return false;
    }
    delete assign[c.key];
    return true;
  };
  return rec(0, 1) ? total : undefined;
}

/** Grid points in order (raw swept values only); `fallback` as for countGrid. */
export function* gridPoints(
  order: readonly CompiledParam[],
  fallback: (key: string) => unknown = (k) => defaults()[k],
): Generator<Point> {
  const assign: Point = {};
  const get: Lookup = (k) => (k in assign ? assign[k] : fallback(k));
  const values = order.map((c) => discreteValues(c.spec));
  function* rec(i: number): Generator<Record<string, unknown>> {
    if (i === order.length) {
      yield { ...assign };
      return;
    }
    const c = order[i]!;
    if (!isActive(c, get)) {
      yield* rec(i + 1);
      return;
    }
    for (const v of values[i]!) {
      assign[c.key] = v;
      yield* rec(i + 1);
    }
    delete assign[c.key];
  }
  yield* rec(0);
}

function describePoint(point: Point): string {
  return Object.entries(point)
    .map(([k, v]) => `${k}=${canonicalJson(v)}`)
    .join(', ');
}

/** Expand and validate every trial; problems (with the paths of the parameters involved) go to `p`. */
export function expandChecked(
  sweep: Sweep,
  order: readonly CompiledParam[],
  p: ProblemList,
  paths: Record<string, string> = {},
): TrialSpec[] | undefined {
  const pathOf = (k: string | undefined) =>
    k && paths[k] ? paths[k] : k && sweep.parameters[k] ? `$.parameters.${k}` : '$.parameters';
  const limit = sweep.max_trials ?? (sweep.method === 'grid' ? Number.POSITIVE_INFINITY : 0);
  const out: TrialSpec[] = [];
  const seen = new Set<string>();
  const errorsBefore = p.errorCount;
  let reported = 0;
  let invalid = 0;
  const accept = (point: Point): 'ok' | 'dup' | { key: string | undefined; message: string } => {
    const t = trialOf(point, out.length);
    if ('invalid' in t) return { key: t.key, message: t.message };
    if (seen.has(t.trial_id)) return 'dup';
    seen.add(t.trial_id);
    out.push(t);
    return 'ok';
  };
  if (sweep.method === 'grid') {
    let i = 0;
    for (const point of gridPoints(order)) {
      if (out.length >= limit) break;
      const a = accept(point);
      if (typeof a === 'object') {
        invalid++;
        if (reported++ < 10) {
          p.error(
            pathOf(a.key),
            `grid point #${i} (${describePoint(point)}) is not a valid trial: ${a.message}`,
            'a valid trial config',
            describePoint(point),
          );
        }
      }
      i++;
    }
    if (invalid > 10)
      p.error(
        '$.parameters',
        `${invalid} grid points are invalid in all (10 shown)`,
        'valid trial configs',
        `${invalid} invalid`,
      );
  } else {
    const n = Math.min(limit, MAX_TRIALS);
    const drawn = drawDistinct(configSpace(order), new Rng(sweep.seed), n);
    out.push(...drawn.trials);
    const bad = drawn.stuck?.duplicates === 0 ? drawn.stuck.lastInvalid : undefined;
    if (bad) {
      // no draw was even a repeat: the space has (almost) no valid trial; otherwise it is exhausted
      p.error(
        pathOf(bad.why.key),
        `cannot draw a valid trial in ${DRAWS_PER_TRIAL} attempts; last draw (${describePoint(bad.point)}): ${bad.why.message}`,
        'a space of valid trial configs',
        describePoint(bad.point),
      );
    }
  }
  if (p.errorCount > errorsBefore) return undefined;
  if (out.length === 0) {
    p.error('$.parameters', 'the sweep expands to no trial', 'at least one trial', '0 trials');
    return undefined;
  }
  return out;
}

const expansions = new WeakMap<Sweep, TrialSpec[]>();
export function rememberExpansion(sweep: Sweep, trials: TrialSpec[]): void {
  expansions.set(sweep, trials);
}

/**
 * The trials of a sweep, in order (pure and seeded: the same sweep always gives the same list). Throws if the
 * sweep is not valid (sweeps from `parseSweep` always are).
 */
export function expandTrials(sweep: Sweep): TrialSpec[] {
  const cached = expansions.get(sweep);
  if (cached) return cached.map((t) => ({ ...t }));
  const p = new ProblemList();
  const order = compileParams(sweep, p);
  let trials: TrialSpec[] | undefined;
  if (order) {
    if (sweep.method === 'grid') {
      const n = countGrid(order);
      if (n === undefined || n > MAX_TRIALS)
        p.error('$.parameters', `grid too large (${n ?? 'uncountable'} trials)`);
    }
    if (p.errorCount === 0) trials = expandChecked(sweep, order, p);
  }
  if (!trials) {
    throw new Error(
      `invalid sweep: ${p.list
        .filter((x) => x.severity === 'error')
        .map(formatProblem)
        .join('; ')}`,
    );
  }
  expansions.set(sweep, trials);
  return trials.map((t) => ({ ...t }));
}
