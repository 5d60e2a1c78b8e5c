/**
 * `sweep export` on a sweep in a local store: the best trial (or a named one) as ONNX that onnxruntime
 * runs with the stored weights' predictions, or the safetensors bytes as stored; unknown or malformed
 * ids and trials without weights are invalid input (exit 2) with a message naming them.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { exportCommand } from '../../cli/commands/export.ts';
import { bestTrialWithWeights } from '../../core/export/trial-model.ts';
import { keys } from '../../core/layout.ts';
import type { TrialResult } from '../../core/result.ts';
import { createHarness, sweepText } from '../app/harness.ts';
import { corePredict } from './core-predict.ts';
import { compare, runtimePredict } from './runtime.ts';

const ds = loadMnistMini();
let dir: string;
let sweepId: string;
let results: TrialResult[];

beforeAll(async () => {
  const h = await createHarness();
  sweepId = await h.submit(sweepText({}, { epochs: { value: 1 } }));
  await h.pump();
  // The harness runs in memory; the CLI reads a store directory: copy it over.
  dir = await mkdtemp(join(tmpdir(), 'export-cli-'));
  const fs = new FsBlobStore(join(dir, 'store'));
  for (const k of await h.store.list('')) await fs.put(k, (await h.store.get(k))!.body);
  results = [];
  for (const k of await h.store.list(keys.trials(sweepId)))
    if (k.endsWith('/result.json'))
      results.push(JSON.parse(new TextDecoder().decode((await h.store.get(k))!.body)));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(id: string, flags: Record<string, unknown>) {
  const lines: string[] = [];
  const errors: string[] = [];
  const out = { stdout: (s: string) => lines.push(s), stderr: (s: string) => errors.push(s) };
  return exportCommand(id, { storeDir: join(dir, 'store'), ...flags }, { out }).then((code) => ({
    code,
    lines,
    errors,
  }));
}

describe('sweep export', () => {
  it("--best (the default) writes ONNX whose predictions are the stored weights' on every test image", async () => {
    const best = await bestTrialWithWeights(new FsBlobStore(join(dir, 'store')), sweepId);
    const file = join(dir, 'best.onnx');
    const r = await run(sweepId, { format: 'onnx', out: file, json: true });
    expect(r.code).toBe(0);
    const line = JSON.parse(r.lines[0]!);
    expect(line).toMatchObject({ ok: true, sweep_id: sweepId, trial_id: best, format: 'onnx', path: file });
    const result = results.find((x) => x.trial_id === best)!;
    const weights = await readFile(join(dir, 'store', keys.weights(sweepId, best!)));
    const ours = corePredict(result.config, weights, ds);
    const d = compare(ours, await runtimePredict(await readFile(file), ds), 10);
    expect(d.argmax).toBe(0);
    expect(d.maxDiff).toBeLessThan(1e-5);
  });

  it('--trial … --format safetensors writes the stored bytes', async () => {
    const t = results[0]!.trial_id;
    const file = join(dir, 'w.safetensors');
    const r = await run(sweepId, { trial: t, format: 'safetensors', out: file });
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([file]);
    expect(
      Buffer.compare(await readFile(file), await readFile(join(dir, 'store', keys.weights(sweepId, t)))),
    ).toBe(0);
  });

  it('bad input: exit 2 with the reason', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [sweepId, { trial: 't-nope', format: 'onnx' }, /no result for trial t-nope/],
      [sweepId, { trial: '../../etc', format: 'onnx' }, /invalid trial id/],
      ['../x', { format: 'onnx' }, /invalid sweep id/],
      ['s-unknown', { format: 'onnx' }, /no sweep s-unknown/],
      [sweepId, { format: 'pt' }, /--format must be one of onnx, safetensors, got "pt"/],
      [sweepId, {}, /--format is required/],
      [sweepId, { trial: results[0]!.trial_id, best: true, format: 'onnx' }, /choose one of --trial/],
    ];
    for (const [id, flags, message] of cases) {
      const r = await run(id, flags);
      expect(r.code, `${id} ${JSON.stringify(flags)}`).toBe(2);
      expect(r.errors.join('\n')).toMatch(message);
    }
  });
});
