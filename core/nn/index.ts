/** The MLP training engine: public API. */
export { EVAL_ROWS, estimateTrainingBytes, flopsPerEpoch } from './budget.ts';
export { DataMismatchError, mismatch } from './fit.ts';
export { HUBER_DELTA } from './losses.ts';
export { Xoshiro128ss } from './prng.ts';
export { REGRESSION_POINTS } from './regression.ts';
export { type TrainingSet, trainingSet } from './rows.ts';
export { decodeSafetensors } from './safetensors.ts';
export { configHash, StateMismatchError } from './state.ts';
export {
  createTrainer,
  resumeTrainer,
  type TestOf,
  type Trainer,
  type TrainerOptions,
  type TrainerStatus,
} from './trainer.ts';
