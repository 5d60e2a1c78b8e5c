/**
 * Sweep files → the normalised `Sweep`, with every problem as data (JSON path, expected, found), all at
 * once. Accepts our format and W&B sweep files (JSON or YAML) as they are; see README.md for the mapping.
 */
import YAML from 'yaml';
import type { z } from 'zod';
import { canonicalJson } from '../canonical.ts';
import {
  MAX_PARAMETERS,
  type Parsed,
  parameterCount,
  parseTrialConfig,
  TRIAL_CONFIG_KEYS,
  type TrialConfig,
  trialConfigSchema,
} from '../config.ts';
import {
  compileParams,
  countGrid,
  expandChecked,
  GRID_COMPLEXITY_LIMIT,
  rememberExpansion,
} from './expand.ts';
import { ProblemList } from './problems.ts';
import {
  DIST_FIELDS,
  GRID_DISTRIBUTIONS,
  INTEGER_KEYS,
  MAX_CONCURRENCY,
  MAX_EPOCHS,
  MAX_TRIALS,
  PARAM_FIELDS,
  REAL_KEYS,
} from './schema.ts';
import {
  type Condition,
  DISTRIBUTIONS,
  type Distribution,
  type EarlyTerminate,
  METRIC_NAMES,
  type MetricName,
  type MetricSpec,
  type ParamSpec,
  type PriceTable,
  type Sweep,
} from './types.ts';
import { describe, isRecord, jsonErrorPosition, plural, quantize, suggest } from './util.ts';

const NATIVE_KEYS = [
  '$schema',
  'name',
  'dataset',
  'metric',
  'method',
  'seed',
  'parameters',
  'max_trials',
  'max_concurrency',
  'max_cost_usd',
  'max_minutes',
  'early_terminate',
  'price',
  'source_format',
] as const;
/** W&B keys that do not apply here: accepted and ignored with a warning. */
const WANDB_IGNORED = [
  'program',
  'command',
  'project',
  'entity',
  'description',
  'controller',
  'kind',
  'apiVersion',
  'job',
  'image_uri',
  'scheduler',
  'metrics',
] as const;
const WANDB_ONLY: readonly string[] = [...WANDB_IGNORED, 'run_cap'];

/** Parameter names other tools use for our canonical keys (accepted with a warning). */
export const KEY_ALIASES: Record<string, keyof TrialConfig> = {
  lr: 'learning_rate',
  learning_rate_init: 'learning_rate',
  num_epochs: 'epochs',
  n_epochs: 'epochs',
  dropout_rate: 'dropout',
  optimiser: 'optimizer',
  activation_function: 'activation',
  hidden_layers: 'layers',
};

/**
 * Metric names of other tools (Keras, W&B examples) → ours. Training-set accuracy is never ranked on, so
 * a bare `accuracy`/`acc` means validation accuracy and a bare `loss` validation loss (with a warning).
 */
export const METRIC_ALIASES: Record<string, MetricName> = {
  validation_accuracy: 'val_accuracy',
  val_acc: 'val_accuracy',
  valid_accuracy: 'val_accuracy',
  valid_acc: 'val_accuracy',
  'val/accuracy': 'val_accuracy',
  accuracy: 'val_accuracy',
  acc: 'val_accuracy',
  validation_loss: 'val_loss',
  valid_loss: 'val_loss',
  'val/loss': 'val_loss',
  loss: 'val_loss',
  test_acc: 'test_accuracy',
  'test/accuracy': 'test_accuracy',
};
export const NATURAL_GOAL: Record<MetricName, MetricSpec['goal']> = {
  val_accuracy: 'maximize',
  test_accuracy: 'maximize',
  val_loss: 'minimize',
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SHAPE = trialConfigSchema.shape as unknown as Record<string, z.ZodType>;
const DEFAULTS = (() => {
  const r = parseTrialConfig({});
  if (!r.ok) throw new Error('trial config defaults do not validate');
  return r.value as unknown as Record<string, unknown>;
})();
export const defaultOf = (key: string): unknown => DEFAULTS[key];

function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s ? ` (did you mean "${s}"?)` : '';
}

