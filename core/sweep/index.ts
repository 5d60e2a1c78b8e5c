/** Sweep files and search: schema, W&B compatibility, expansion, samplers, pruners, budgets, cost. */
export {
  checkBudget,
  DEFAULT_PRICES,
  type Estimate,
  estimateSweep,
  PRICES_AS_OF,
  REQUESTS_PER_INVOCATION,
  type Spent,
  spentOf,
  trialCostUsd,
} from './cost.ts';
export { countGrid, discreteValues, expandTrials, trialId } from './expand.ts';
export { isBetter, metricValue, pruneMetric } from './metric.ts';
export { sendOrder, trialWork } from './order.ts';
export {
  BUILTIN_DATASETS,
  checkNetFits,
  checkTaskFits,
  type DatasetShape,
  datasetShape,
  KEY_HINTS,
  KEY_SYNONYMS,
  type ManifestShape,
  metricAlias,
  NATURAL_GOAL,
  parseSweep,
  parseSweepObject,
  unknownDatasetText,
  VALUE_HINTS,
  withMaxTrials,
  withTopLevel,
} from './parse/index.ts';
export { formatProblem, ProblemList, problemLine } from './problems.ts';
export {
  AshaPruner,
  ashaDecision,
  BRACKET_STRIDE,
  bracketCount,
  bracketOf,
  createPruner,
  HyperbandPruner,
  NopPruner,
  type PruneDecision,
  type PruneReport,
  type Pruner,
  type RungRecord,
  rungEpochs,
} from './pruners/index.ts';
export {
  createSampler,
  ListSampler,
  type Objective,
  type Observation,
  type ObservationState,
  Rng,
  type Sampler,
  type SamplerMethod,
  sample,
} from './samplers/index.ts';
export { DEFAULT_RANDOM_TRIALS, MAX_TRIALS, sweepFileSchema } from './schema.ts';
export type {
  Condition,
  Distribution,
  EarlyTerminate,
  MetricName,
  MetricSpec,
  ParamSpec,
  PriceTable,
  Sweep,
  TrialSpec,
} from './types.ts';
export { DISTRIBUTIONS, METRIC_NAMES } from './types.ts';
