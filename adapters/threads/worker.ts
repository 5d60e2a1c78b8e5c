/**
 * A pooled gradient worker. For each job (one engine, handed over by one postMessage) it builds a
 * replica of the model that adopts the shared weights, masks and batch rows of its block, and an
 * optimizer view over the shared weights, reduced gradients and moments; then, until told to stop, on
 * every generation it either computes forward + loss + backward of its rows into its own (shared)
 * gradient buffers (GRAD) or reduces and steps its slice of every parameter (STEP). After STOP it
 * returns to its event loop, ready for the next job. Started by adapters/threads/index.ts.
 */
import { parentPort } from 'node:worker_threads';
import { forwardBackward } from '../../core/nn/batch-engine.ts';
import { kernelsFromHandle } from '../../core/nn/engines.ts';
import type { LossOut } from '../../core/nn/losses.ts';
import { Mlp } from '../../core/nn/model.ts';
import { Optimizer, type Param } from '../../core/nn/optimizers.ts';
import {
  CMD,
  CMD_GRAD,
  CMD_STEP,
  CMD_STOP,
  DONE,
  ERROR,
  GEN,
  LR,
  RES,
  ROWS,
  SPINS,
  STEP_T,
  stepSlice,
  type WorkerInit,
  waitChange,
} from './protocol.ts';

function runJob(init: WorkerInit): void {
  const { ctrl, num, chunk, index, threads, grads } = init;
  const kernels = kernelsFromHandle(init.kernels);
  const model = new Mlp(init.spec, kernels, chunk, {
    adopt: {
      W: init.W,
      b: init.b,
      M: init.M,
      dW: grads[index]!.filter((_, p) => p % 2 === 0),
      db: grads[index]!.filter((_, p) => p % 2 === 1),
      input: init.input,
      labels: init.labels,
    },
  });
  const params: Param[] = grads[0]!.map((g, p) => ({
    w: p % 2 === 0 ? init.W[p >> 1]! : init.b[p >> 1]!,
    g,
    isWeight: p % 2 === 0,
  }));
  const opt = new Optimizer(init.opt, params, kernels, { adopt: { m: init.m, v: init.v } });
  const out: LossOut = { sum: 0, correct: 0 };
  let gen = 0; // a fresh ctrl per job: the trainer may have started generation 1 before we got here
  let failed = false;
  for (;;) {
    gen = waitChange(ctrl, GEN, gen, SPINS);
    const cmd = Atomics.load(ctrl, CMD);
    if (cmd === CMD_STOP) break;
    if (!failed) {
      try {
        const B = Atomics.load(ctrl, ROWS);
        if (cmd === CMD_GRAD) {
          const rows = Math.max(0, Math.min(B - index * chunk, chunk));
          if (rows > 0) forwardBackward(model, init.loss, rows, 1 / B, out);
          num[RES + 2 * index] = rows > 0 ? out.sum : 0;
          num[RES + 2 * index + 1] = rows > 0 ? out.correct : 0;
        } else if (cmd === CMD_STEP) {
          stepSlice(opt, grads, index, threads, chunk, B, num[LR]!, Atomics.load(ctrl, STEP_T), num);
        }
      } catch (e) {
        console.error(`gradient worker ${index} failed:`, e);
        failed = true;
        Atomics.store(ctrl, ERROR, 1);
      }
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}

parentPort?.on('message', (init: WorkerInit) => runJob(init));
