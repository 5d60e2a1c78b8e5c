/**
 * Shared-memory protocol between the trainer thread and its gradient workers (no messages per batch:
 * one postMessage per engine to hand a pooled worker its job, then only Atomics on shared memory).
 *
 * ctrl: Int32Array over a SharedArrayBuffer
 *   [GEN]   generation, bumped by the trainer to start a command (workers Atomics.wait on it)
 *   [CMD]   the command of the current generation: GRAD, STEP or STOP (leave the job)
 *   [ROWS]  rows B of the current batch
 *   [DONE]  workers finished with the current generation (the trainer Atomics.waits on it)
 *   [ERROR] 1 = a worker failed (see its stderr)
 *   [T]     optimizer step (1-based) of the current STEP
 * num: Float64Array [LR, res (T × 2), sq (T × P)]
 *   LR: learning rate of the current STEP
 *   res[2t], res[2t+1]: Σ loss and #correct of replica t's rows (replica 0, the trainer's, unused)
 *   sq[t·P + p]: Σ g² of param p over thread t's slice (P params: W0, b0, W1, b1, …)
 */
import type { TrialConfig } from '../../core/config.ts';
import type { KernelsHandle } from '../../core/nn/compute.ts';
import type { LossKind } from '../../core/nn/losses.ts';
import type { ModelSpec } from '../../core/nn/model.ts';
import type { Optimizer } from '../../core/nn/optimizers.ts';

export const GEN = 0;
export const CMD = 1;
export const ROWS = 2;
export const DONE = 3;
export const ERROR = 4;
export const STEP_T = 5;
export const CTRL_SLOTS = 6;

export const CMD_GRAD = 1;
export const CMD_STEP = 2;
export const CMD_STOP = 3;

export const LR = 0;
export const RES = 1;
export const numSlots = (threads: number, params: number): number => 1 + 2 * threads + threads * params;
export const sqOffset = (threads: number): number => 1 + 2 * threads;

export type Floats = Float32Array | Float64Array;

/**
 * Atomics.load iterations (≈0.13 ms) a thread busy-waits for the other side before sleeping in
 * Atomics.wait: the gaps between phases are usually shorter than a futex wake-up on this kind of VM.
 */
export const SPINS = 20000;

export type OptConfig = Pick<
  TrialConfig,
  'optimizer' | 'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'epsilon' | 'rho' | 'l2' | 'weight_decay'
>;

/** What one worker receives for one engine (typed arrays over SharedArrayBuffers are shared, not copied). */
export interface WorkerInit {
  index: number;
  threads: number;
  /** Rows per replica: ceil(batch_size / threads); replica t owns rows [t·chunk, (t+1)·chunk) ∩ [0, B). */
  chunk: number;
  spec: ModelSpec;
  /** The trainer's kernels (same engine; SIMD: the same memory, where every buffer below lives). */
  kernels: KernelsHandle;
  loss: LossKind;
  opt: OptConfig;
  W: Floats[];
  b: Floats[];
  /** This replica's rows of the dropout masks (null where a layer has none). */
  M: (Floats | null)[];
  /** Gradient buffers of every replica, in params order (W0, b0, W1, b1, …); [0] is the trainer's. */
  grads: Floats[][];
  /** Optimizer moments (shared), as Optimizer.m / Optimizer.v. */
  m: Floats[];
  v: Floats[];
  input: Uint8Array;
  labels: Uint8Array;
  ctrl: Int32Array;
  num: Float64Array;
}

/** Elements of a length-n tensor that thread t of T reduces and steps: blocks of whole 64-byte lines. */
export function sliceOf(n: number, t: number, threads: number): [number, number] {
  const per = Math.ceil(n / threads / 16) * 16;
  return [Math.min(n, t * per), Math.min(n, (t + 1) * per)];
}

/**
 * Thread t's share of one optimizer step: for every param, sum the replicas' partial gradients over
 * its slice into grads[0] in replica order 0, 1, …, T−1 (replicas without rows in this batch skipped),
 * then apply the optimizer update to the slice; Σ g² of each slice goes to num.
 */
export function stepSlice(
  opt: Optimizer,
  grads: Floats[][],
  t: number,
  threads: number,
  chunk: number,
  B: number,
  lr: number,
  step: number,
  num: Float64Array,
): void {
  const P = opt.params.length;
  const sq = sqOffset(threads) + t * P;
  let replicas = 1;
  while (replicas < threads && replicas * chunk < B) replicas++;
  for (let p = 0; p < P; p++) {
    const g = grads[0]![p]!;
    const [i0, i1] = sliceOf(g.length, t, threads);
    if (i0 >= i1) {
      num[sq + p] = 0;
      continue;
    }
    for (let r = 1; r < replicas; r++) opt.kernels.accumulate(g, grads[r]![p]!, i0, i1);
    num[sq + p] = opt.update(p, i0, i1, lr, step, true);
  }
}

/** Spins briefly, then sleeps, until ctrl[i] !== v (returns the new value). */
export function waitChange(ctrl: Int32Array, i: number, v: number, spins: number): number {
  for (let s = 0; s < spins; s++) {
    const x = Atomics.load(ctrl, i);
    if (x !== v) return x;
  }
  for (;;) {
    const x = Atomics.load(ctrl, i);
    if (x !== v) return x;
    Atomics.wait(ctrl, i, v, 1000);
  }
}

/** Spins briefly, then sleeps, until ctrl[i] >= want. */
export function waitAtLeast(ctrl: Int32Array, i: number, want: number, spins: number): void {
  for (let s = 0; s < spins; s++) if (Atomics.load(ctrl, i) >= want) return;
  for (;;) {
    const x = Atomics.load(ctrl, i);
    if (x >= want) return;
    Atomics.wait(ctrl, i, x, 1000);
  }
}
