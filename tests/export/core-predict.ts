/**
 * Test helper: our core's outputs for a data set's test rows, from a trial's stored weights (safetensors):
 * the core's own Mlp forward pass, so an exported model can be compared with it — class probabilities
 * (softmax), or a regression's predictions in the target's units.
 */
import type { TrialConfig } from '../../core/config.ts';
import type { LoadedDataset } from '../../core/dataset.ts';
import { outputLoss } from '../../core/nn/batch-engine.ts';
import { createKernels } from '../../core/nn/engines.ts';
import { decodeSafetensors, trainingSet } from '../../core/nn/index.ts';
import { Mlp, modelSpec } from '../../core/nn/model.ts';

export function corePredict(config: TrialConfig, weights: Uint8Array, data: LoadedDataset): Float32Array {
  const set = trainingSet(data);
  const sizes = config.layers;
  const L = sizes.length - 1;
  const K = sizes[L]!;
  const rows = 256;
  const kernels = createKernels(config.engine, 'f32', sizes); // the trial's own engine
  const m = new Mlp(modelSpec(config, set.shape), kernels, rows);
  const { tensors } = decodeSafetensors(weights);
  for (let l = 0; l < L; l++) {
    const k = sizes[l]!;
    const n = sizes[l + 1]!;
    const w = tensors.get(`layers.${l}.weight`)!.data; // [n, k]
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) m.W[l]![i * n + j] = w[j * k + i]!;
    m.b[l]!.set(tensors.get(`layers.${l}.bias`)!.data);
  }
  const count = set.test.count;
  const ids = Uint32Array.from({ length: count }, (_, i) => i);
  const out = new Float32Array(count * K);
  const loss = { sum: 0, correct: 0 };
  for (let start = 0; start < count; start += rows) {
    const B = Math.min(rows, count - start);
    set.test.gather(m, ids, start, B, 0, null);
    const z = m.forward(B, false);
    outputLoss(m, config.loss, z, B, null, 1, loss);
    if (set.target)
      for (let r = 0; r < B * K; r++) out[start * K + r] = z[r]! * set.target.std + set.target.mean;
    else out.set(m.P.subarray(0, B * K), start * K);
  }
  return out;
}