interface NumOpts {
  int?: boolean;
  min?: number;
  gt?: number;
  max?: number;
}
function expectText(o: NumOpts): string {
  const bounds: string[] = [];
  if (o.gt !== undefined) bounds.push(`> ${o.gt}`);
  if (o.min !== undefined) bounds.push(`≥ ${o.min}`);
  if (o.max !== undefined) bounds.push(`≤ ${o.max.toLocaleString('en-US')}`);
  return `${o.int ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}
const lastSegment = (path: string): string =>
  path
    .replace(/\[\d+\]$/, '')
    .split('.')
    .pop() ?? path;
function readNumber(p: ProblemList, v: unknown, path: string, o: NumOpts = {}): number | undefined {
  const isNum = typeof v === 'number' && Number.isFinite(v);
  const ok =
    isNum &&
    (!o.int || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) &&
    (o.gt === undefined || v > o.gt) &&
    (o.max === undefined || v <= o.max);
  if (!ok) {
    const what = !isNum ? 'not a number' : o.int && !Number.isInteger(v) ? 'not an integer' : 'out of range';
    p.error(path, what, expectText(o), describe(v));
    return undefined;
  }
  return v as number;
}
function readEnum<T extends string>(
  p: ProblemList,
  v: unknown,
  path: string,
  options: readonly T[],
): T | undefined {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? didYouMean(v, options) : '';
  p.error(path, `unknown ${lastSegment(path)}${hint}`, options.join(' | '), describe(v));
  return undefined;
}

/** Validate one value against a trial key's own schema; returns its canonical form. */
export function checkKeyValue(
  p: ProblemList,
  key: string,
  v: unknown,
  path: string,
): { ok: true; value: unknown } | { ok: false } {
  const schema = SHAPE[key];
  if (!schema) return { ok: false };
  const r = schema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0];
    const sub = issue?.path.length
      ? issue.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')
      : '';
    p.error(
      `${path}${sub}`,
      `invalid ${key}: ${issue?.message ?? 'invalid value'}`,
      issue ? zodExpected(key, issue) : undefined,
      describe(v),
    );
    return { ok: false };
  }
  if (key === 'layers' && Array.isArray(r.data)) {
    const n = parameterCount(r.data as number[]);
    if (n > MAX_PARAMETERS) {
      p.error(
        path,
        `network too large: ${(r.data as number[]).join('-')} has ${n.toLocaleString('en-US')} parameters`,
        `at most ${MAX_PARAMETERS.toLocaleString('en-US')} parameters`,
        describe(v),
      );
      return { ok: false };
    }
  }
  return { ok: true, value: r.data };
}

const UNION_EXPECT: Record<string, string> = {
  layers: 'layer sizes as [784, 128, 10] or "784-128-10"',
  activation: `one of ${'sigmoid | tanh | relu | leaky_relu'}, or one per hidden layer`,
  dropout: 'a rate in [0, 1), or one per hidden layer',
  lr_schedule: '{type: constant} | {type: step, step_size, gamma} | {type: cosine, min_lr}',
};

/** What a zod issue expected, in words. */
function zodExpected(key: string, issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array'
        ? `at most ${issue.maximum} items`
        : `${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${issue.minimum} items`
        : `${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'invalid_union':
      return UNION_EXPECT[key] ?? issue.message;
    default:
      return issue.message;
  }
}

function checkKeyNumber(key: string, x: number): { message: string; expected: string } | undefined {
  const r = SHAPE[key]?.safeParse(x);
  const issue = r && !r.success ? r.error.issues[0] : undefined;
  return r && !r.success
    ? { message: issue?.message ?? 'invalid', expected: issue ? zodExpected(key, issue) : 'valid' }
    : undefined;
}

/** The smallest and largest value a numeric distribution can produce (W&B semantics), with the field each comes from. */
function reach(s: ParamSpec): { lo: number; hi: number; loField: string; hiField: string } | undefined {
  switch (s.distribution) {
    case 'int_uniform':
    case 'uniform':
    case 'log_uniform_values':
    case 'inv_log_uniform_values':
      return { lo: s.min, hi: s.max, loField: 'min', hiField: 'max' };
    case 'q_uniform':
    case 'q_log_uniform_values':
      return { lo: quantize(s.min, s.q), hi: quantize(s.max, s.q), loField: 'min', hiField: 'max' };
    case 'log_uniform':
      return { lo: Math.exp(s.min), hi: Math.exp(s.max), loField: 'min', hiField: 'max' };
    case 'q_log_uniform':
      return {
        lo: quantize(Math.exp(s.min), s.q),
        hi: quantize(Math.exp(s.max), s.q),
        loField: 'min',
        hiField: 'max',
      };
    case 'inv_log_uniform':
      return { lo: Math.exp(-s.max), hi: Math.exp(-s.min), loField: 'max', hiField: 'min' };
    default:
      return undefined;
  }
}

function producesIntegers(s: ParamSpec): boolean {
  if (s.distribution === 'int_uniform') return true;
  if ('q' in s) return Number.isInteger(s.q) && (s.distribution !== 'q_uniform' || Number.isInteger(s.min));
  return false;
}

/** Parse one `parameters.<key>` entry. */
function parseParam(p: ProblemList, key: string, raw: unknown, path: string): ParamSpec | undefined {
  if (!isRecord(raw)) {
    p.error(
      path,
      'expected an object with "value", "values", "min"/"max" or "distribution"',
      'object',
      describe(raw),
    );
    return undefined;
  }
  if ('parameters' in raw) {
    p.error(
      `${path}.parameters`,
      'nested parameters are not supported: list whole values instead (e.g. lr_schedule: {"values": [{"type": "cosine"}]})',
      'value | values | distribution',
      'nested parameters',
    );
    return undefined;
  }
  let bad = false;
  for (const k of Object.keys(raw)) {
    if (!PARAM_FIELDS.includes(k)) {
      p.error(
        `${path}.${k}`,
        `unknown field "${k}"${didYouMean(k, PARAM_FIELDS)}`,
        PARAM_FIELDS.join(' | '),
        `"${k}"`,
      );
      bad = true;
    }
  }
  let dist: Distribution | undefined;
  if ('distribution' in raw) {
    dist = readEnum(p, raw.distribution, `${path}.distribution`, DISTRIBUTIONS);
    if (!dist) return undefined;
  } else if ('value' in raw) dist = 'constant';
  else if ('values' in raw) dist = 'probabilities' in raw ? 'categorical_w_probabilities' : 'categorical';
  else if ('min' in raw || 'max' in raw)
    dist = Number.isInteger(raw.min) && Number.isInteger(raw.max) ? 'int_uniform' : 'uniform';
  else {
    p.error(
      path,
      'expected one of "value", "values", "min"/"max" or "distribution"',
      'value | values | min/max | distribution',
      describe(raw),
    );
    return undefined;
  }
  const fields = DIST_FIELDS[dist];
  const allowed = new Set(['distribution', 'when', ...fields.required, ...Object.keys(fields.defaults)]);
  for (const k of Object.keys(raw)) {
    if (PARAM_FIELDS.includes(k) && !allowed.has(k)) {
      p.error(
        `${path}.${k}`,
        `"${k}" is not a field of distribution ${dist}`,
        [...allowed].join(' | '),
        `"${k}"`,
      );
      bad = true;
    }
  }
  for (const r of fields.required) {
    if (!(r in raw)) {
      p.error(`${path}.${r}`, `distribution ${dist} requires "${r}"`, r, 'nothing');
      bad = true;
    }
  }
  if (bad) return undefined;

  const spec: Record<string, unknown> = { distribution: dist };
  const isNumericKey = REAL_KEYS.has(key) || INTEGER_KEYS.has(key);
  if (dist === 'constant') {
    const c = checkKeyValue(p, key, raw.value, `${path}.value`);
    if (!c.ok) return undefined;
    spec.value = c.value;
  } else if (dist === 'categorical' || dist === 'categorical_w_probabilities') {
    const vals = raw.values;
    if (!Array.isArray(vals) || vals.length === 0) {
      p.error(`${path}.values`, 'expected a non-empty array of values', 'non-empty array', describe(vals));
      return undefined;
    }
    const out: unknown[] = [];
    const seen = new Set<string>();
    let okAll = true;
    vals.forEach((v, i) => {
      const c = checkKeyValue(p, key, v, `${path}.values[${i}]`);
      if (!c.ok) {
        okAll = false;
        return;
      }
      const cj = canonicalJson(c.value);
      if (seen.has(cj)) p.warn(`${path}.values[${i}]`, `duplicate value ${cj} (it adds no trial)`);
      seen.add(cj);
      out.push(c.value);
    });
    if (!okAll) return undefined;
    spec.values = out;
    if (dist === 'categorical_w_probabilities') {
      const probs = raw.probabilities;
      if (!Array.isArray(probs) || probs.length !== vals.length) {
        p.error(
          `${path}.probabilities`,
          'expected one probability per value',
          `array of ${vals.length} numbers`,
          describe(probs),
        );
        return undefined;
      }
      const ps: number[] = [];
      for (let i = 0; i < probs.length; i++) {
        const x = readNumber(p, probs[i], `${path}.probabilities[${i}]`, { min: 0, max: 1 });
        if (x === undefined) return undefined;
        ps.push(x);
      }
      const sum = ps.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-8) {
        p.error(`${path}.probabilities`, 'probabilities must sum to 1', 'sum 1', `sum ${sum}`);
        return undefined;
      }
      spec.probabilities = ps;
    }
  } else {
    // numeric distributions
    if (!isNumericKey) {
      p.error(
        `${path}.distribution`,
        `${key} is not numeric: give "value" or "values"`,
        'value | values',
        `distribution ${dist}`,
      );
      return undefined;
    }
    let okAll = true;
    for (const r of fields.required) {
      const x = readNumber(p, raw[r], `${path}.${r}`, dist === 'int_uniform' ? { int: true } : {});
      if (x === undefined) okAll = false;
      else spec[r] = x;
    }
    for (const [k, d] of Object.entries(fields.defaults)) {
      if (!(k in raw)) {
        spec[k] = d;
        continue;
      }
      const x = readNumber(p, raw[k], `${path}.${k}`, k === 'mu' ? {} : { gt: 0 });
      if (x === undefined) okAll = false;
      else spec[k] = x;
    }
    if (!okAll) return undefined;
    if ('min' in spec && 'max' in spec) {
      const mn = spec.min as number;
      const mx = spec.max as number;
      if (mn >= mx) {
        p.error(`${path}.max`, `max must be greater than min (${mn})`, `> ${mn}`, describe(mx));
        return undefined;
      }
      if (
        (dist === 'log_uniform_values' ||
          dist === 'q_log_uniform_values' ||
          dist === 'inv_log_uniform_values') &&
        mn <= 0
      ) {
        p.error(`${path}.min`, `${dist} takes the values themselves: min must be > 0`, '> 0', describe(mn));
        return undefined;
      }
    }
    const s = spec as unknown as ParamSpec;
    if (INTEGER_KEYS.has(key) && !producesIntegers(s)) {
      p.error(
        `${path}.distribution`,
        `${key} is an integer: use int_uniform, or a q_ distribution with an integer q (and integer min for q_uniform)`,
        'int_uniform | q_* with integer q',
        `distribution ${dist}${'q' in s ? ` with q ${s.q}` : ''}`,
      );
      return undefined;
    }
    const r = reach(s);
    if (r) {
      for (const [x, field] of [
        [r.lo, r.loField],
        [r.hi, r.hiField],
      ] as const) {
        const m = checkKeyNumber(key, x);
        if (m) {
          p.error(
            `${path}.${field}`,
            `${key} would take the value ${x} (${dist}), which is invalid: ${m.message}`,
            m.expected,
            raw[field] === x ? describe(x) : `${describe(raw[field] ?? dist)} → ${x}`,
          );
          return undefined;
        }
      }
    } else {
      // normal family: unbounded, and the beta family on (0, 1): the centre must be valid; draws that are
      // not a valid value are redrawn (truncation).
      const isBeta = dist === 'beta' || dist === 'q_beta';
      const mu = spec.mu as number;
      const centre = isBeta
        ? (spec.a as number) / ((spec.a as number) + (spec.b as number))
        : dist === 'log_normal' || dist === 'q_log_normal'
          ? Math.exp(mu)
          : mu;
      const m = checkKeyNumber(key, typeof spec.q === 'number' ? quantize(centre, spec.q) : centre);
      const field = isBeta ? 'a' : 'mu';
      if (m) {
        p.error(
          `${path}.${field}`,
          `the distribution's centre ${centre} is not a valid ${key}: ${m.message}`,
          m.expected,
          describe(raw[field] ?? (isBeta ? 1 : 0)),
        );
        return undefined;
      }
      if (!isBeta) p.warn(path, `${dist} is unbounded: samples that are not a valid ${key} are redrawn`);
    }
  }
  if ('when' in raw) {
    const w = parseWhen(p, key, raw.when, `${path}.when`);
    if (!w) return undefined;
    spec.when = w;
  }
  return spec as unknown as ParamSpec;
}

