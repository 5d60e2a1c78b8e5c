/**
 * `metric`: what trials are ranked by, and in which direction. One objective `{name, goal}` for now; the
 * reading of one objective (`parseObjective`) is separate so that a list of them is a small addition.
 *
 * Names: ours, or another tool's for the same thing (`val_acc`, `validation_loss`, `epoch/val_loss`,
 * `val/accuracy`…): prefixes that only say when it was logged (`epoch/`, `final/`…) are dropped, the split
 * is `val` (also valid, validation, eval, dev; the default) or `test`; training metrics are never ranked.
 * Goal: the metric's own direction (maximize accuracies, minimize losses) unless given — whatever else the
 * file has (W&B's default would be minimize: a notice says so when that differs).
 */
import type { ProblemList } from '../problems.ts';
import { METRIC_NAMES, type MetricName, type MetricSpec, type Sweep } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { checkFields, didYouMean, readEnum } from './read.ts';

export const NATURAL_GOAL: Record<MetricName, MetricSpec['goal']> = {
  val_accuracy: 'maximize',
  test_accuracy: 'maximize',
  val_loss: 'minimize',
  val_rmse: 'minimize',
  val_mae: 'minimize',
  val_r2: 'maximize',
};
/** What each metric is, for the notice that says why its goal was chosen. */
const KIND: Record<MetricName, string> = {
  val_accuracy: 'an accuracy',
  test_accuracy: 'an accuracy',
  val_loss: 'a loss',
  val_rmse: 'an error',
  val_mae: 'an error',
  val_r2: 'a coefficient of determination (1 is a perfect fit)',
};
const DEFAULT_METRIC: MetricSpec = { name: 'val_accuracy', goal: 'maximize' };
/** W&B keys of a metric that do not apply here (warned about). */
const IGNORED_FIELDS = ['target', 'impute', 'impute_while_running'];
/** Path segments that only say when a metric was logged. */
const WHEN_LOGGED = new Set(['epoch', 'epochs', 'step', 'final', 'last', 'best', 'summary', 'metrics']);
const SPLITS: Record<string, 'val' | 'test' | 'train'> = {
  val: 'val',
  valid: 'val',
  validation: 'val',
  eval: 'val',
  dev: 'val',
  test: 'test',
  train: 'train',
  training: 'train',
};
const BASES: Record<string, 'accuracy' | 'loss' | 'rmse' | 'mae' | 'r2'> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  categorical_accuracy: 'accuracy',
  sparse_categorical_accuracy: 'accuracy',
  loss: 'loss',
  nll: 'loss',
  cross_entropy: 'loss',
  rmse: 'rmse',
  root_mean_squared_error: 'rmse',
  mae: 'mae',
  mean_absolute_error: 'mae',
  r2: 'r2',
  r2_score: 'r2',
};

/** Our metric for another tool's name, or why there is none. */
export function metricAlias(raw: string): { name: MetricName } | { hint: string } | undefined {
  const segments = raw
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '_')
    .split('/')
    .filter((s) => s && !WHEN_LOGGED.has(s));
  const m = /^(?:([a-z]+)_)?(.+)$/.exec(segments.join('_'));
  const split = m?.[1] && SPLITS[m[1]] ? SPLITS[m[1]] : undefined;
  const base = BASES[split ? (m?.[2] ?? '') : segments.join('_')];
  if (!base) return undefined;
  if (split === 'train') return { hint: `training metrics are never ranked here: use val_${base}` };
  if (split === 'test' && base !== 'accuracy')
    return { hint: `there is no test ${base} to rank by here: use val_${base}` };
  return { name: split === 'test' ? 'test_accuracy' : `val_${base}` };
}

function parseName(p: ProblemList, raw: unknown, path: string): MetricName | undefined {
  if (typeof raw === 'string' && (METRIC_NAMES as readonly string[]).includes(raw)) return raw as MetricName;
  const alias = typeof raw === 'string' ? metricAlias(raw) : undefined;
  if (alias && 'name' in alias) {
    p.warn(path, `metric "${raw}" is read as "${alias.name}"`);
    return alias.name;
  }
  const hint = alias ? `: ${alias.hint}` : typeof raw === 'string' ? didYouMean(raw, METRIC_NAMES) : '';
  p.error(path, `unknown metric${hint}`, METRIC_NAMES.join(' | '), describe(raw));
  return undefined;
}

/** One objective `{name, goal}` at `path`. */
export function parseObjective(p: ProblemList, raw: unknown, path: string): MetricSpec | undefined {
  if (!isRecord(raw)) {
    p.error(path, 'expected an object {name, goal}', 'object', describe(raw));
    return undefined;
  }
  const ok = checkFields(p, raw, path, ['name', 'goal', ...IGNORED_FIELDS]);
  for (const k of IGNORED_FIELDS) if (k in raw) p.warn(`${path}.${k}`, `W&B "${k}" is ignored`);
  const name = parseName(p, raw.name, `${path}.name`);
  if (!name || !ok) return undefined;
  if ('goal' in raw) {
    const goal = readEnum(p, raw.goal, `${path}.goal`, ['maximize', 'minimize'] as const);
    return goal ? { name, goal } : undefined;
  }
  const goal = NATURAL_GOAL[name];
  const why = `it is ${KIND[name]}`;
  const wandb = goal === 'minimize' ? '' : `; W&B's default would be minimize`;
  p.notice(`${path}.goal`, `no goal: ${name} is ${goal}d because ${why}${wandb} (write goal: to choose)`);
  return { name, goal };
}

/** The metric section; a W&B file without one is told what ranks its trials (ours documents the default). */
export function parseMetric(
  p: ProblemList,
  raw: unknown,
  format: Sweep['source_format'],
): MetricSpec | undefined {
  if (raw !== undefined) return parseObjective(p, raw, '$.metric');
  if (format === 'wandb')
    p.notice('$.metric', `no metric: trials are ranked by ${DEFAULT_METRIC.name} (${DEFAULT_METRIC.goal})`);
  return DEFAULT_METRIC;
}
