/**
 * Data-parallel training (adapters/threads): real worker threads, shared memory, fixed reduction order, on
 * both engines (SIMD: the workers run the same generated kernels over the trainer's WebAssembly memory).
 */
import { describe, expect, it } from 'vitest';
import { createParallelTrainer, resumeParallelTrainer } from '../../adapters/threads/index.ts';
import { ENGINES, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import { createTrainer, type Trainer } from '../../core/nn/index.ts';
import { toyDataset } from './toy.ts';

const data = toyDataset();
const noTiming = (h: readonly object[]) => h.map((m) => ({ ...m, wall_s: 0, samples_per_s: 0 }));

async function finish(t: Trainer): Promise<Trainer> {
  while (t.status === 'running') t.runEpoch();
  await t.close?.();
  return t;
}

for (const engine of ENGINES)
  describe(`threads engine (${engine} kernels)`, () => {
    // 270 training rows in batches of 20: the last batch has 10 rows, so the worker's block is empty there.
    const cfg = (over: Record<string, unknown> = {}): TrialConfig => {
      const p = parseTrialConfig({
        engine,
        layers: [16, 12, 8, 3],
        batch_size: 20,
        epochs: 4,
        learning_rate: 0.01,
        dropout: 0.2,
        augment_shift: 1,
        ...over,
      });
      if (!p.ok) throw new Error(JSON.stringify(p.problems));
      return p.value;
    };

    it('2 threads: bit-reproducible, and the same training as 1 thread up to summation order', async () => {
      const a = await finish(createParallelTrainer(cfg(), data, { threads: 2 }));
      const b = await finish(createParallelTrainer(cfg(), data, { threads: 2 }));
      const single = await finish(createTrainer(cfg(), data));
      expect(a.status).toBe('finished');
      expect(Buffer.from(a.safetensors()).equals(Buffer.from(b.safetensors()))).toBe(true);
      expect(noTiming(a.history)).toEqual(noTiming(b.history));
      // Same masks, shuffles and shifts as the single-threaded run: only float rounding differs.
      a.history.forEach((m, i) => {
        const s = single.history[i]!;
        expect(Math.abs(m.train_loss - s.train_loss)).toBeLessThan(1e-3 * s.train_loss);
        expect(Math.abs(m.val_loss - s.val_loss)).toBeLessThan(1e-3 * s.val_loss);
        m.grad_norms.forEach((g, l) => {
          expect(Math.abs(g - s.grad_norms[l]!)).toBeLessThan(1e-3 * s.grad_norms[l]!);
        });
      });
    });

    // The optimizer step runs in slices on every thread (moments in shared memory): each optimizer and
    // both weight penalties must give the single-threaded update, and pooled workers must start clean.
    for (const over of [
      { optimizer: 'sgd', momentum: 0.9, nesterov: true, l2: 1e-3, weight_decay: 1e-2 },
      { optimizer: 'rmsprop', l2: 1e-3 },
      { optimizer: 'adam', weight_decay: 1e-2, layers: [16, 40, 3], batch_size: 7 },
    ]) {
      it(`sliced optimizer step (${JSON.stringify(over)}): reproducible, follows 1 thread`, async () => {
        const clock = { now: () => 0, threads: 2 }; // a fixed clock: the whole state (moments too) must match
        const a = await finish(createParallelTrainer(cfg(over), data, clock));
        const b = await finish(createParallelTrainer(cfg(over), data, clock));
        const single = await finish(createTrainer(cfg(over), data));
        expect(a.status).toBe('finished');
        expect(Buffer.from(a.serialize()).equals(Buffer.from(b.serialize()))).toBe(true);
        a.history.forEach((m, i) => {
          const s = single.history[i]!;
          expect(Math.abs(m.train_loss - s.train_loss)).toBeLessThan(1e-3 * s.train_loss);
          m.weight_norms.forEach((w, l) => {
            expect(Math.abs(w - s.weight_norms[l]!)).toBeLessThan(1e-3 * s.weight_norms[l]!);
          });
        });
      });
    }

    it('resume with 2 threads from a mid-training state equals the uninterrupted 2-thread run', async () => {
      const full = await finish(createParallelTrainer(cfg(), data, { threads: 2 }));
      const half = createParallelTrainer(cfg(), data, { threads: 2 });
      half.runEpoch();
      half.runEpoch();
      const state = half.serialize();
      await half.close?.();
      const rest = await finish(resumeParallelTrainer(cfg(), data, state, { threads: 2 }));
      expect(Buffer.from(rest.safetensors()).equals(Buffer.from(full.safetensors()))).toBe(true);
    });

    it('3 threads on a batch of 20 (blocks of 7, 7, 6) follow the single-threaded run', async () => {
      const t = await finish(createParallelTrainer(cfg({ epochs: 8 }), data, { threads: 3 }));
      const single = await finish(createTrainer(cfg({ epochs: 8 }), data));
      t.history.forEach((m, i) => {
        expect(Math.abs(m.train_loss - single.history[i]!.train_loss)).toBeLessThan(1e-3 * m.train_loss);
      });
      expect(t.history.at(-1)!.train_loss).toBeLessThan(t.history[0]!.train_loss);
      expect(t.evaluateTest().accuracy).toBeCloseTo(single.evaluateTest().accuracy, 1);
    });
  });
