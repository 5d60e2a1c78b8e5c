/**
 * A user's CSV end to end, classification and regression: `sweep data prepare --from <csv>` and `sweep run`
 * as a user runs them (bin/sweep.js in a child process, the embedded backend), then the same files prepared
 * (prepareTableFiles: what `data prepare --from` runs) and the same sweeps run through LocalStack's S3 and
 * SQS by worker processes (ProcessRunner: what `run --backend localstack` runs) — bit-identical per-trial
 * results and weights on both backends; the leaderboard and the report speak the task's language.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../../adapters/backend.ts';
import { prepareTableFiles } from '../../adapters/data/tabular/prepare.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { keys } from '../../core/layout.ts';
import type { Leaderboard } from '../../core/report/index.ts';
import { isRegressionTest, type TestMetrics, type TrialResult } from '../../core/result.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { fixture } from '../data/tabular/helpers.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';
import { deleteBackendResources, expectSameRuns, readResults, sweepCli } from './helpers.ts';

const dec = new TextDecoder();
let dir: string;
const sweep = sweepCli(() => dir);

/** The two tables, their prepare options, and a small sweep over each. */
const TABLES = {
  classify: {
    file: 'mixed-train.csv',
    label: 'label',
    sweep: {
      name: 'table-classify',
      dataset: 'mixed',
      metric: { name: 'val_accuracy', goal: 'maximize' },
      method: 'grid',
      parameters: {
        layers: { value: '9-8-2' },
        learning_rate: { values: [0.01, 0.03] },
        batch_size: { value: 16 },
        epochs: { value: 3 },
        validation_split: { value: 0.2 },
      },
    },
  },
  regress: {
    file: 'regress.csv',
    label: 'y',
    sweep: {
      name: 'table-regress',
      dataset: 'reg',
      metric: { name: 'val_rmse' },
      method: 'grid',
      parameters: {
        layers: { value: '3-8-1' },
        loss: { values: ['mse', 'huber'] },
        learning_rate: { value: 0.01 },
        batch_size: { value: 8 },
        epochs: { value: 4 },
        validation_split: { value: 0.2 },
      },
    },
  },
} as const;
type Name = keyof typeof TABLES;

const embedded: Partial<Record<Name, { sweepId: string; store: FsBlobStore }>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sweep-tables-'));
  for (const [name, t] of Object.entries(TABLES)) {
    await writeFile(join(dir, `${name}.json`), JSON.stringify(t.sweep));
    await writeFile(join(dir, t.file), await readFile(fixture(t.file)));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded backend, as a user runs it: data prepare --from <csv>, then sweep run', () => {
  for (const name of ['classify', 'regress'] as const)
    it(`${name}: prepares the CSV and runs the sweep to the end`, async () => {
      const t = TABLES[name];
      const out = join(dir, `out-${name}`);
      const prep = await sweep([
        'data',
        'prepare',
        '--dataset',
        t.sweep.dataset,
        '--from',
        t.file,
        '--label',
        t.label,
        '--store-dir',
        join(out, 'store'),
        '--json',
      ]);
      expect(prep.code, prep.stderr).toBe(0);
      const run = await sweep(['run', `${name}.json`, '--out', out, '--workers', '2', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sweep_id: string };
      const store = new FsBlobStore(join(out, 'store'));
      embedded[name] = { sweepId: line.sweep_id, store };
      const results = [...(await readResults(store, line.sweep_id)).values()];
      expect(results).toHaveLength(2);
      for (const r of results) {
        expect(r.state, r.reason).toBe('completed');
        expect(r.weights_key).toBeDefined();
      }
      const lb = JSON.parse(
        dec.decode((await store.get(keys.leaderboard(line.sweep_id, 'json')))!.body),
      ) as Leaderboard;
      const html = dec.decode((await store.get(keys.report(line.sweep_id)))!.body);
      const csvHead = dec
        .decode((await store.get(keys.leaderboard(line.sweep_id, 'csv')))!.body)
        .split('\r\n')[0]!;
      if (name === 'classify') checkClassification(results, lb, html, csvHead);
      else checkRegression(results, lb, html, csvHead);
      // The best model, as a file: its ONNX graph takes the CSV's columns (tests/export/table-onnx.test.ts).
      const onnx = join(dir, `${name}.onnx`);
      const exp = await sweep([
        'export',
        line.sweep_id,
        '--best',
        '--format',
        'onnx',
        '--out',
        onnx,
        '--store-dir',
        join(out, 'store'),
      ]);
      expect(exp.code, exp.stderr).toBe(0);
      expect((await readFile(onnx)).byteLength).toBeGreaterThan(100);
    });
});

