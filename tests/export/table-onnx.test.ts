/**
 * ONNX export of models trained on tables, against a real runtime (onnxruntime-node, CPU): fed the test
 * file's columns as they are in the CSV (numbers with missing values as NaN, categories as text with
 * missing ones empty and values never seen in training), the graph's preprocessing gives the rows our
 * core trained on, and its output our core's: the same class and probabilities within 1e-5, or a
 * regression's prediction in the target's units within 1e-4 relative.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTableFiles } from '../../adapters/data/tabular/prepare.ts';
import { parseTrialConfig, type TrialConfig } from '../../core/config.ts';
import type { TableManifest } from '../../core/data/tabular/manifest.ts';
import type { RawTable } from '../../core/data/tabular/table.ts';
import type { TableDataset } from '../../core/dataset.ts';
import { mlpOnnx, ONNX_OUTPUT, ONNX_PREDICTION } from '../../core/export/onnx.ts';
import { decodeOnnx } from '../../core/export/onnx-schema.ts';
import { manifestHead, manifestPreprocessing } from '../../core/export/preprocess.ts';
import { ML_OPSET, ONNX_CATEGORICAL, ONNX_NUMERIC } from '../../core/export/table.ts';
import { createTrainer, decodeSafetensors } from '../../core/nn/index.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';
import { fixture } from '../data/tabular/helpers.ts';
import { corePredict } from './core-predict.ts';
import { compare } from './runtime.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'table-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(input: Record<string, unknown>): TrialConfig {
  const r = parseTrialConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

interface Prepared {
  manifest: TableManifest;
  dataset: TableDataset;
  test: RawTable;
}

async function prepare(train: string, test: string, label: string): Promise<Prepared> {
  const { prepared, built, tables } = await buildTableFiles({
    name: 'onnx-table',
    from: train,
    test,
    label,
    workerMemoryMb: 1769,
  });
  return { manifest: built.manifest, dataset: prepared.dataset, test: tables.test! };
}

/** The ONNX inputs of a raw table's rows: its numeric and categorical columns, as the file has them. */
function feeds(m: TableManifest, t: RawTable): Record<string, ort.Tensor> {
  const column = (name: string) => t.columns.find((c) => c.name === name)!;
  const numeric = m.features.filter((f) => f.type === 'numeric').map((f) => column(f.column));
  const categorical = m.features.filter((f) => f.type === 'categorical').map((f) => column(f.column));
  const out: Record<string, ort.Tensor> = {};
  if (numeric.length > 0) {
    const x = new Float32Array(t.rows * numeric.length);
    for (let r = 0; r < t.rows; r++)
      for (const [j, c] of numeric.entries()) x[r * numeric.length + j] = c.numbers[r]!;
    out[ONNX_NUMERIC] = new ort.Tensor('float32', x, [t.rows, numeric.length]);
  }
  if (categorical.length > 0) {
    const s: string[] = [];
    for (let r = 0; r < t.rows; r++)
      for (const c of categorical) s.push(c.codes![r]! < 0 ? '' : c.values[c.codes![r]!]!);
    out[ONNX_CATEGORICAL] = new ort.Tensor('string', s, [t.rows, categorical.length]);
  }
  return out;
}

async function exportAndRun(p: Prepared, c: TrialConfig) {
  const t = createTrainer(c, p.dataset);
  while (t.status === 'running') t.runEpoch();
  const weights = t.safetensors();
  const onnx = mlpOnnx({
    config: c,
    tensors: decodeSafetensors(weights).tensors,
    preprocessing: manifestPreprocessing(p.manifest, c.normalize),
    head: manifestHead(p.manifest),
    metadata: { trial_id: 't-table' },
    producerVersion: 'test',
  });
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run(feeds(p.manifest, p.test));
    return { onnx, ours: corePredict(c, weights, p.dataset), out };
  } finally {
    await session.release();
  }
}

/** A regression CSV pair with a categorical column: missing numbers and categories, and a category only the test file has. */
async function regressionFiles(): Promise<[string, string]> {
  const rng = new Xoshiro128ss(3);
  const shift: Record<string, number> = { a: 0, b: 2, c: -1, d: 5 };
  const line = (test: boolean) => {
    const x = 10 + 3 * rng.normal();
    const g = test && rng.nextFloat() < 0.15 ? 'd' : (['a', 'b', 'c'] as const)[rng.below(3)]!;
    const y = 100 + 4 * x + 10 * shift[g]! + rng.normal();
    const xs = rng.nextFloat() < 0.1 ? '' : x.toFixed(3);
    const gs = rng.nextFloat() < 0.1 ? 'NA' : g;
    return `${xs},${gs},${(2 * rng.nextFloat()).toFixed(3)},${y.toFixed(3)}`;
  };
  const write = async (name: string, n: number, test: boolean) => {
    const path = join(dir, name);
    await writeFile(path, ['x,g,noise,y', ...Array.from({ length: n }, () => line(test))].join('\n'));
    return path;
  };
  return [await write('reg-train.csv', 120, false), await write('reg-test.csv', 40, true)];
}

