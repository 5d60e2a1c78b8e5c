/**
 * Whether a trial config can train on a data set: the net's ends fit its inputs and outputs, the loss fits
 * its task, and image-only keys are not asked of a table. The sweep's validation says the same earlier,
 * from the data set's manifest (core/sweep/parse/task.ts); this is the trainer's own guard.
 */
import { CLASSIFICATION_LOSSES, REGRESSION_LOSSES, TRIAL_DEFAULTS, type TrialConfig } from '../config.ts';
import type { TrainingSet } from './rows.ts';

/** Thrown when the data set's shape does not fit the config's input/output layer, loss or keys. */
export class DataMismatchError extends Error {
  readonly code = 'DATA_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'DataMismatchError';
  }
}

/** The first reason `config` cannot train on `set`, or undefined. */
export function mismatch(config: TrialConfig, set: TrainingSet): string | undefined {
  const sizes = config.layers;
  const last = sizes[sizes.length - 1]!;
  if (sizes[0] !== set.inputs) return `layers[0] is ${sizes[0]} but ${set.name} has ${set.inputsText}`;
  if (last !== set.outputs) {
    return set.task === 'regression'
      ? `the output layer has ${last} units but ${set.name} is a regression (1 output)`
      : `the output layer has ${last} units but ${set.name} has ${set.outputs} classes`;
  }
  const losses: readonly string[] = set.task === 'regression' ? REGRESSION_LOSSES : CLASSIFICATION_LOSSES;
  if (!losses.includes(config.loss)) {
    return `loss is ${config.loss} but ${set.name} is a ${set.task}: use ${losses.join(' or ')}`;
  }
  if (set.kind === 'table' && config.augment_shift !== TRIAL_DEFAULTS.augment_shift) {
    return `augment_shift is ${config.augment_shift} but ${set.name} is a table (shifts are for images): leave it out`;
  }
  return undefined;
}
