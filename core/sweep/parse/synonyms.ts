/**
 * The names people use for our trial keys and values, and how to write ours. A synonym with the same
 * meaning and values is read as ours (with a warning); one whose values mean something else (a hidden width
 * is not a net) is refused with how to write ours. Suggestions never guess across meanings: `eta` is a
 * learning rate here, not `beta1`.
 */
import { ACTIVATIONS, INITS, LOSSES, NORMALIZATIONS, OPTIMIZERS, type TrialConfig } from '../../config.ts';

type Key = keyof TrialConfig;

/** Our keys by what they are about (every trial key is in exactly one group). */
export const KEY_GROUPS: Record<string, readonly Key[]> = {
  model: ['layers', 'activation', 'leaky_slope', 'init', 'loss'],
  optimizer: ['optimizer', 'learning_rate', 'momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho'],
  regularisation: ['l2', 'weight_decay', 'dropout', 'augment_shift'],
  data: ['batch_size', 'normalize', 'validation_split', 'train_shards'],
  schedule: ['epochs', 'lr_schedule', 'seed'],
  compute: ['engine'],
};

/** `model: layers, activation, …; optimizer: …` — the valid keys, for a refusal's "expected". */
export const GROUPED_KEYS = Object.entries(KEY_GROUPS)
  .map(([g, ks]) => `${g}: ${ks.join(', ')}`)
  .join('; ');

const NET =
  'the whole net is one key: layers: {values: ["784-128-64-10", "784-256-10"]} (input-hidden…-output sizes); a hidden width or a layer count alone is not a net';

const DATASET =
  'the data set is one per sweep, at the top level: dataset: mnist (run one sweep per data set)';

/** Other names for our keys → ours (read as ours, with a warning). */
export const KEY_SYNONYMS: Record<string, Key> = {
  lr: 'learning_rate',
  eta: 'learning_rate',
  learningrate: 'learning_rate',
  learning_rate_init: 'learning_rate',
  num_epochs: 'epochs',
  n_epochs: 'epochs',
  epoch: 'epochs',
  max_epochs: 'epochs',
  dropout_rate: 'dropout',
  dropout_p: 'dropout',
  dropout_prob: 'dropout',
  p_dropout: 'dropout',
  optimiser: 'optimizer',
  optim: 'optimizer',
  activation_function: 'activation',
  activation_fn: 'activation',
  weight_init: 'init',
  init_strategy: 'init',
  initializer: 'init',
  initialization: 'init',
  l2_coeff: 'l2',
  l2_reg: 'l2',
  l2_lambda: 'l2',
  alpha: 'l2',
  decay: 'weight_decay',
  wd: 'weight_decay',
  adam_beta1: 'beta1',
  beta_1: 'beta1',
  adam_beta2: 'beta2',
  beta_2: 'beta2',
  adam_eps: 'epsilon',
  adam_epsilon: 'epsilon',
  eps: 'epsilon',
  batch: 'batch_size',
  batchsize: 'batch_size',
  loss_function: 'loss',
  criterion: 'loss',
  random_seed: 'seed',
};

const WD_NOTE = 'ours is decoupled, as AdamW: W ← W − lr·weight_decay·W; for an L2 term in the loss use l2';

/** What a synonym's warning adds where ours differs in a detail. */
export const SYNONYM_NOTES: Partial<Record<string, string>> = {
  decay: WD_NOTE,
  wd: WD_NOTE,
  alpha: "read as scikit-learn's L2 strength: ours adds ½·l2·ΣW² to the loss",
};

/** Names whose values mean something else than any of our keys': refused with how to write ours. */
export const KEY_HINTS: Record<string, string> = {
  hidden_size: NET,
  hidden_units: NET,
  hidden_layer_size: NET,
  hidden_layer_sizes: NET,
  hidden_dim: NET,
  fc_layer_size: NET,
  layer_size: NET,
  num_layers: NET,
  n_layers: NET,
  hidden_layers: NET,
  num_hidden_layers: NET,
  units: NET,
  neurons: NET,
  dataset: DATASET,
  data: DATASET,
  keep_prob: 'write dropout = 1 − keep_prob, e.g. keep_prob 0.8 → dropout: {value: 0.2}',
  beta: "say which beta: rho (RMSprop's decay), momentum (SGD) or beta1 (Adam)",
  lr_scheduler:
    'write lr_schedule with whole schedules: {values: [{type: constant}, {type: cosine}, {type: step, step_size: 2, gamma: 0.5}]}',
  scheduler:
    'write lr_schedule with whole schedules: {values: [{type: constant}, {type: cosine}, {type: step, step_size: 2, gamma: 0.5}]}',
};

/** Hints for names the table does not list, by what they contain (`no_of_hidden_layers`, `hidden_size_1`). */
const HINT_PATTERNS: [RegExp, string][] = [
  [/hidden|layer|neuron|units?$|width/, NET],
  [/^l2_|_l2$|weight_penalty/, 'write l2 (½·l2·ΣW² in the loss) or weight_decay (decoupled, as AdamW)'],
];

/** How to write ours for a name (normalised) that is none of our keys, or undefined. */
export function keyHint(name: string): string | undefined {
  return KEY_HINTS[name] ?? HINT_PATTERNS.find(([re]) => re.test(name))?.[1];
}

/** The allowed strings of our enum-valued keys. */
export const ENUM_VALUES: Partial<Record<Key, readonly string[]>> = {
  optimizer: OPTIMIZERS,
  activation: ACTIVATIONS,
  loss: LOSSES,
  init: INITS,
  normalize: NORMALIZATIONS,
};

/** Other names for our values, by key (compared lower case, `-`/space as `_`): how to write ours. */
export const VALUE_HINTS: Partial<Record<Key, Record<string, string>>> = {
  optimizer: {
    nag: 'write optimizer: sgd with nesterov: true',
    nesterov: 'write optimizer: sgd with nesterov: true',
    momentum: 'write optimizer: sgd with momentum: 0.9',
    sgdm: 'write optimizer: sgd with momentum: 0.9',
    adamw: 'write optimizer: adam with weight_decay (decoupled, as AdamW)',
    nadam: 'not available here: adam, or sgd with nesterov: true',
    adagrad: 'not available here: sgd, adam or rmsprop',
  },
  activation: {
    logistic: 'write "sigmoid"',
    lrelu: 'write "leaky_relu" (slope: leaky_slope)',
    leakyrelu: 'write "leaky_relu" (slope: leaky_slope)',
    identity: 'no linear hidden layer here: leave the layer out of layers',
    linear: 'no linear hidden layer here: leave the layer out of layers',
  },
  loss: {
    mean_squared_error: 'write "mse"',
    squared_error: 'write "mse"',
    l2: 'write "mse"',
    categorical_crossentropy: 'write "cross_entropy"',
    sparse_categorical_crossentropy: 'write "cross_entropy"',
    crossentropy: 'write "cross_entropy"',
    ce: 'write "cross_entropy"',
    nll: 'write "cross_entropy" (softmax + negative log-likelihood)',
  },
  init: {
    xavier: 'write "glorot_uniform"',
    xavier_uniform: 'write "glorot_uniform"',
    glorot: 'write "glorot_uniform"',
    he: 'write "he_normal"',
    kaiming: 'write "he_normal"',
    kaiming_normal: 'write "he_normal"',
    random: 'no plain random init here: "glorot_uniform" or "he_normal"',
  },
  normalize: {
    standard: 'write "standardize"',
    zscore: 'write "standardize"',
    minmax: 'write "scale01"',
  },
};

/** A name as compared against the tables: lower case, `-` and spaces as `_`. */
export const normalName = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '_');
