/**
 * The sweep file's shape in our (native) format, as a zod schema: the source of `sweep.schema.json`
 * (`scripts/gen-sweep-schema.ts`, for editor completion). Parsing itself (`parse/`) is hand-written
 * so that every problem names its JSON path, what was expected and what was found, and so that W&B
 * files are accepted too; it uses the same tables below (distribution fields, limits, key classes).
 */
import { z } from 'zod';
import { ID_PATTERN, ID_RULE, TRIAL_CONFIG_KEYS, type TrialConfig } from '../config.ts';
import { DISTRIBUTIONS, type Distribution, METRIC_NAMES } from './types.ts';

/** Largest grid (or random sample count) we expand. */
export const MAX_TRIALS = 100_000;
/** Trials of a random search that gives no number (W&B runs until stopped; `--max-trials` overrides). */
export const DEFAULT_RANDOM_TRIALS = 50;
export const MAX_CONCURRENCY = 1000;
/** Largest epoch count (the trial schema's bound): also the default `max_iter` of early termination. */
export const MAX_EPOCHS = 1000;

/** Fields of each distribution: required ones, and optional ones with their (W&B) defaults. */
export const DIST_FIELDS: Record<
  Distribution,
  { required: readonly string[]; defaults: Record<string, number> }
> = {
  constant: { required: ['value'], defaults: {} },
  categorical: { required: ['values'], defaults: {} },
  categorical_w_probabilities: { required: ['values', 'probabilities'], defaults: {} },
  int_uniform: { required: ['min', 'max'], defaults: {} },
  uniform: { required: ['min', 'max'], defaults: {} },
  q_uniform: { required: ['min', 'max'], defaults: { q: 1 } },
  log_uniform: { required: ['min', 'max'], defaults: {} },
  log_uniform_values: { required: ['min', 'max'], defaults: {} },
  q_log_uniform: { required: ['min', 'max'], defaults: { q: 1 } },
  q_log_uniform_values: { required: ['min', 'max'], defaults: { q: 1 } },
  inv_log_uniform: { required: ['min', 'max'], defaults: {} },
  inv_log_uniform_values: { required: ['min', 'max'], defaults: {} },
  normal: { required: [], defaults: { mu: 0, sigma: 1 } },
  q_normal: { required: [], defaults: { mu: 0, sigma: 1, q: 1 } },
  log_normal: { required: [], defaults: { mu: 0, sigma: 1 } },
  q_log_normal: { required: [], defaults: { mu: 0, sigma: 1, q: 1 } },
  beta: { required: [], defaults: { a: 1, b: 1 } },
  q_beta: { required: [], defaults: { a: 1, b: 1, q: 1 } },
};
export const PARAM_FIELDS = [
  'distribution',
  'value',
  'values',
  'probabilities',
  'min',
  'max',
  'mu',
  'sigma',
  'q',
  'a',
  'b',
  'when',
];

/** Distributions a grid can enumerate (W&B's rule: constant, categorical, int_uniform, q_uniform). */
export const GRID_DISTRIBUTIONS: ReadonlySet<Distribution> = new Set([
  'constant',
  'categorical',
  'int_uniform',
  'q_uniform',
]);

/** Trial keys that take real numbers / integers from numeric distributions; the others need value/values. */
export const REAL_KEYS: ReadonlySet<string> = new Set([
  'leaky_slope',
  'learning_rate',
  'momentum',
  'beta1',
  'beta2',
  'epsilon',
  'rho',
  'l2',
  'weight_decay',
  'dropout',
  'validation_split',
]);
export const INTEGER_KEYS: ReadonlySet<string> = new Set([
  'batch_size',
  'epochs',
  'seed',
  'augment_shift',
  'train_shards',
]);

const id = z
  .string()
  .regex(ID_PATTERN)
  .refine((s) => !s.includes('..'))
  .describe(ID_RULE);

const condition = z.record(z.string(), z.unknown()).meta({
  id: 'Condition',
  description:
    'Active only when every listed trial key has one of the given values, e.g. {"optimizer": "sgd"} or {"optimizer": ["sgd", "rmsprop"]}; otherwise the key takes its default and does not multiply the grid.',
});

function distSchema(d: Distribution): z.ZodType {
  const f = DIST_FIELDS[d];
  const shape: Record<string, z.ZodType> = {};
  const inferable =
    d === 'constant' ||
    d === 'categorical' ||
    d === 'categorical_w_probabilities' ||
    d === 'int_uniform' ||
    d === 'uniform';
  shape.distribution = inferable ? z.literal(d).optional() : z.literal(d);
  for (const r of f.required) {
    if (r === 'value') shape.value = z.unknown().describe('The one value');
    else if (r === 'values') shape.values = z.array(z.unknown()).min(1).describe('Discrete values');
    else if (r === 'probabilities') shape.probabilities = z.array(z.number().min(0)).min(1);
    else shape[r] = d === 'int_uniform' ? z.number().int() : z.number();
  }
  for (const [k, v] of Object.entries(f.defaults)) {
    shape[k] = (k === 'q' ? z.number().gt(0) : k === 'mu' ? z.number() : z.number().gt(0)).default(v);
  }
  shape.when = condition.optional();
  return z.strictObject(shape).meta({ id: `param_${d}`, description: DIST_DOCS[d] });
}