function parseWhen(p: ProblemList, self: string, raw: unknown, path: string): Condition | undefined {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    p.error(
      path,
      'expected an object of trial key → value(s), e.g. {"optimizer": "sgd"}',
      'non-empty object',
      describe(raw),
    );
    return undefined;
  }
  const out: Condition = {};
  let ok = true;
  for (const [k, v] of Object.entries(raw)) {
    const kp = `${path}.${k}`;
    if (!(TRIAL_CONFIG_KEYS as string[]).includes(k)) {
      p.error(kp, `unknown trial key "${k}"${didYouMean(k, TRIAL_CONFIG_KEYS)}`, 'a trial key', `"${k}"`);
      ok = false;
      continue;
    }
    if (k === self) {
      p.error(kp, 'a parameter cannot be conditional on itself', 'another trial key', `"${k}"`);
      ok = false;
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) {
      p.error(kp, 'expected at least one value', 'value or non-empty array', describe(v));
      ok = false;
      continue;
    }
    const vals: unknown[] = [];
    list.forEach((x, i) => {
      const c = checkKeyValue(p, k, x, Array.isArray(v) ? `${kp}[${i}]` : kp);
      if (c.ok) vals.push(c.value);
      else ok = false;
    });
    out[k] = vals;
  }
  return ok ? out : undefined;
}

