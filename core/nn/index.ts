/** The MLP training engine: public API. */
export { EVAL_ROWS, estimateTrainingBytes, flopsPerEpoch } from './budget.ts';
export { Xoshiro128ss } from './prng.ts';
export { decodeSafetensors } from './safetensors.ts';
export { configHash, StateMismatchError } from './state.ts';
export {
  createTrainer,
  DataMismatchError,
  resumeTrainer,
  type Trainer,
  type TrainerOptions,
  type TrainerStatus,
} from './trainer.ts';
