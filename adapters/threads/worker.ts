/**
 * A gradient worker: a replica of the model that adopts the shared weights, masks and batch rows of its
 * block, and on every batch generation computes forward + loss + backward of its rows into its own
 * (shared) gradient buffers. Started by adapters/threads/index.ts.
 */
import { workerData } from 'node:worker_threads';
import { forwardBackward } from '../../core/nn/engine.ts';
import type { LossOut } from '../../core/nn/losses.ts';
import { Mlp } from '../../core/nn/model.ts';
import { DONE, ERROR, GEN, ROWS, STOP, type WorkerInit } from './protocol.ts';

const init = workerData as WorkerInit;
const { ctrl, res, chunk, index } = init;
const model = new Mlp(init.spec, init.dtype, chunk, {
  adopt: {
    W: init.W,
    b: init.b,
    M: init.M,
    dW: init.dW,
    db: init.db,
    input: init.input,
    labels: init.labels,
  },
});
const out: LossOut = { sum: 0, correct: 0 };

let gen = 0;
try {
  for (;;) {
    Atomics.wait(ctrl, GEN, gen);
    gen = Atomics.load(ctrl, GEN);
    if (Atomics.load(ctrl, STOP) === 1) break;
    const B = Atomics.load(ctrl, ROWS);
    const rows = Math.max(0, Math.min(B - index * chunk, chunk));
    if (rows > 0) {
      forwardBackward(model, init.loss, rows, 1 / B, out);
      res[2 * index] = out.sum;
      res[2 * index + 1] = out.correct;
    } else {
      res[2 * index] = 0;
      res[2 * index + 1] = 0;
    }
    Atomics.add(ctrl, DONE, 1);
    Atomics.notify(ctrl, DONE);
  }
} catch (e) {
  console.error(`gradient worker ${index} failed:`, e);
  Atomics.store(ctrl, ERROR, 1);
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