function parseEarlyTerminate(
  p: ProblemList,
  raw: unknown,
  format: Sweep['source_format'],
): EarlyTerminate | undefined {
  const path = '$.early_terminate';
  if (!isRecord(raw)) {
    p.error(path, 'expected an object', 'object', describe(raw));
    return undefined;
  }
  const allowed = ['type', 'min_iter', 'eta', 'max_iter', 's', 'strict'];
  let ok = true;
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) {
      p.error(`${path}.${k}`, `unknown field "${k}"${didYouMean(k, allowed)}`, allowed.join(' | '), `"${k}"`);
      ok = false;
    }
  }
  const type = readEnum(p, raw.type, `${path}.type`, ['asha', 'hyperband'] as const);
  if (!type) ok = false;
  if ('strict' in raw)
    p.warn(`${path}.strict`, 'W&B "strict" is ignored (our rule is documented in core/sweep/README.md)');
  const eta = 'eta' in raw ? readNumber(p, raw.eta, `${path}.eta`, { gt: 1, max: 100 }) : 3;
  if (eta === undefined) ok = false;
  let minIter: number | undefined;
  let maxIter: number | undefined = MAX_EPOCHS;
  let wandbForm = format === 'wandb' && type === 'hyperband';
  if ('s' in raw && 'max_iter' in raw) {
    // W&B: bands at max_iter/η, max_iter/η², … (s of them, each ≥ 1).
    wandbForm = true;
    const s = readNumber(p, raw.s, `${path}.s`, { int: true, min: 1, max: 100 });
    maxIter = readNumber(p, raw.max_iter, `${path}.max_iter`, { int: true, min: 1, max: MAX_EPOCHS });
    if (s === undefined || maxIter === undefined || eta === undefined) return undefined;
    let band = maxIter;
    const bands: number[] = [];
    for (let i = 0; i < s; i++) {
      band /= eta;
      if (band < 1) break;
      bands.push(Math.floor(band));
    }
    if (bands.length === 0) {
      p.error(
        `${path}.s`,
        `no band ≥ 1 epoch: max_iter ${maxIter} / eta ${eta} < 1`,
        'max_iter ≥ eta',
        describe(raw.s),
      );
      return undefined;
    }
    minIter = Math.min(...bands);
    if ('min_iter' in raw)
      p.warn(`${path}.min_iter`, 'ignored: with max_iter and s, W&B derives the bands from max_iter');
  } else {
    if ('s' in raw) p.warn(`${path}.s`, 'ignored without max_iter (as W&B does)');
    if (!('min_iter' in raw)) {
      p.error(
        `${path}.min_iter`,
        'early termination needs min_iter (or W&B max_iter with s)',
        'an integer ≥ 1',
        'nothing',
      );
      return undefined;
    }
    minIter = readNumber(p, raw.min_iter, `${path}.min_iter`, { int: true, min: 1, max: MAX_EPOCHS });
    if ('max_iter' in raw)
      maxIter = readNumber(p, raw.max_iter, `${path}.max_iter`, { int: true, min: 1, max: MAX_EPOCHS });
  }
  if (!ok || minIter === undefined || maxIter === undefined || eta === undefined || !type) return undefined;
  if (minIter > maxIter) {
    p.error(
      `${path}.max_iter`,
      `max_iter must be ≥ min_iter (${minIter})`,
      `≥ ${minIter}`,
      describe(maxIter),
    );
    return undefined;
  }
  let outType: EarlyTerminate['type'] = type;
  if (wandbForm && type === 'hyperband') {
    outType = 'asha';
    p.warn(
      `${path}.type`,
      `W&B "hyperband" stopping is one set of bands where the top 1/eta continue: run as our "asha" (min_iter ${minIter}, eta ${eta}, max_iter ${maxIter})`,
    );
  }
  return { type: outType, min_iter: minIter, eta, max_iter: maxIter };
}

