/** Test helpers: onnxruntime-node (CPU) runs an exported model; two sets of probabilities compared. */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { Dataset } from '../../core/dataset.ts';
import { ONNX_OUTPUT } from '../../core/export/onnx.ts';
import { ONNX_INPUT } from '../../core/export/preprocess.ts';

/** onnxruntime's probabilities for every test image, raw pixels as float 0–255. */
export async function runtimePredict(onnx: Uint8Array, d: Dataset): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const D = d.rows * d.cols;
    const input = Float32Array.from(d.test.images.subarray(0, d.test.count * D));
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, [d.test.count, D]) });
    return out[ONNX_OUTPUT]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Rows whose argmax differs, and the largest probability difference. */
export function compare(a: Float32Array, b: Float32Array, K: number): { argmax: number; maxDiff: number } {
  expect(a.length).toBe(b.length);
  let argmax = 0;
  let maxDiff = 0;
  const best = (p: Float32Array, o: number) => {
    let k = 0;
    for (let j = 1; j < K; j++) if (p[o + j]! > p[o + k]!) k = j;
    return k;
  };
  for (let o = 0; o < a.length; o += K) {
    if (best(a, o) !== best(b, o)) argmax++;
    for (let j = 0; j < K; j++) maxDiff = Math.max(maxDiff, Math.abs(a[o + j]! - b[o + j]!));
  }
  return { argmax, maxDiff };
}