function checkClassification(results: TrialResult[], lb: Leaderboard, html: string, csvHead: string): void {
  expect(lb.task).toBe('classification');
  expect(csvHead).toContain('val_accuracy,test_accuracy,val_loss');
  for (const r of results) {
    const test = r.test as TestMetrics;
    expect(test.class_names).toEqual(['no', 'yes']);
    expect(test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(16);
    // A table's mistakes are rows, in the source's terms.
    for (const w of test.confidently_wrong) {
      expect(w.pixels_b64).toBeUndefined();
      expect(w.row).toHaveProperty('color');
      expect(typeof w.row?.age).toBe('number');
    }
  }
  expect(html).toContain('Confusion matrix');
  expect(html).toContain('id="columns"'); // the data set at a glance: its columns as prepared
  expect(html).not.toContain('<img');
}

function checkRegression(results: TrialResult[], lb: Leaderboard, html: string, csvHead: string): void {
  expect(lb.task).toBe('regression');
  expect(csvHead).toContain('val_rmse,val_mae,val_r2,test_rmse,test_mae,test_r2,val_loss');
  // Ranked by val_rmse, smallest first, each row's own.
  const rmse = lb.rows.map((r) => r.metric!);
  expect(rmse).toEqual([...rmse].sort((a, b) => a - b));
  for (const r of results) {
    expect(r.val_rmse).toBeGreaterThan(0);
    expect(r.test_r2).toBeDefined();
    expect(r.test && isRegressionTest(r.test)).toBe(true);
    if (!r.test || !isRegressionTest(r.test)) continue;
    expect(r.test.rmse).toBe(r.test_rmse);
    expect(r.test.points).toHaveLength(12); // every test row (12 of 60 held out, fewer than the plot's cap)
    expect(Object.keys(r.test.worst[0]!.row!)).toEqual(['a', 'b', 'c']);
  }
  expect(html).toContain('Predicted vs actual');
  expect(html).toContain('Largest errors');
  expect(html).toContain('val RMSE');
}

describe('LocalStack: the same files prepared into S3, the same sweeps through SQS and worker processes', () => {
  const prefix = `tables-${randomBytes(4).toString('hex')}`;
  let endpoint: string;
  let backend: Backend | undefined;

  beforeAll(async () => {
    endpoint = await ensureLocalstack();
  }, 15 * 60_000);

  afterAll(() => deleteBackendResources(endpoint, backend));

  it('gives bit-identical results and weights to the embedded runs, for both tables', async () => {
    expect(Object.keys(embedded).sort()).toEqual(['classify', 'regress']);
    backend = await openBackend('localstack', { endpoint, prefix, workerTimeoutSeconds: 30 });
    const b = backend;
    const runner = new ProcessRunner({
      backend: b,
      modules: SOURCE_HANDLERS,
      workers: 2,
      workerTimeoutSeconds: 30,
    });
    await runner.start();
    try {
      for (const name of ['classify', 'regress'] as const) {
        const t = TABLES[name];
        await prepareTableFiles(b.store, {
          name: t.sweep.dataset,
          from: join(dir, t.file),
          label: t.label,
          workerMemoryMb: 1769,
        });
        const sub = await submitSweep(JSON.stringify(t.sweep), `${name}.json`, {
          store: b.store,
          submissions: b.queues!.submissions,
          now: Date.now,
        });
        expect(sub.ok).toBe(true);
        if (!sub.ok) return;
        const mine = embedded[name]!;
        expect(sub.value.sweep_id).toBe(mine.sweepId);
        const q = b.queues!;
        const status = await waitForSweep(b.store, sub.value.sweep_id, {
          queues: [q.submissions, q.trials, q.results, b.trialsDlq!],
        });
        expect(status.counts.completed).toBe(2);
        await expectSameRuns(
          mine.sweepId,
          { store: mine.store, results: await readResults(mine.store, mine.sweepId) },
          { store: b.store, results: await readResults(b.store, mine.sweepId) },
        );
      }
    } finally {
      await runner.stop();
    }
  }, 300_000);
});