function parseMetric(p: ProblemList, raw: unknown, format: Sweep['source_format']): MetricSpec | undefined {
  const path = '$.metric';
  if (raw === undefined) {
    if (format === 'wandb') p.warn(path, 'no metric: trials are ranked by val_accuracy (maximize)');
    return { name: 'val_accuracy', goal: 'maximize' };
  }
  if (!isRecord(raw)) {
    p.error(path, 'expected an object {name, goal}', 'object', describe(raw));
    return undefined;
  }
  const allowed = ['name', 'goal', 'target', 'impute', 'impute_while_running'];
  let ok = true;
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) {
      p.error(
        `${path}.${k}`,
        `unknown field "${k}"${didYouMean(k, ['name', 'goal'])}`,
        'name | goal',
        `"${k}"`,
      );
      ok = false;
    } else if (k !== 'name' && k !== 'goal') p.warn(`${path}.${k}`, `W&B "${k}" is ignored`);
  }
  let name: MetricName | undefined;
  if (typeof raw.name === 'string' && (METRIC_NAMES as readonly string[]).includes(raw.name))
    name = raw.name as MetricName;
  else if (typeof raw.name === 'string' && METRIC_ALIASES[raw.name]) {
    name = METRIC_ALIASES[raw.name];
    p.warn(`${path}.name`, `metric "${raw.name}" is read as "${name}"`);
  } else {
    const hint =
      typeof raw.name === 'string'
        ? didYouMean(raw.name, [...METRIC_NAMES, ...Object.keys(METRIC_ALIASES)])
        : '';
    p.error(`${path}.name`, `unknown metric${hint}`, METRIC_NAMES.join(' | '), describe(raw.name));
    ok = false;
  }
  let goal: MetricSpec['goal'] | undefined;
  if ('goal' in raw) goal = readEnum(p, raw.goal, `${path}.goal`, ['maximize', 'minimize'] as const);
  else if (name && format === 'wandb') {
    goal = 'minimize';
    if (NATURAL_GOAL[name] !== 'minimize')
      p.warn(
        `${path}.goal`,
        `no goal: W&B's default "minimize" applies to ${name}; add goal: maximize if that is not meant`,
      );
  } else if (name) goal = NATURAL_GOAL[name];
  if (!ok || !name || !goal) return undefined;
  return { name, goal };
}

