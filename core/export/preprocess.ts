/**
 * What turns a data set's raw rows into the network's input, as the first nodes of an exported graph.
 * A function of the data set's manifest (and of the trial's `normalize`), so a data set kind that needs
 * other steps (tabular columns: issue 20) adds its own case here and the rest of the graph is unchanged.
 *
 * Images: the trainer computes x = scale·p + offset on the u8 pixels p (core/nn/model.ts `modelSpec`):
 * scale01 p/255; pm1 p/127.5 − 1; standardize (p/255 − mean)/std with the manifest's pixel mean/std.
 * The graph does the same with one Mul and (when the offset is not 0) one Add, on float input 0–255.
 */
import type { TrialConfig } from '../config.ts';
import { type AnyManifest, isTableManifest } from '../data/manifest.ts';
import { inputNormalization } from '../nn/model.ts';
import { floatInput, floatTensor } from './onnx.ts';
import type { OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-schema.ts';

export const ONNX_INPUT = 'pixels';

export interface Preprocessing {
  /** The graph input (raw rows) and its width. */
  input: OnnxValueInfo;
  width: number;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** The value the first layer reads. */
  output: string;
  /** One phrase for the model's doc string. */
  description: string;
}

/** The fields of an image data set's manifest (core/data/shards.ts `Manifest`) this needs. */
export interface ImageManifest {
  name: string;
  version: string;
  rows: number;
  cols: number;
  pixel_mean: number;
  pixel_std: number;
}

export function imagePreprocessing(m: ImageManifest, normalize: TrialConfig['normalize']): Preprocessing {
  const width = m.rows * m.cols;
  // The trainer's own scale and offset (one definition of the normalisation).
  const { scale, offset } = inputNormalization(normalize, m.pixel_mean, m.pixel_std);
  const nodes: OnnxNode[] = [
    { name: 'input.scaled', op_type: 'Mul', input: [ONNX_INPUT, 'input.scale'], output: ['input.scaled'] },
  ];
  const initializers = [floatTensor('input.scale', [], [scale])];
  let output = 'input.scaled';
  if (offset !== 0) {
    nodes.push({
      name: 'input.normalized',
      op_type: 'Add',
      input: [output, 'input.offset'],
      output: ['input.normalized'],
    });
    initializers.push(floatTensor('input.offset', [], [offset]));
    output = 'input.normalized';
  }
  return {
    input: floatInput(ONNX_INPUT, width),
    width,
    nodes,
    initializers,
    output,
    description: `raw ${m.rows}×${m.cols} pixels 0–255 in (${ONNX_INPUT} [N, ${width}]), normalised as in training (${normalize}${normalize === 'standardize' ? `, ${m.name}@${m.version} mean ${m.pixel_mean} std ${m.pixel_std}` : ''})`,
  };
}

/** The preprocessing of a data set's rows as graph nodes, by the kind of its manifest. */
export function manifestPreprocessing(m: AnyManifest, normalize: TrialConfig['normalize']): Preprocessing {
  if (isTableManifest(m))
    throw new Error(
      `ONNX export of a table data set (${m.name}@${m.version}) is not supported yet: its column preprocessing has no graph nodes; export --format safetensors instead`,
    );
  return imagePreprocessing(m, normalize);
}
