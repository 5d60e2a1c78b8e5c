/** Search spaces and objectives for the sampler tests. */
import { canonicalJson } from '../../../core/canonical.ts';
import { compileParams } from '../../../core/sweep/expand.ts';
import { ProblemList, parseSweepObject, type Sweep } from '../../../core/sweep/index.ts';
import {
  type CompiledParam,
  configSpace,
  type Observation,
  type Point,
  type Sampler,
  type SearchSpace,
} from '../../../core/sweep/samplers/index.ts';
import type { ParamSpec } from '../../../core/sweep/types.ts';

export function sweepOf(obj: Record<string, unknown>): Sweep {
  const r = parseSweepObject({ method: 'random', max_trials: 1, ...obj });
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.value;
}

/** Production's space of a sweep's parameters (trial configs, content-hash ids). */
export function sweepSpace(parameters: Record<string, unknown>) {
  const order = compileParams(sweepOf({ parameters }), new ProblemList());
  if (!order) throw new Error('parameters do not compile');
  return configSpace(order);
}

export interface PointTrial {
  trial_id: string;
  params: Point;
}

/** A space over raw specs (no trial-config validation): a point's id is its canonical JSON. */
export function specSpace(
  specs: Record<string, ParamSpec>,
  valid: (p: Point) => boolean = () => true,
): SearchSpace<PointTrial> {
  const params: CompiledParam[] = Object.entries(specs).map(([key, spec]) => ({
    key,
    spec,
    path: `$.${key}`,
    when: Object.entries(spec.when ?? {}).map(([k, vs]) => ({
      key: k,
      accept: new Set(vs.map(canonicalJson)),
    })),
  }));
  return {
    params,
    fallback: () => null,
    valueKey: (_k, v) => canonicalJson(v),
    trial: (point) =>
      valid(point)
        ? { trial_id: canonicalJson(point), params: point }
        : { invalid: true, key: undefined, message: 'rejected by the test' },
  };
}

/**
 * Runs a sequential search: suggestion k sees every earlier trial complete with `objective`'s values.
 * Returns the observations in suggestion order.
 */
export function runSequential<T extends { trial_id: string }>(
  sampler: Sampler<T>,
  n: number,
  paramsOf: (t: T) => Point,
  objective: (p: Point) => number[],
): Observation[] {
  const obs: Observation[] = [];
  for (let k = 0; k < n; k++) {
    const t = sampler.suggest(k, obs);
    if (!t) break;
    const params = paramsOf(t);
    obs.push({ trial_id: t.trial_id, params, state: 'complete', values: objective(params) });
  }
  return obs;
}

/** A deterministic shuffle (for order-independence checks). */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
