/** `metric`: what trials are ranked by, and in which direction. */
import type { ProblemList } from '../problems.ts';
import { METRIC_NAMES, type MetricName, type MetricSpec, type Sweep } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { didYouMean, readEnum } from './read.ts';
import { METRIC_ALIASES } from './wandb.ts';

export const NATURAL_GOAL: Record<MetricName, MetricSpec['goal']> = {
  val_accuracy: 'maximize',
  test_accuracy: 'maximize',
  val_loss: 'minimize',
};

export function parseMetric(
  p: ProblemList,
  raw: unknown,
  format: Sweep['source_format'],
): MetricSpec | undefined {
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
