/** The training loop on a toy problem: learning, determinism, resume, divergence, state checks. */
import { describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { ENGINES, parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import {
  createTrainer,
  decodeSafetensors,
  estimateTrainingBytes,
  flopsPerEpoch,
  resumeTrainer,
  StateMismatchError,
} from '../../core/nn/index.ts';
import { decodeState } from '../../core/nn/state.ts';
import { DataMismatchError } from '../../core/nn/trainer.ts';
import { toyDataset } from './toy.ts';

const cfg = (over: Record<string, unknown>): TrialConfig => {
  const p = parseTrialConfig({
    layers: [16, 12, 8, 3],
    batch_size: 16,
    epochs: 6,
    learning_rate: 0.01,
    ...over,
  });
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.value;
};
const data = toyDataset();
const noTiming = (h: readonly object[]) => h.map((m) => ({ ...m, wall_s: 0, samples_per_s: 0 }));

function run(c: TrialConfig) {
  const t = createTrainer(c, data);
  while (t.status === 'running') t.runEpoch();
  return t;
}

describe('trainer', () => {
  it('reduces the loss and learns the toy problem (every optimizer, both losses)', () => {
    for (const over of [
      { optimizer: 'adam' },
      { optimizer: 'sgd', learning_rate: 0.1, momentum: 0.9, nesterov: true, activation: 'tanh' },
      { optimizer: 'rmsprop', loss: 'mse', activation: ['sigmoid', 'leaky_relu'], learning_rate: 0.005 },
    ]) {
      const t = run(cfg({ ...over, epochs: 10 }));
      expect(t.status).toBe('finished');
      expect(t.history).toHaveLength(10);
      expect(t.history[9]!.train_loss).toBeLessThan(t.history[0]!.train_loss * 0.6);
      const test = t.evaluateTest(3);
      expect(test.accuracy).toBeGreaterThan(0.9);
      expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(90);
    }
  });

  it('records per-epoch metrics of the documented shape', () => {
    let clock = 0;
    const t = createTrainer(
      cfg({ validation_split: 0.2, lr_schedule: { type: 'step', step_size: 1, gamma: 0.5 } }),
      data,
      {
        now: () => (clock += 250),
      },
    );
    const m = t.runEpoch();
    expect(m.epoch).toBe(1);
    expect(m.learning_rate).toBe(0.01);
    expect(t.runEpoch().learning_rate).toBe(0.005);
    expect(m.wall_s).toBe(0.25);
    expect(m.samples_per_s).toBe(240 / 0.25); // 300 − 60 validation samples
    expect(m.weight_norms).toHaveLength(3);
    expect(m.grad_norms).toHaveLength(3);
    expect(m.grad_norms.every((g) => g > 0)).toBe(true);
    expect(m.val_accuracy).toBeGreaterThanOrEqual(0);
    expect(t.epochsDone).toBe(2);
  });

  for (const engine of ENGINES)
    it(`${engine} engine: same config + seed ⇒ identical safetensors bytes and metrics; another seed differs`, () => {
      const c = cfg({ dropout: 0.2, augment_shift: 1, l2: 0.001, weight_decay: 0.01, engine });
      const a = run(c);
      const b = run(c);
      expect(Buffer.from(a.safetensors()).equals(Buffer.from(b.safetensors()))).toBe(true);
      expect(noTiming(a.history)).toEqual(noTiming(b.history));
      expect(a.evaluateTest()).toEqual(b.evaluateTest());
      const other = run({ ...c, seed: 1 });
      expect(Buffer.from(other.safetensors()).equals(Buffer.from(a.safetensors()))).toBe(false);
    });

  it('evaluateTestAsync pauses between batches and gives exactly evaluateTest’s metrics', async () => {
    const mini = loadMnistMini(); // 2,004 test digits: several eval batches
    const t = createTrainer(cfg({ layers: [784, 16, 10], epochs: 1, batch_size: 64 }), mini);
    t.runEpoch();
    let pauses = 0;
    const got = await t.evaluateTestAsync(7, async () => {
      pauses++;
    });
    expect(got).toEqual(t.evaluateTest(7));
    expect(pauses).toBeGreaterThanOrEqual(1);
  });

  for (const engine of ENGINES)
    it(`${engine} engine: resume from a mid-training state ⇒ bit-identical to the uninterrupted run`, () => {
      for (const over of [
        { dropout: 0.3, augment_shift: 2 },
        { optimizer: 'sgd', momentum: 0.5 },
        { optimizer: 'rmsprop' },
      ]) {
        const c = cfg({ ...over, engine });
        const full = run(c);
        const half = createTrainer(c, data);
        half.runEpoch();
        half.runEpoch();
        half.runEpoch();
        const state = half.serialize();
        const resumed = resumeTrainer(c, data, state);
        expect(resumed.epochsDone).toBe(3);
        expect(noTiming(resumed.history)).toEqual(noTiming(half.history));
        while (resumed.status === 'running') resumed.runEpoch();
        expect(resumed.status).toBe('finished');
        expect(Buffer.from(resumed.safetensors()).equals(Buffer.from(full.safetensors()))).toBe(true);
        expect(Buffer.from(resumed.serialize()).equals(Buffer.from(full.serialize()))).toBe(false); // history wall_s differs…
        expect(noTiming(resumed.history)).toEqual(noTiming(full.history));
      }
    });

  it('the two engines train the same function: their losses agree to 1e-3 over six epochs', () => {
    const c = cfg({ dropout: 0.2, augment_shift: 1, l2: 0.001 });
    const simd = run({ ...c, engine: 'simd' });
    const scalar = run({ ...c, engine: 'scalar' });
    expect(Buffer.from(simd.safetensors()).equals(Buffer.from(scalar.safetensors()))).toBe(false);
    simd.history.forEach((m, i) => {
      const s = scalar.history[i]!;
      expect(Math.abs(m.train_loss - s.train_loss)).toBeLessThan(1e-3 * s.train_loss);
      expect(Math.abs(m.val_loss - s.val_loss)).toBeLessThan(1e-3 * s.val_loss);
    });
  });

  it('a checkpoint records its engine; resuming it with the other engine is refused with a clear error', () => {
    for (const [from, to] of [
      ['simd', 'scalar'],
      ['scalar', 'simd'],
    ] as const) {
      const t = createTrainer(cfg({ engine: from }), data);
      t.runEpoch();
      const state = t.serialize();
      expect(decodeState(state).header.engine).toBe(from);
      const attempt = () => resumeTrainer(cfg({ engine: to }), data, state);
      expect(attempt).toThrow(StateMismatchError);
      expect(attempt).toThrow(
        new RegExp(
          `^engine: the checkpoint was trained with engine "${from}" but this trial's config asks for "${to}".*resume with engine "${from}"`,
        ),
      );
      expect(resumeTrainer(cfg({ engine: from }), data, state).epochsDone).toBe(1);
    }
  });

  it('resuming with another config, other data or garbage throws StateMismatchError', () => {
    const c = cfg({});
    const t = createTrainer(c, data);
    t.runEpoch();
    const state = t.serialize();
    expect(() => resumeTrainer({ ...c, learning_rate: 0.02 }, data, state)).toThrow(StateMismatchError);
    expect(() => resumeTrainer(c, { ...data, version: '2' }, state)).toThrow(StateMismatchError);
    expect(() => resumeTrainer(c, data, new Uint8Array(40))).toThrow(StateMismatchError);
  });

  it('refuses data whose shape does not fit the layers', () => {
    expect(() => createTrainer(cfg({ layers: [784, 10] }), data)).toThrow(DataMismatchError);
    expect(() => createTrainer(cfg({ layers: [16, 10] }), data)).toThrow(DataMismatchError);
  });

  // (sigmoid + SGD at lr 10 does not explode here: the sigmoid saturates and the loss stays bounded.)
  it('lr 10 with ReLU + SGD diverges and keeps its history', () => {
    const c = cfg({ activation: 'relu', optimizer: 'sgd', learning_rate: 10, epochs: 20 });
    const t = createTrainer(c, data);
    while (t.status === 'running') t.runEpoch();
    expect(t.status).toBe('diverged');
    expect(t.divergedReason).toMatch(/loss (is NaN|is Infinity|exploded).* at epoch \d+ batch \d+/);
    expect(t.history.length).toBe(t.epochsDone);
    expect(t.history.length).toBeGreaterThan(0);
    expect(t.history.length).toBeLessThan(20);
    expect(t.history.at(-1)!.train_loss).toBeGreaterThan(50);
    expect(() => t.runEpoch()).toThrow(/diverged/);
    // A diverged trainer still serialises (non-finite numbers survive) and resumes as diverged.
    const r = resumeTrainer(c, data, t.serialize());
    expect(r.status).toBe('diverged');
    expect(r.divergedReason).toBe(t.divergedReason);
    expect(r.history).toEqual(t.history);
  });

  it('exports safetensors with the documented byte layout', () => {
    const t = createTrainer(cfg({}), data);
    t.runEpoch();
    const buf = t.safetensors();
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = Number(dv.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const headerText = new TextDecoder().decode(buf.subarray(8, 8 + n));
    expect(headerText.trimEnd().length).toBeGreaterThan(n - 8); // only space padding, < 8
    const header = JSON.parse(headerText) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >;
    const names = [
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'layers.2.weight',
      'layers.2.bias',
    ];
    expect(Object.keys(header)).toEqual([...names, '__metadata__']);
    const meta = header.__metadata__ as unknown as Record<string, unknown>;
    expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
    expect(meta.layers).toBe('16-12-8-3');
    const shapes = [[12, 16], [12], [8, 12], [8], [3, 8], [3]];
    let end = 0;
    names.forEach((name, i) => {
      const e = header[name]!;
      expect(e.dtype).toBe('F32');
      expect(e.shape).toEqual(shapes[i]);
      expect(e.data_offsets[0]).toBe(end); // contiguous
      end = e.data_offsets[1];
      expect(end - e.data_offsets[0]).toBe(4 * e.shape.reduce((a, b) => a * b, 1));
    });
    expect(8 + n + end).toBe(buf.length); // covers the buffer exactly
    // Values: layers.0.weight[out=j][in=i] read by hand equals the decoder's, and the model computes with them:
    const { tensors } = decodeSafetensors(buf);
    const w0 = header['layers.0.weight']!;
    const at = (j: number, i: number) => dv.getFloat32(8 + n + w0.data_offsets[0] + 4 * (j * 16 + i), true);
    expect(at(3, 5)).toBe(tensors.get('layers.0.weight')!.data[3 * 16 + 5]);
    // Forward pass by hand from the exported tensors reproduces the trainer's test accuracy.
    const get = (k: string) => tensors.get(k)!.data;
    let correct = 0;
    for (let s = 0; s < data.test.count; s++) {
      let x = Array.from(data.test.images.subarray(s * 16, s * 16 + 16), (p) => p / 255);
      for (let l = 0; l < 3; l++) {
        const W = get(`layers.${l}.weight`);
        const b = get(`layers.${l}.bias`);
        const out = b.length;
        const z = Array.from(
          { length: out },
          (_, j) => b[j]! + x.reduce((a, xi, i) => a + W[j * x.length + i]! * xi, 0),
        );
        x = l < 2 ? z.map((v) => Math.max(0, v)) : z;
      }
      if (x.indexOf(Math.max(...x)) === data.test.labels[s]) correct++;
    }
    expect(correct / data.test.count).toBeCloseTo(t.evaluateTest().accuracy, 1);
  });

  it('estimates memory and FLOPs from the config', () => {
    const small = cfg({ layers: [784, 128, 64, 10] });
    const big = cfg({ layers: [784, 800, 800, 10], batch_size: 512 });
    const bs = estimateTrainingBytes(small, 60000, 10000);
    const bb = estimateTrainingBytes(big, 60000, 10000);
    const paramsBig = 784 * 800 + 800 + 800 * 800 + 800 + 8010;
    expect(bb).toBeGreaterThan(paramsBig * 4 * 5); // w, grad, Adam m and v, WT
    expect(bb).toBeGreaterThan(bs);
    expect(bs).toBeLessThan(64 * 2 ** 20);
    // 54,000 trained samples × (fwd 784·128+128·64+64·10, bwd dW all + dX layers 1..2) + 6,000 validated, ×2
    const fwd = 784 * 128 + 128 * 64 + 64 * 10;
    const bwd = 784 * 128 + 2 * (128 * 64 + 64 * 10);
    expect(flopsPerEpoch(small, 60000)).toBe(2 * (54000 * (fwd + bwd) + 6000 * fwd));
  });
});
