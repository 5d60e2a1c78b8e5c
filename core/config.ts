/**
 * The canonical trial configuration: one set of snake_case keys shared by the core trainer, the sweep
 * file's `parameters`, the CLI's `train --config` and every queue message.
 *
 * Defaults (applied by `parseTrialConfig`) are the ones a seed notebook would have used:
 *   layers [784,128,64,10], relu, cross_entropy, adam lr 1e-3 (β1 .9, β2 .999, ε 1e-8), batch 64,
 *   5 epochs, seed 0, scale01 inputs, 10% validation, glorot_uniform init, no L2 / dropout.
 *
 * L2 convention (`l2`): the loss gains ½·l2·Σ‖W‖² over weight matrices (not biases), so `l2·W` is added
 * to each weight gradient before the optimizer step (coupled, as Keras' kernel_regularizer with
 * l2/2 or PyTorch SGD's `weight_decay`). `weight_decay` is decoupled (AdamW): after the optimizer step
 * W ← W − lr·weight_decay·W.
 */
import { z } from 'zod';

/** Ids that become parts of store keys: data set names and versions, sweep and trial ids. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const ID_RULE = '1-128 of [A-Za-z0-9._-], starting alphanumeric, no ".."';
export const isId = (v: unknown): v is string =>
  typeof v === 'string' && ID_PATTERN.test(v) && !v.includes('..');

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const LOSSES = ['cross_entropy', 'mse'] as const;
export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
export const INITS = ['glorot_uniform', 'he_normal'] as const;
export const NORMALIZATIONS = ['scale01', 'standardize', 'pm1'] as const;
/** Kernels that train a trial (core/nn/README.md): WebAssembly SIMD128 (default, fastest) or the scalar reference. */
export const ENGINES = ['simd', 'scalar'] as const;
export type Engine = (typeof ENGINES)[number];

/** Largest unit count of one layer we accept (guards memory before anything is allocated). */
export const MAX_LAYER_UNITS = 4096;
/** Largest parameter count of a whole net (≈ 64 MB of float32 weights, ×4 with Adam state + grads). */
export const MAX_PARAMETERS = 16_000_000;

/** `layers` may be written "784-128-64-10" or [784,128,64,10]; canonical form is the array. */
const layersSchema = z
  .union([
    z.array(z.number().int().min(1).max(MAX_LAYER_UNITS)).min(2),
    z
      .string()
      .regex(/^\d+(-\d+)+$/, 'layer sizes joined by "-", e.g. "784-128-64-10"')
      .transform((s) => s.split('-').map(Number)),
  ])
  .pipe(z.array(z.number().int().min(1).max(MAX_LAYER_UNITS)).min(2));

export const lrScheduleSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant') }),
  z.strictObject({
    type: z.literal('step'),
    step_size: z.number().int().min(1).default(1),
    gamma: z.number().gt(0).max(1).default(0.5),
  }),
  z.strictObject({ type: z.literal('cosine'), min_lr: z.number().min(0).default(0) }),
]);
export type LrSchedule = z.infer<typeof lrScheduleSchema>;

const unit = z.number().min(0).lt(1);

