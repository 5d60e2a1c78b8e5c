/**
 * ONNX export against a real runtime (onnxruntime-node, CPU): the exported graph, fed raw 0–255 pixels,
 * gives our core's predictions on every test image (same argmax, probabilities within 1e-5), for each
 * activation and input normalisation.
 */
import { describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { Dataset } from '../../core/dataset.ts';
import { mlpOnnx, ONNX_OPSET, ONNX_OUTPUT } from '../../core/export/onnx.ts';
import { decodeOnnx } from '../../core/export/onnx-schema.ts';
import { imagePreprocessing, ONNX_INPUT } from '../../core/export/preprocess.ts';
import { createTrainer, decodeSafetensors } from '../../core/nn/index.ts';
import { corePredict } from './core-predict.ts';
import { compare, runtimePredict } from './runtime.ts';

const ds = loadMnistMini();

function config(input: Record<string, unknown>): TrialConfig {
  const r = parseTrialConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** One epoch of training: weights that are not the initial ones, quickly. */
function trained(c: TrialConfig): Uint8Array {
  const t = createTrainer(c, ds);
  t.runEpoch();
  return t.safetensors();
}

const manifestOf = (d: Dataset) => ({
  name: d.name,
  version: d.version,
  rows: d.rows,
  cols: d.cols,
  pixel_mean: d.pixelMean,
  pixel_std: d.pixelStd,
});

function onnxOf(c: TrialConfig, weights: Uint8Array): Uint8Array {
  return mlpOnnx({
    config: c,
    tensors: decodeSafetensors(weights).tensors,
    preprocessing: imagePreprocessing(manifestOf(ds), c.normalize),
    metadata: { trial_id: 't-test' },
    producerVersion: 'test',
  });
}

describe('ONNX export', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['relu, scale01', { layers: [784, 32, 10], activation: 'relu', epochs: 1 }],
    [
      'tanh + leaky_relu, standardize, dropout',
      {
        layers: [784, 48, 24, 10],
        activation: ['tanh', 'leaky_relu'],
        leaky_slope: 0.05,
        normalize: 'standardize',
        dropout: 0.2,
        epochs: 1,
      },
    ],
    [
      'sigmoid, pm1, mse',
      { layers: [784, 16, 10], activation: 'sigmoid', normalize: 'pm1', loss: 'mse', epochs: 1 },
    ],
  ];
  for (const [name, input] of cases) {
    it(`onnxruntime gives the core's predictions on every test image: ${name}`, async () => {
      const c = config(input);
      const weights = trained(c);
      const ours = corePredict(c, weights, ds);
      const theirs = await runtimePredict(onnxOf(c, weights), ds);
      const K = c.layers.at(-1)!;
      expect(theirs.length).toBe(ds.test.count * K);
      const d = compare(ours, theirs, K);
      expect(d.argmax).toBe(0);
      expect(d.maxDiff).toBeLessThan(1e-5);
    });
  }

  it('the graph: opset 13, float [N, 784] in, normalisation first, Gemm per layer, softmax out', () => {
    const c = config({ layers: [784, 8, 10], normalize: 'standardize', epochs: 1 });
    const m = decodeOnnx(onnxOf(c, trained(c)));
    expect(m.ir_version).toBe(7);
    expect(m.opset_import).toEqual([{ version: ONNX_OPSET }]);
    expect(m.graph.input.map((i) => i.name)).toEqual([ONNX_INPUT]);
    expect(m.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_value: 784 }]);
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Mul', 'Add', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(m.graph.output.map((o) => o.name)).toEqual([ONNX_OUTPUT]);
    expect(m.metadata_props).toEqual([{ key: 'trial_id', value: 't-test' }]);
    // scale01 has no offset: one Mul only.
    const s = decodeOnnx(onnxOf(config({ layers: [784, 8, 10] }), trained(config({ layers: [784, 8, 10] }))));
    expect(s.graph.node.map((n) => n.op_type).slice(0, 2)).toEqual(['Mul', 'Gemm']);
  });

  it('refuses weights that do not match the config, naming the tensor and both shapes', () => {
    const c = config({ layers: [784, 8, 10] });
    const other = trained(config({ layers: [784, 9, 10] }));
    expect(() => onnxOf(c, other)).toThrow(/layers\.0\.weight has shape \[9, 784\], expected \[8, 784\]/);
  });
});
