/** The W&B dialect: keys W&B has and we ignore, and the names other tools use for ours. */
import type { TrialConfig } from '../../config.ts';
import type { MetricName } from '../types.ts';

/** W&B keys that do not apply here: accepted and ignored with a warning. */
export const WANDB_IGNORED = [
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
/** Keys only a W&B file has: one of them (or `method: bayes`) makes a file W&B's. */
export const WANDB_ONLY: readonly string[] = [...WANDB_IGNORED, 'run_cap'];

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