export const trialConfigSchema = z
  .strictObject({
    layers: layersSchema.default([784, 128, 64, 10]),
    /** One activation for every hidden layer, or one per hidden layer. */
    activation: z.union([z.enum(ACTIVATIONS), z.array(z.enum(ACTIVATIONS)).min(1)]).default('relu'),
    leaky_slope: z.number().min(0).lt(1).default(0.01),
    loss: z.enum(LOSSES).default('cross_entropy'),
    optimizer: z.enum(OPTIMIZERS).default('adam'),
    learning_rate: z.number().gt(0).max(100).default(0.001),
    momentum: unit.default(0),
    nesterov: z.boolean().default(false),
    beta1: unit.default(0.9),
    beta2: unit.default(0.999),
    epsilon: z.number().gt(0).max(1).default(1e-8),
    rho: unit.default(0.9),
    l2: z.number().min(0).max(10).default(0),
    weight_decay: z.number().min(0).max(10).default(0),
    /** Inverted dropout probability on each hidden layer's output (one value, or one per hidden layer). */
    dropout: z.union([unit, z.array(unit).min(1)]).default(0),
    init: z.enum(INITS).default('glorot_uniform'),
    batch_size: z.number().int().min(1).max(4096).default(64),
    epochs: z.number().int().min(1).max(1000).default(5),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    normalize: z.enum(NORMALIZATIONS).default('scale01'),
    validation_split: z.number().min(0).max(0.5).default(0.1),
    lr_schedule: lrScheduleSchema.default({ type: 'constant' }),
    /** Seeded random shifts of the training images by up to this many pixels (0 = off). */
    augment_shift: z.number().int().min(0).max(4).default(0),
    /** Train on the first k training shards only (low-fidelity runs); undefined = all. */
    train_shards: z.number().int().min(1).optional(),
    /** Which kernels train (results and checkpoints are engine-specific in their last bits). */
    engine: z.enum(ENGINES).default('simd'),
  })
  .superRefine((c, ctx) => {
    const hidden = c.layers.length - 2;
    if (Array.isArray(c.activation) && c.activation.length !== hidden) {
      ctx.addIssue({
        code: 'custom',
        path: ['activation'],
        message: `expected ${hidden} activations (one per hidden layer of ${c.layers.join('-')}), found ${c.activation.length}`,
      });
    }
    if (Array.isArray(c.dropout) && c.dropout.length !== hidden) {
      ctx.addIssue({
        code: 'custom',
        path: ['dropout'],
        message: `expected ${hidden} dropout rates (one per hidden layer of ${c.layers.join('-')}), found ${c.dropout.length}`,
      });
    }
    const params = parameterCount(c.layers);
    if (params > MAX_PARAMETERS) {
      ctx.addIssue({
        code: 'custom',
        path: ['layers'],
        message: `expected at most ${MAX_PARAMETERS} parameters, found ${params} for ${c.layers.join('-')}`,
      });
    }
  });

/** A fully-defaulted, validated trial configuration. */
export type TrialConfig = z.output<typeof trialConfigSchema>;
/** What a user may write: every key optional. */
export type TrialConfigInput = z.input<typeof trialConfigSchema>;
export const TRIAL_CONFIG_KEYS = Object.keys(trialConfigSchema.shape) as (keyof TrialConfig)[];
/** Every key at its default (what an empty config becomes). */
export const TRIAL_DEFAULTS: Readonly<TrialConfig> = trialConfigSchema.parse({});

export function parameterCount(layers: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < layers.length; i++) n += layers[i - 1]! * layers[i]! + layers[i]!;
  return n;
}

/** Activation of hidden layer `i` (0-based). */
export function hiddenActivation(c: TrialConfig, i: number): Activation {
  return Array.isArray(c.activation) ? c.activation[i]! : c.activation;
}

/** Dropout rate after hidden layer `i` (0-based). */
export function hiddenDropout(c: TrialConfig, i: number): number {
  return Array.isArray(c.dropout) ? c.dropout[i]! : c.dropout;
}

/** One problem with an input, as data: where, what was expected, what was found. */
export interface Problem {
  /** JSON path, e.g. `$.parameters.learning_rate.min`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
  /** `notice`: no problem, but something the user should know (a default that applies, a reading). */
  severity: 'error' | 'warning' | 'notice';
}

/** Render a path array as `$.a.b[0]`. */
export function jsonPath(base: string, path: readonly PropertyKey[]): string {
  let s = base;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return s;
}

export function zodProblems(error: z.ZodError, base = '$'): Problem[] {
  return error.issues.map((i) => ({ path: jsonPath(base, i.path), message: i.message, severity: 'error' }));
}

export type Parsed<T> = { ok: true; value: T; warnings: Problem[] } | { ok: false; problems: Problem[] };

/** Validate and default a trial config; errors name the exact key. */
export function parseTrialConfig(input: unknown, base = '$'): Parsed<TrialConfig> {
  const r = trialConfigSchema.safeParse(input);
  return r.success
    ? { ok: true, value: r.data, warnings: [] }
    : { ok: false, problems: zodProblems(r.error, base) };
}
