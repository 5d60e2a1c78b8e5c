/**
 * Whether a sweep fits its data set's task and kind, beside the net's shape (dataset.ts `checkNetFits`):
 * the metric and the loss must be the task's (a regression ranks by val_rmse, val_mae, val_r2 or val_loss
 * and trains with mse or huber; a classification by the accuracies or val_loss, with cross_entropy or
 * mse), and image-only keys (`normalize`, `augment_shift`) are refused for a table, whose features were
 * standardised when it was prepared. Every refusal says how to write it instead.
 */
import { CLASSIFICATION_LOSSES, REGRESSION_LOSSES } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import { METRIC_NAMES, REGRESSION_METRICS, type Sweep } from '../types.ts';
import { type DatasetShape, valueChoices } from './dataset.ts';

type Checked = Pick<Sweep, 'parameters' | 'dataset' | 'metric'>;

export function checkTaskFits(
  p: ProblemList,
  sweep: Checked,
  shape: DatasetShape,
  paths: Record<string, string> = {},
): void {
  const ds = sweep.dataset.name;
  const regression = shape.task === 'regression';
  const task = regression ? 'a regression' : 'a classification';
  const metrics = METRIC_NAMES.filter(
    (m) => REGRESSION_METRICS.includes(m) === regression || m === 'val_loss',
  );
  const { name } = sweep.metric;
  if (!metrics.includes(name)) {
    const fix = regression
      ? 'metric: {name: val_rmse} (minimized)'
      : 'metric: {name: val_accuracy} (maximized)';
    const dflt = name === 'val_accuracy' ? ' (the default when the file gives no metric)' : '';
    p.error(
      '$.metric.name',
      `metric ${name}${dflt} is not one of ${task}'s, and data set ${ds} is ${task}: write ${fix}, or another of ${metrics.join(', ')}`,
      metrics.join(' | '),
      name,
    );
  }
  const losses: readonly string[] = regression ? REGRESSION_LOSSES : CLASSIFICATION_LOSSES;
  const lossPath = paths.loss ?? '$.parameters.loss';
  for (const c of valueChoices('loss', sweep.parameters.loss, lossPath)) {
    if (losses.includes(String(c.value))) continue;
    const what = c.given ? `loss ${c.value}` : `loss is not given, and its default ${c.value}`;
    const fix = c.given
      ? `write ${losses.join(' or ')}`
      : `add "loss": {"value": "${losses[0]}"} (or ${losses[1]}) to parameters`;
    p.error(
      c.path,
      `${what} is not ${task}'s loss, and data set ${ds} is ${task}: ${fix}`,
      losses.join(' | '),
      String(c.value),
    );
  }
  if (!shape.table) return;
  for (const key of ['normalize', 'augment_shift'] as const) {
    if (!sweep.parameters[key]) continue;
    p.error(
      paths[key] ?? `$.parameters.${key}`,
      `${key} is for images, and data set ${ds} is a table (its features were standardised when it was prepared): remove ${key}`,
      'no such key for a table',
      key,
    );
  }
}
