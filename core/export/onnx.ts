/**
 * An MLP as an ONNX graph (opset 13, IR version 7), pure: weights in, protobuf bytes out.
 *
 *   pixels [N, D] float (raw 0–255), or a table's columns (table.ts: numeric float, categorical string)
 *     → the data set's preprocessing (preprocess.ts: Mul by the scale, Add the offset; table.ts)
 *     → Gemm(W0ᵀ, b0) → activation → … → Gemm(W_Lᵀ, b_L) → logits
 *     → Softmax(axis 1) → probabilities [N, K]
 *       (a regression: → Mul(std) → Add(mean) → prediction [N, 1], in the target's units)
 *
 * Weights come as stored (safetensors, `layers.<i>.weight` [out, in], `layers.<i>.bias` [out]): Gemm
 * reads them with transB = 1, so the tensors go into the file unchanged. Dropout is the identity at
 * inference and has no node.
 */
import { type Activation, hiddenActivation, type TrialConfig } from '../config.ts';
import {
  ATTRIBUTE_TYPE,
  DATA_TYPE,
  encodeOnnx,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-schema.ts';
import type { OutputHead, Preprocessing } from './preprocess.ts';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
export const ONNX_OUTPUT = 'probabilities';
/** A regression model's output: the prediction in the target's units. */
export const ONNX_PREDICTION = 'prediction';

/** A float32 tensor as stored: values row-major in `shape`. */
export interface FloatTensor {
  shape: readonly number[];
  data: Float32Array;
}

export interface MlpExport {
  config: TrialConfig;
  /** By safetensors name: `layers.<i>.weight` [out, in] and `layers.<i>.bias` [out]. */
  tensors: ReadonlyMap<string, FloatTensor>;
  preprocessing: Preprocessing;
  /** What the output is (default: softmax probabilities). */
  head?: OutputHead;
  /** Shown to tools that list a model's metadata (sweep and trial ids, data set, …). */
  metadata: Record<string, string>;
  producerVersion: string;
}

/** Little-endian float32 bytes of a float array (the raw_data of a FLOAT tensor). */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i]!, true);
  return out;
}

export const floatTensor = (
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): OnnxTensor => ({
  name,
  data_type: DATA_TYPE.FLOAT,
  dims: [...dims],
  raw_data: float32Bytes(values),
});

/** An INT64 tensor (little-endian), values row-major in `dims`. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTensor {
  const raw = new Uint8Array(values.length * 8);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => {
    dv.setBigInt64(i * 8, BigInt(v), true);
  });
  return { name, data_type: DATA_TYPE.INT64, dims: [...dims], raw_data: raw };
}

export function floatInput(name: string, width: number): OnnxValueInfo {
  return {
    name,
    type: {
      tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim: [{ dim_param: 'N' }, { dim_value: width }] } },
    },
  };
}

const node = (op: string, input: string[], output: string, attribute?: OnnxAttribute[]): OnnxNode => ({
  name: output,
  op_type: op,
  input,
  output: [output],
  ...(attribute ? { attribute } : {}),
});

function activationNode(kind: Activation, slope: number, input: string, output: string): OnnxNode {
  switch (kind) {
    case 'relu':
      return node('Relu', [input], output);
    case 'tanh':
      return node('Tanh', [input], output);
    case 'sigmoid':
      return node('Sigmoid', [input], output);
    case 'leaky_relu':
      return node('LeakyRelu', [input], output, [{ name: 'alpha', type: ATTRIBUTE_TYPE.FLOAT, f: slope }]);
  }
}

/** A stored tensor of the expected shape, or an error naming what differs. */
function tensorOf(tensors: MlpExport['tensors'], name: string, shape: readonly number[]): FloatTensor {
  const t = tensors.get(name);
  if (!t) throw new Error(`weights: tensor ${name} is missing (expected shape [${shape.join(', ')}])`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    throw new Error(
      `weights: tensor ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] (from the trial's layers)`,
    );
  return t;
}

/** The ONNX model of a trained MLP (see the file comment for the graph). */
export function mlpOnnxModel(x: MlpExport): OnnxModel {
  const { config, tensors, preprocessing: pre } = x;
  const sizes = config.layers;
  if (pre.width !== sizes[0])
    throw new Error(
      `the data set has ${pre.width} inputs per row but layers[0] is ${sizes[0]} (layers ${sizes.join('-')})`,
    );
  const nodes: OnnxNode[] = [...pre.nodes];
  const initializer: OnnxTensor[] = [...pre.initializers];
  let current = pre.output;
  const L = sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const w = `layers.${l}.weight`;
    const b = `layers.${l}.bias`;
    const W = tensorOf(tensors, w, [sizes[l + 1]!, sizes[l]!]);
    const B = tensorOf(tensors, b, [sizes[l + 1]!]);
    initializer.push(floatTensor(w, W.shape, W.data), floatTensor(b, B.shape, B.data));
    const z = l === L - 1 ? 'logits' : `layers.${l}.linear`;
    nodes.push(node('Gemm', [current, w, b], z, [{ name: 'transB', type: ATTRIBUTE_TYPE.INT, i: 1 }]));
    current = z;
    if (l < L - 1) {
      const a = `layers.${l}.activation`;
      nodes.push(activationNode(hiddenActivation(config, l), config.leaky_slope, current, a));
      current = a;
    }
  }
  const head = x.head ?? { kind: 'softmax' };
  const out = headNodes(head, current, nodes, initializer);
  const width = sizes[L]!;
  const meta =
    head.kind === 'regression'
      ? { target: head.target }
      : head.classes
        ? { classes: JSON.stringify(head.classes) }
        : {};
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }, ...(pre.opsets ?? [])],
    producer_name: 'mlp-sweep',
    producer_version: x.producerVersion,
    doc_string: `MLP ${sizes.join('-')}: ${pre.description}; ${out.description} out.`,
    graph: {
      name: 'mlp',
      node: nodes,
      initializer,
      input: pre.inputs,
      output: [
        {
          name: out.name,
          type: {
            tensor_type: {
              elem_type: DATA_TYPE.FLOAT,
              shape: { dim: [{ dim_param: 'N' }, { dim_value: width }] },
            },
          },
        },
      ],
    },
    metadata_props: Object.entries({ ...x.metadata, ...pre.metadata, ...meta }).map(([key, value]) => ({
      key,
      value,
    })),
  };
}

/** The nodes after the last layer's output `z`: the graph's output name and what it is. */
function headNodes(
  head: OutputHead,
  z: string,
  nodes: OnnxNode[],
  initializer: OnnxTensor[],
): { name: string; description: string } {
  if (head.kind === 'softmax') {
    nodes.push(node('Softmax', [z], ONNX_OUTPUT, [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1 }]));
    const over = head.classes ? `the classes ${head.classes.join(', ')}` : 'the classes';
    return { name: ONNX_OUTPUT, description: `softmax probabilities over ${over}` };
  }
  initializer.push(floatTensor('target.std', [], [head.std]), floatTensor('target.mean', [], [head.mean]));
  nodes.push(node('Mul', [z, 'target.std'], 'target.scaled'));
  nodes.push(node('Add', ['target.scaled', 'target.mean'], ONNX_PREDICTION));
  return { name: ONNX_PREDICTION, description: `the predicted ${head.target}, in its own units` };
}

/** The `.onnx` file of a trained MLP. */
export function mlpOnnx(x: MlpExport): Uint8Array {
  return encodeOnnx(mlpOnnxModel(x));
}