export const DIST_DOCS: Record<Distribution, string> = {
  constant: 'A fixed value: {"value": x}',
  categorical: 'One of the listed values, uniformly: {"values": [...]}',
  categorical_w_probabilities: 'One of the listed values with the given probabilities (random search only)',
  int_uniform: 'Integer uniform on [min, max] (inferred when min and max are integers)',
  uniform: 'Real uniform on [min, max] (inferred when min/max are not both integers)',
  q_uniform: 'round(U(min, max) / q) · q; a grid enumerates min, min+q, … < max',
  log_uniform: 'exp(U(min, max)): min/max are NATURAL-LOG exponents',
  log_uniform_values: 'exp(U(ln min, ln max)): log-uniform between the values min and max',
  q_log_uniform: 'round(exp(U(min, max)) / q) · q (min/max are natural-log exponents)',
  q_log_uniform_values: 'round(exp(U(ln min, ln max)) / q) · q',
  inv_log_uniform: 'exp(−U(min, max)) (min/max are natural-log exponents of 1/x)',
  inv_log_uniform_values: 'exp(−U(−ln max, −ln min)): between the values min and max',
  normal: 'Normal(mu, sigma)',
  q_normal: 'round(Normal(mu, sigma) / q) · q',
  log_normal: 'exp(Normal(mu, sigma))',
  q_log_normal: 'round(exp(Normal(mu, sigma)) / q) · q',
  beta: 'Beta(a, b)',
  q_beta: 'round(Beta(a, b) / q) · q',
};

export const paramSpecSchema = z.union(
  DISTRIBUTIONS.map(distSchema) as [z.ZodType, z.ZodType, ...z.ZodType[]],
);

const priceSchema = z.strictObject({
  arm64_gb_s: z.number().min(0).optional(),
  x86_64_gb_s: z.number().min(0).optional(),
  request: z.number().min(0).optional(),
  sqs_request: z.number().min(0).optional(),
  s3_put: z.number().min(0).optional(),
  s3_get: z.number().min(0).optional(),
});

export const earlyTerminateSchema = z.strictObject({
  type: z.enum(['asha', 'hyperband']),
  min_iter: z.number().int().min(1).max(MAX_EPOCHS).describe('First rung, in epochs'),
  eta: z.number().gt(1).default(3).describe('Reduction factor: the top 1/eta of each rung continue'),
  max_iter: z
    .number()
    .int()
    .min(1)
    .max(MAX_EPOCHS)
    .optional()
    .describe(`Last rung, in epochs (default ${MAX_EPOCHS})`),
});

/** The native sweep file. */
export const sweepFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1).max(200).optional().describe('Display name (default: the file name)'),
    dataset: z
      .union([id, z.strictObject({ name: id, version: id.optional() })])
      .optional()
      .describe('Prepared data set (default {"name": "mnist"})'),
    metric: z
      .strictObject({
        name: z.enum(METRIC_NAMES),
        goal: z
          .enum(['maximize', 'minimize'])
          .optional()
          .describe('Default: maximize for accuracies, minimize for losses'),
      })
      .optional()
      .describe('Metric to rank trials by (default val_accuracy, maximize)'),
    method: z.enum(['grid', 'random']),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .describe('Seed of random sampling'),
    parameters: z
      .strictObject(
        Object.fromEntries(TRIAL_CONFIG_KEYS.map((k) => [k, paramSpecSchema.optional()])) as Record<
          keyof TrialConfig,
          z.ZodOptional<typeof paramSpecSchema>
        >,
      )
      .describe('Search space over the canonical trial keys; keys not listed take their defaults'),
    max_trials: z
      .number()
      .int()
      .min(1)
      .max(MAX_TRIALS)
      .optional()
      .describe(`Truncates the expansion; random search without it runs ${DEFAULT_RANDOM_TRIALS} trials`),
    max_concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
    max_cost_usd: z
      .number()
      .gt(0)
      .optional()
      .describe('No trial starts once the recorded cost would exceed this'),
    max_minutes: z
      .number()
      .gt(0)
      .optional()
      .describe('No trial starts after this many minutes since the sweep started'),
    early_terminate: earlyTerminateSchema.optional(),
    price: priceSchema.optional().describe('Overrides of the price table (USD)'),
    source_format: z.enum(['native', 'wandb']).optional(),
  })
  .describe('A hyperparameter sweep over the MLP trial configuration (see core/sweep/README.md)');