describe('ONNX export of a table data set', () => {
  it('classification: the CSV test rows in (missing values, unseen categories), our core’s probabilities out', async () => {
    const p = await prepare(fixture('mixed-train.csv'), fixture('mixed-test.csv'), 'label');
    for (const c of [
      config({ layers: [p.manifest.inputs, 12, 2], epochs: 20, learning_rate: 0.01, batch_size: 8 }),
      config({
        layers: [p.manifest.inputs, 6, 5, 2],
        activation: 'tanh',
        loss: 'mse',
        engine: 'scalar',
        epochs: 5,
      }),
    ]) {
      const { onnx, ours, out } = await exportAndRun(p, c);
      const theirs = out[ONNX_OUTPUT]!.data as Float32Array;
      expect(theirs.length).toBe(20 * 2);
      const d = compare(ours, theirs, 2);
      expect(d.argmax).toBe(0);
      expect(d.maxDiff).toBeLessThan(1e-5);
      const m = decodeOnnx(onnx);
      expect(m.opset_import).toEqual([{ version: 13 }, ML_OPSET]);
      expect(m.graph.input.map((i) => i.name)).toEqual([ONNX_NUMERIC, ONNX_CATEGORICAL]);
      const meta = Object.fromEntries(m.metadata_props.map((x) => [x.key, x.value]));
      expect(meta).toMatchObject({
        numeric_columns: '["age","income"]',
        categorical_columns: '["color","size"]',
        classes: '["no","yes"]',
      });
    }
  });

  it('regression: the prediction in the target’s own units, not standardised', async () => {
    const [train, test] = await regressionFiles();
    const p = await prepare(train, test, 'y');
    expect(p.manifest.task).toBe('regression');
    const c = config({ layers: [p.manifest.inputs, 16, 1], loss: 'huber', epochs: 30, learning_rate: 0.01 });
    const { onnx, ours, out } = await exportAndRun(p, c);
    const theirs = out[ONNX_PREDICTION]!.data as Float32Array;
    expect(theirs.length).toBe(40);
    for (let i = 0; i < 40; i++)
      expect(Math.abs(theirs[i]! - ours[i]!)).toBeLessThan(1e-4 * Math.abs(ours[i]!));
    // In y's units (≈ 100 + 4·10), and close to the truth after training on the rows of a category it saw
    // (a never-seen category 'd' is 50 units off by construction).
    const col = (name: string) => p.test.columns.find((x) => x.name === name)!;
    const y = col('y').numbers;
    const g = col('g');
    const seen = [...theirs.keys()].filter((i) => g.codes![i]! < 0 || g.values[g.codes![i]!] !== 'd');
    expect(seen.length).toBeGreaterThan(20);
    const rmse = Math.sqrt(seen.reduce((s, i) => s + (theirs[i]! - y[i]!) ** 2, 0) / seen.length);
    const std = p.dataset.task === 'regression' ? p.dataset.target.std : 0;
    expect(rmse).toBeLessThan(0.5 * std);
    const m = decodeOnnx(onnx);
    expect(m.graph.output.map((o) => o.name)).toEqual([ONNX_PREDICTION]);
    expect(m.graph.node.slice(-2).map((n) => n.op_type)).toEqual(['Mul', 'Add']);
  });

  it('a numeric-only table needs no ai.onnx.ml and takes one float input', async () => {
    const p = await prepare(fixture('regress.csv'), fixture('regress.csv'), 'y');
    const c = config({ layers: [3, 4, 1], loss: 'mse', epochs: 2 });
    const { onnx, ours, out } = await exportAndRun(p, c);
    const theirs = out[ONNX_PREDICTION]!.data as Float32Array;
    for (let i = 0; i < theirs.length; i++)
      expect(Math.abs(theirs[i]! - ours[i]!)).toBeLessThan(1e-4 * Math.abs(ours[i]!) + 1e-5);
    const m = decodeOnnx(onnx);
    expect(m.opset_import).toEqual([{ version: 13 }]);
    expect(m.graph.input.map((i) => i.name)).toEqual([ONNX_NUMERIC]);
  });
});
