/**
 * Expansion of a sweep into trials: pure and seeded. Grid = cartesian product (W&B order: parameter names
 * sorted, the last varying fastest; a conditional parameter comes after the keys it depends on); random =
 * n seeded draws. Every config is validated with parseTrialConfig; duplicates (same trial id) are removed,
 * keeping the first; `max_trials` truncates.
 */

import { canonicalJson, sha256Hex } from '../canonical.ts';
import { parseTrialConfig, TRIAL_DEFAULTS, type TrialConfig } from '../config.ts';
import { formatProblem, ProblemList } from './problems.ts';
import { MAX_TRIALS } from './schema.ts';
import type { ParamSpec, Sweep, TrialSpec } from './types.ts';
import { clean, quantize } from './util.ts';

/** Leaves of the condition tree we are willing to walk when counting a grid. */
export const GRID_COMPLEXITY_LIMIT = 1_000_000;
/** Draws per random trial before giving up (invalid combinations and duplicates are redrawn). */
const DRAWS_PER_TRIAL = 200;

export interface CompiledParam {
  key: string;
  spec: ParamSpec;
  path: string;
  /** Conditions as canonical-JSON sets. */
  when: { key: string; accept: Set<string> }[];
}

/** Content hash of a fully defaulted config: `t-` + 12 hex chars of sha256(canonical JSON, sorted keys). */
export function trialId(config: TrialConfig): string {
  return `t-${sha256Hex(canonicalJson(config)).slice(0, 12)}`;
}

/** Every trial key's default, by name. */
const DEFAULTS: Readonly<Record<string, unknown>> = TRIAL_DEFAULTS;

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
  const dflt = DEFAULTS;
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

type Lookup = (key: string) => unknown;
function isActive(c: CompiledParam, get: Lookup): boolean {
  for (const w of c.when) if (!w.accept.has(canonicalJson(get(w.key)))) return false;
  return true;
}

/** Exact number of grid points (before de-duplication), without expanding; undefined if too complex to count. */
export function countGrid(order: readonly CompiledParam[]): number | undefined {
  const referenced = new Set(order.flatMap((c) => c.when.map((w) => w.key)));
  const dflt = DEFAULTS;
  const assign: Record<string, unknown> = {};
  const get: Lookup = (k) => (k in assign ? assign[k] : dflt[k]);
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

/** Grid points in order (raw swept values only). */
function* gridPoints(order: readonly CompiledParam[]): Generator<Record<string, unknown>> {
  const dflt = DEFAULTS;
  const assign: Record<string, unknown> = {};
  const get: Lookup = (k) => (k in assign ? assign[k] : dflt[k]);
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

// ---------------------------------------------------------------- seeded sampling

/** sfc32 seeded through splitmix32: fast, 128-bit state, good enough for sampling. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }
  /** Standard normal (Box–Muller, polar form). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.uniform() * 2 - 1;
      v = this.uniform() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }
  /** Gamma(shape, 1), Marsaglia–Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

/** One draw from a parameter's distribution, with W&B's semantics (see README.md). */
export function sample(s: ParamSpec, rng: Rng): unknown {
  const U = (lo: number, hi: number) => lo + rng.uniform() * (hi - lo);
  switch (s.distribution) {
    case 'constant':
      return s.value;
    case 'categorical':
      return s.values[Math.floor(rng.uniform() * s.values.length)];
    case 'categorical_w_probabilities': {
      const u = rng.uniform();
      let acc = 0;
      for (let i = 0; i < s.values.length; i++) {
        acc += s.probabilities[i]!;
        if (u < acc) return s.values[i];
      }
      return s.values[s.values.length - 1];
    }
    case 'int_uniform':
      return s.min + Math.floor(rng.uniform() * (s.max - s.min + 1));
    case 'uniform':
      return U(s.min, s.max);
    case 'q_uniform':
      return quantize(U(s.min, s.max), s.q);
    case 'log_uniform':
      return Math.exp(U(s.min, s.max));
    case 'log_uniform_values':
      return Math.exp(U(Math.log(s.min), Math.log(s.max)));
    case 'q_log_uniform':
      return quantize(Math.exp(U(s.min, s.max)), s.q);
    case 'q_log_uniform_values':
      return quantize(Math.exp(U(Math.log(s.min), Math.log(s.max))), s.q);
    case 'inv_log_uniform':
      return Math.exp(-U(s.min, s.max));
    case 'inv_log_uniform_values':
      return Math.exp(-U(-Math.log(s.max), -Math.log(s.min)));
    case 'normal':
      return s.mu + s.sigma * rng.normal();
    case 'q_normal':
      return quantize(s.mu + s.sigma * rng.normal(), s.q);
    case 'log_normal':
      return Math.exp(s.mu + s.sigma * rng.normal());
    case 'q_log_normal':
      return quantize(Math.exp(s.mu + s.sigma * rng.normal()), s.q);
    case 'beta':
    case 'q_beta': {
      const x = rng.gamma(s.a);
      const y = rng.gamma(s.b);
      const v = x / (x + y);
      return s.distribution === 'q_beta' ? quantize(v, s.q) : v;
    }
  }
}

function describePoint(point: Record<string, unknown>): string {
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
  const accept = (
    point: Record<string, unknown>,
  ): 'ok' | 'dup' | { key: string | undefined; message: string } => {
    const r = parseTrialConfig(point);
    if (!r.ok) {
      const first = r.problems[0]!;
      const key = first.path.replace(/^\$\./, '').split(/[.[]/)[0];
      return { key, message: first.message };
    }
    const id = trialId(r.value);
    if (seen.has(id)) return 'dup';
    seen.add(id);
    out.push({ trial_id: id, index: out.length, config: r.value });
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
    const rng = new Rng(sweep.seed);
    const n = Math.min(limit, MAX_TRIALS);
    const dflt = DEFAULTS;
    while (out.length < n) {
      let placed = false;
      let lastBad: { key: string | undefined; message: string; point: Record<string, unknown> } | undefined;
      let dups = 0;
      for (let attempt = 0; attempt < DRAWS_PER_TRIAL && !placed; attempt++) {
        const point: Record<string, unknown> = {};
        const get: Lookup = (k) => (k in point ? point[k] : dflt[k]);
        for (const c of order) if (isActive(c, get)) point[c.key] = sample(c.spec, rng);
        const a = accept(point);
        if (a === 'ok') placed = true;
        else if (a === 'dup') dups++;
        else lastBad = { ...a, point };
      }
      if (!placed) {
        if (dups === 0 && lastBad) {
          p.error(
            pathOf(lastBad.key),
            `cannot draw a valid trial in ${DRAWS_PER_TRIAL} attempts; last draw (${describePoint(lastBad.point)}): ${lastBad.message}`,
            'a space of valid trial configs',
            describePoint(lastBad.point),
          );
        }
        break; // space exhausted (only duplicates left)
      }
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
