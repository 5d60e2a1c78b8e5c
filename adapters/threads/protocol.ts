/**
 * Shared-memory protocol between the trainer thread and its gradient workers (no messages per batch).
 *
 * ctrl: Int32Array over a SharedArrayBuffer
 *   [GEN]   batch generation, bumped by the trainer to start a batch (workers Atomics.wait on it)
 *   [ROWS]  rows B of the current batch
 *   [DONE]  workers finished with the current generation (the trainer Atomics.waits on it)
 *   [STOP]  1 = exit
 *   [ERROR] 1 = a worker failed (message in its result slot is lost; see the worker's stderr)
 * res: Float64Array [T, 2]: Σ loss and #correct of each worker's rows (slot 0 unused: the trainer's own rows)
 */
import type { LossKind } from '../../core/nn/losses.ts';
import type { Dtype, ModelSpec } from '../../core/nn/model.ts';

export const GEN = 0;
export const ROWS = 1;
export const DONE = 2;
export const STOP = 3;
export const ERROR = 4;
export const CTRL_SLOTS = 5;

export type Floats = Float32Array | Float64Array;

/** What one worker receives (typed arrays over SharedArrayBuffers are shared, not copied). */
export interface WorkerInit {
  index: number;
  /** Rows per replica: ceil(batch_size / threads); replica t owns rows [t·chunk, (t+1)·chunk) ∩ [0, B). */
  chunk: number;
  spec: ModelSpec;
  dtype: Dtype;
  loss: LossKind;
  W: Floats[];
  b: Floats[];
  /** This replica's rows of the dropout masks (null where a layer has none). */
  M: (Floats | null)[];
  dW: Floats[];
  db: Floats[];
  input: Uint8Array;
  labels: Uint8Array;
  ctrl: Int32Array;
  res: Float64Array;
}