function parsePrice(p: ProblemList, raw: unknown): Partial<PriceTable> | undefined {
  const path = '$.price';
  if (!isRecord(raw)) {
    p.error(path, 'expected an object of prices in USD', 'object', describe(raw));
    return undefined;
  }
  const names = ['arm64_gb_s', 'x86_64_gb_s', 'request', 'sqs_request', 's3_put', 's3_get'] as const;
  const out: Partial<PriceTable> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!(names as readonly string[]).includes(k)) {
      p.error(`${path}.${k}`, `unknown price "${k}"${didYouMean(k, names)}`, names.join(' | '), `"${k}"`);
      continue;
    }
    const x = readNumber(p, v, `${path}.${k}`, { min: 0 });
    if (x !== undefined) out[k as keyof PriceTable] = x;
  }
  return out;
}

function parseDataset(p: ProblemList, raw: unknown): Sweep['dataset'] | undefined {
  const path = '$.dataset';
  if (raw === undefined) return { name: 'mnist' };
  const idCheck = (v: unknown, at: string): string | undefined => {
    if (typeof v === 'string' && ID.test(v) && !v.includes('..')) return v;
    p.error(at, 'expected an id: 1-128 of [A-Za-z0-9._-], starting alphanumeric', 'id', describe(v));
    return undefined;
  };
  if (typeof raw === 'string') {
    const n = idCheck(raw, path);
    return n ? { name: n } : undefined;
  }
  if (!isRecord(raw)) {
    p.error(path, 'expected {"name": …, "version": …} or a name', 'object | string', describe(raw));
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (k !== 'name' && k !== 'version')
      p.error(
        `${path}.${k}`,
        `unknown field "${k}"${didYouMean(k, ['name', 'version'])}`,
        'name | version',
        `"${k}"`,
      );
  }
  const name = idCheck(raw.name, `${path}.name`);
  const out: Sweep['dataset'] = { name: name ?? 'mnist' };
  if ('version' in raw) {
    const v = idCheck(raw.version, `${path}.version`);
    if (v) out.version = v;
  }
  return name ? out : undefined;
}

