/**
 * Test helper: our core's class probabilities for a split, from a trial's stored weights (safetensors):
 * the core's own Mlp forward pass and softmax, so an exported model can be compared with it.
 */
import type { TrialConfig } from '../../core/config.ts';
import type { Split } from '../../core/dataset.ts';
import { createKernels } from '../../core/nn/engines.ts';
import { decodeSafetensors } from '../../core/nn/index.ts';
import { lossForwardBackward } from '../../core/nn/losses.ts';
import { Mlp, modelSpec } from '../../core/nn/model.ts';

export function corePredict(
  config: TrialConfig,
  weights: Uint8Array,
  split: Split,
  norm: { pixelMean: number; pixelStd: number },
): Float32Array {
  const sizes = config.layers;
  const L = sizes.length - 1;
  const K = sizes[L]!;
  const D = sizes[0]!;
  const rows = 256;
  const kernels = createKernels(config.engine, 'f32', sizes); // the trial's own engine
  const m = new Mlp(modelSpec(config, norm.pixelMean, norm.pixelStd), kernels, rows);
  const { tensors } = decodeSafetensors(weights);
  for (let l = 0; l < L; l++) {
    const k = sizes[l]!;
    const n = sizes[l + 1]!;
    const w = tensors.get(`layers.${l}.weight`)!.data; // [n, k]
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) m.W[l]![i * n + j] = w[j * k + i]!;
    m.b[l]!.set(tensors.get(`layers.${l}.bias`)!.data);
  }
  const out = new Float32Array(split.count * K);
  const loss = { sum: 0, correct: 0 };
  for (let start = 0; start < split.count; start += rows) {
    const B = Math.min(rows, split.count - start);
    m.input.set(split.images.subarray(start * D, (start + B) * D));
    m.labels.set(split.labels.subarray(start, start + B));
    const logits = m.forward(B, false);
    lossForwardBackward(config.loss, logits, m.labels, B, K, m.P, null, 1, loss);
    out.set(m.P.subarray(0, B * K), start * K);
  }
  return out;
}
