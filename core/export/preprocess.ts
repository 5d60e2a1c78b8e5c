/**
 * What turns a data set's raw rows into the network's input, as the first nodes of an exported graph, and
 * what its output means (the head): a function of the data set's manifest (and of the trial's `normalize`).
 * Tables: table.ts (their columns imputed, standardised and one-hot encoded; a regression's prediction back
 * in the target's units).
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
import { tablePreprocessing } from './table.ts';

export const ONNX_INPUT = 'pixels';

export interface Preprocessing {
  /** The graph inputs (raw rows); `width`: what the first layer reads per row. */
  inputs: OnnxValueInfo[];
  width: number;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** The value the first layer reads. */
  output: string;
  /** One phrase for the model's doc string. */
  description: string;
  /** Operator sets the nodes use beyond the default domain. */
  opsets?: { domain: string; version: number }[];
  /** Entries for the model's metadata (the inputs' column order). */
  metadata?: Record<string, string>;
}

/**
 * What the network's output becomes: softmax probabilities over the classes (their names in the metadata
 * when the data set has them), or a regression's prediction back in the target's units (z·std + mean).
 */
export type OutputHead =
  | { kind: 'softmax'; classes?: readonly string[] }
  | { kind: 'regression'; target: string; mean: number; std: number };

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
    inputs: [floatInput(ONNX_INPUT, width)],
    width,
    nodes,
    initializers,
    output,
    description: `raw ${m.rows}×${m.cols} pixels 0–255 in (${ONNX_INPUT} [N, ${width}]), normalised as in training (${normalize}${normalize === 'standardize' ? `, ${m.name}@${m.version} mean ${m.pixel_mean} std ${m.pixel_std}` : ''})`,
  };
}

/** The preprocessing of a data set's rows as graph nodes, by the kind of its manifest. */
export function manifestPreprocessing(m: AnyManifest, normalize: TrialConfig['normalize']): Preprocessing {
  return isTableManifest(m) ? tablePreprocessing(m) : imagePreprocessing(m, normalize);
}

/** The output head of a data set's models, by its manifest. */
export function manifestHead(m: AnyManifest): OutputHead {
  if (!isTableManifest(m)) return { kind: 'softmax' };
  const l = m.label;
  return l.task === 'classification'
    ? { kind: 'softmax', classes: l.classes }
    : { kind: 'regression', target: l.column, mean: l.mean, std: l.std };
}