/** Validate (and normalise) a sweep given as a parsed JSON/YAML value. */
export function parseSweepObject(obj: unknown, opts: { filename?: string } = {}): Parsed<Sweep> {
  const p = new ProblemList();
  if (!isRecord(obj)) {
    p.error('$', 'expected a sweep object at the top level', 'object', describe(obj));
    return { ok: false, problems: p.list };
  }
  const explicitFormat = obj.source_format;
  const format: Sweep['source_format'] =
    explicitFormat === 'native' || explicitFormat === 'wandb'
      ? explicitFormat
      : Object.keys(obj).some((k) => WANDB_ONLY.includes(k)) || obj.method === 'bayes'
        ? 'wandb'
        : 'native';
  if (explicitFormat !== undefined && explicitFormat !== 'native' && explicitFormat !== 'wandb')
    readEnum(p, explicitFormat, '$.source_format', ['native', 'wandb'] as const);

  const known = [...NATIVE_KEYS, ...WANDB_ONLY];
  for (const k of Object.keys(obj)) {
    if ((NATIVE_KEYS as readonly string[]).includes(k) || k === 'run_cap') continue;
    if ((WANDB_IGNORED as readonly string[]).includes(k)) p.warn(`$.${k}`, `W&B key "${k}" is ignored here`);
    else
      p.error(
        `$.${k}`,
        `unknown key "${k}"${didYouMean(k, known)}`,
        NATIVE_KEYS.filter((x) => x !== '$schema').join(' | '),
        `"${k}"`,
      );
  }

  // name
  let name = opts.filename
    ? (opts.filename.split(/[\\/]/).pop() ?? 'sweep').replace(/\.(json|ya?ml)$/i, '')
    : 'sweep';
  if ('name' in obj) {
    if (typeof obj.name === 'string' && obj.name.length > 0 && obj.name.length <= 200) name = obj.name;
    else
      p.error(
        '$.name',
        'expected a non-empty string of at most 200 characters',
        'string',
        describe(obj.name),
      );
  }
  const dataset = parseDataset(p, obj.dataset);
  const metric = parseMetric(p, obj.metric, format);

  // method
  let method: Sweep['method'] | undefined;
  if (!('method' in obj)) p.error('$.method', 'method is required', 'grid | random', 'nothing');
  else if (obj.method === 'bayes') {
    method = 'random';
    p.warn('$.method', 'W&B "bayes" is not implemented here: running random search over the same space');
  } else
    method = readEnum(p, obj.method, '$.method', ['grid', 'random', 'bayes'] as const) as
      | Sweep['method']
      | undefined;

  const seed = 'seed' in obj ? readNumber(p, obj.seed, '$.seed', { int: true, min: 0, max: 2 ** 32 - 1 }) : 0;

  // budgets
  const opt = (k: string, o: NumOpts): number | undefined =>
    k in obj ? readNumber(p, obj[k], `$.${k}`, o) : undefined;
  let maxTrials = opt('max_trials', { int: true, min: 1, max: MAX_TRIALS });
  if ('run_cap' in obj) {
    if ('max_trials' in obj)
      p.error('$.run_cap', 'give either max_trials or W&B run_cap, not both', 'one of them', 'both');
    else maxTrials = readNumber(p, obj.run_cap, '$.run_cap', { int: true, min: 1, max: MAX_TRIALS });
  }
  const maxConcurrency = opt('max_concurrency', { int: true, min: 1, max: MAX_CONCURRENCY });
  const maxCost = opt('max_cost_usd', { gt: 0 });
  const maxMinutes = opt('max_minutes', { gt: 0 });
  const early = 'early_terminate' in obj ? parseEarlyTerminate(p, obj.early_terminate, format) : undefined;
  const price = 'price' in obj ? parsePrice(p, obj.price) : undefined;

  // parameters
  const parameters: Record<string, ParamSpec> = {};
  const paramPath: Record<string, string> = {};
  if (!('parameters' in obj))
    p.error('$.parameters', 'parameters is required', 'object of trial key → spec', 'nothing');
  else if (!isRecord(obj.parameters) || Object.keys(obj.parameters).length === 0)
    p.error(
      '$.parameters',
      'expected a non-empty object of trial key → spec',
      'non-empty object',
      describe(obj.parameters),
    );
  else {
    for (const [rawKey, spec] of Object.entries(obj.parameters)) {
      const path = `$.parameters.${rawKey}`;
      let key = rawKey;
      if (!(TRIAL_CONFIG_KEYS as string[]).includes(rawKey)) {
        const alias = KEY_ALIASES[rawKey];
        if (alias) {
          key = alias;
          p.warn(path, `"${rawKey}" is read as "${alias}"`);
        } else {
          p.error(
            path,
            `unknown parameter "${rawKey}"${didYouMean(rawKey, TRIAL_CONFIG_KEYS)}`,
            'a trial key (core/config.ts)',
            `"${rawKey}"`,
          );
          continue;
        }
      }
      if (key in parameters || Object.values(paramPath).includes(path)) {
        p.error(path, `"${key}" is given twice`, 'one spec per key', `"${rawKey}"`);
        continue;
      }
      const s = parseParam(p, key, spec, path);
      if (s) {
        parameters[key] = s;
        paramPath[key] = path;
      }
    }
  }

  // method-specific rules
  if (method === 'grid') {
    for (const [k, s] of Object.entries(parameters)) {
      if (!GRID_DISTRIBUTIONS.has(s.distribution)) {
        p.error(
          `${paramPath[k]}.distribution`,
          'grid search needs discrete parameters',
          'value | values | int_uniform | q_uniform',
          `distribution ${s.distribution}`,
        );
      }
    }
  } else if (
    method === 'random' &&
    maxTrials === undefined &&
    !('max_trials' in obj) &&
    !('run_cap' in obj)
  ) {
    p.error(
      '$.max_trials',
      'random search needs a number of trials: max_trials (or W&B run_cap)',
      `an integer 1…${MAX_TRIALS}`,
      'nothing',
    );
  }
  if (early && metric?.name === 'test_accuracy')
    p.warn('$.early_terminate', 'test accuracy exists only at the end: rungs compare val_accuracy');

  if (p.errorCount > 0 || !dataset || !metric || !method || seed === undefined)
    return { ok: false, problems: p.list };

  const sweep: Sweep = { name, dataset, metric, method, seed, parameters, source_format: format };
  if (maxTrials !== undefined) sweep.max_trials = maxTrials;
  if (maxConcurrency !== undefined) sweep.max_concurrency = maxConcurrency;
  if (maxCost !== undefined) sweep.max_cost_usd = maxCost;
  if (maxMinutes !== undefined) sweep.max_minutes = maxMinutes;
  if (early) sweep.early_terminate = early;
  if (price) sweep.price = price;

  // conditions, grid size, then the expansion itself (every trial config validated).
  const compiled = compileParams(sweep, p, paramPath);
  if (!compiled) return { ok: false, problems: p.list };
  if (method === 'grid') {
    const n = countGrid(compiled);
    if (n === undefined) {
      p.error(
        '$.parameters',
        'conditions make the grid too complex to count',
        `at most ${GRID_COMPLEXITY_LIMIT} condition branches`,
        'more',
      );
      return { ok: false, problems: p.list };
    }
    if (n > MAX_TRIALS) {
      p.error(
        '$.parameters',
        `the grid has ${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} trials; use method random with max_trials, or fewer values`,
        `at most ${MAX_TRIALS.toLocaleString('en-US')} trials`,
        `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} trials`,
      );
      return { ok: false, problems: p.list };
    }
  }
  const trials = expandChecked(sweep, compiled, p, paramPath);
  if (!trials) return { ok: false, problems: p.list };
  if (early) {
    const maxEpochs = Math.max(...trials.map((t) => t.config.epochs));
    if (early.min_iter >= maxEpochs)
      p.warn(
        '$.early_terminate.min_iter',
        `min_iter ${early.min_iter} ≥ the longest trial (${maxEpochs} epochs): nothing is ever pruned`,
      );
  }
  if (
    sweep.max_trials !== undefined &&
    method === 'grid' &&
    trials.length < sweep.max_trials &&
    trials.length > 0
  ) {
    // fine: max_trials only truncates
  }
  if (method === 'random' && sweep.max_trials !== undefined && trials.length < sweep.max_trials)
    p.warn(
      '$.max_trials',
      `only ${plural(trials.length, 'distinct trial')} exist in this space (asked for ${sweep.max_trials})`,
    );
  rememberExpansion(sweep, trials);
  return { ok: true, value: sweep, warnings: p.list };
}

function positionToLineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}

/** Parse a sweep file's text: JSON or YAML (by extension, else sniffed), ours or W&B's. */
export function parseSweep(text: string, opts: { filename?: string } = {}): Parsed<Sweep> {
  const ext = opts.filename?.toLowerCase().match(/\.(json|ya?ml)$/)?.[1];
  const asJson = ext ? ext === 'json' : /^\s*\{/.test(text);
  let obj: unknown;
  if (asJson) {
    try {
      obj = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message.replace(/\s+/g, ' ');
      const m = /position (\d+)/.exec(msg);
      // V8 does not always give a position: then our own scan locates it.
      const pos = m ? Number(m[1]) : jsonErrorPosition(text);
      const where = pos !== undefined ? positionToLineCol(text, pos) : undefined;
      return {
        ok: false,
        problems: [
          {
            path: '$',
            message: `JSON syntax error${where ? ` at line ${where.line}, column ${where.col}` : ''}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`,
            expected: 'valid JSON',
            found: where
              ? `line ${where.line}: ${JSON.stringify((text.split('\n')[where.line - 1] ?? '').trim().slice(0, 60))}`
              : 'invalid JSON',
            severity: 'error',
          },
        ],
      };
    }
  } else {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        problems: doc.errors.map((err) => {
          const lp = err.linePos?.[0];
          return {
            path: '$',
            message: `YAML syntax error${lp ? ` at line ${lp.line}, column ${lp.col}` : ''}: ${err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
            expected: 'valid YAML',
            found: lp
              ? `line ${lp.line}: ${JSON.stringify((text.split('\n')[lp.line - 1] ?? '').trim().slice(0, 60))}`
              : 'invalid YAML',
            severity: 'error' as const,
          };
        }),
      };
    }
    obj = doc.toJS();
  }
  return parseSweepObject(obj, opts);
}
