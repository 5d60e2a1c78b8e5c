/**
 * How one training batch turns into gradients (who runs the kernels, not which kernels: that is the
 * model's Kernels, compute.ts). The trainer prepares rows [0, B) of model.input / model.labels and the
 * dropout masks, then asks its BatchEngine for the loss and the gradient of the batch-mean loss in
 * model.dW / model.db, then for the optimizer step (its own `step`, or opt.step). The default batch engine
 * runs in this thread; adapters/threads provides a data-parallel one (rows split over workers, partial
 * gradients summed in a fixed order, the step sliced over parameter ranges).
 */
import { type LossKind, type LossOut, lossForwardBackward } from './losses.ts';
import type { Mlp } from './model.ts';
import type { Optimizer } from './optimizers.ts';

export interface BatchEngine {
  /** Forward + loss + backward over rows [0, B); out receives Σ loss over the rows and #correct. */
  run(B: number, out: LossOut): void;
  /**
   * Optional: the optimizer step over the gradient of the last `run` (default: opt.step(lr, gradSq) on
   * this thread). Must increment opt.t once and leave the same result as opt.step would, up to the
   * summation order of gradSq.
   */
  step?(lr: number, gradSq: Float64Array): void;
  /** Releases threads or other resources. */
  close?(): Promise<void>;
}

export interface EngineProvider {
  /** The engine needs W, b, masks, input and labels visible to other threads. */
  shared: boolean;
  create(model: Mlp, loss: LossKind, batchSize: number, opt: Optimizer): BatchEngine;
}

/**
 * Forward + loss + backward over the first B rows of the model's buffers, with the loss gradient scaled
 * by `scale` (1/B_total, so partial gradients of row blocks add up to the batch-mean gradient).
 */
export function forwardBackward(m: Mlp, loss: LossKind, B: number, scale: number, out: LossOut): void {
  const K = m.spec.sizes[m.L]!;
  const logits = m.forward(B, true);
  lossForwardBackward(loss, logits, m.labels, B, K, m.P, m.dA[m.L - 1]!, scale, out);
  m.backward(B);
}

export const localEngine: EngineProvider = {
  shared: false,
  create: (m, loss) => ({
    run: (B, out) => forwardBackward(m, loss, B, 1 / B, out),
  }),
};
