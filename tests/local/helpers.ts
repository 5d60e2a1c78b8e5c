/**
 * Shared by the end-to-end tests: a small sweep, data preparation, the deterministic view of a result, the
 * reference run on the embedded backend, and LocalStack resources of a test file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Backend } from '../../adapters/backend.ts';
import { nodeSha256 } from '../../adapters/data/loader.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import {
  allQueueUrls,
  type BootstrapOptions,
  bootstrapLocalstack,
  deleteBucket,
  deleteQueues,
  type LocalstackResources,
} from '../../adapters/localstack/bootstrap.ts';
import { type LocalstackClients, localstackClients } from '../../adapters/localstack/clients.ts';
import { EmbeddedRunner } from '../../adapters/runner/embedded.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import type { FsBlobStore } from '../../adapters/store/fs.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { TrialResult } from '../../core/result.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';

/** 6 trials, tiny nets, 1 epoch on mnist-mini: a few seconds in all. */
export const SIX_TRIAL_SWEEP = JSON.stringify({
  name: 'local-e2e',
  dataset: 'mnist-mini',
  metric: { name: 'val_accuracy', goal: 'maximize' },
  method: 'grid',
  parameters: {
    layers: { values: ['784-8-10', '784-16-10', '784-32-10'] },
    learning_rate: { values: [0.003, 0.01] },
    batch_size: { value: 64 },
    epochs: { value: 1 },
    seed: { value: 7 },
  },
});

export async function prepareMini(store: BlobStore): Promise<void> {
  const r = await resolveDataset('mnist-mini');
  await prepareDataset(store, r.dataset, r.source, { hash: nodeSha256 });
}

const dec = new TextDecoder();

export async function readResults(store: BlobStore, sweepId: string): Promise<Map<string, TrialResult>> {
  const out = new Map<string, TrialResult>();
  for (const k of await store.list(keys.trials(sweepId))) {
    if (!k.endsWith('/result.json')) continue;
    const obj = await store.get(k);
    const r = JSON.parse(dec.decode(obj!.body)) as TrialResult;
    out.set(r.trial_id, r);
  }
  return out;
}

/** Everything a trial computed, without what depends on the clock or the machine. */
export function deterministicPart(r: TrialResult) {
  return {
    trial_id: r.trial_id,
    index: r.index,
    config: r.config,
    state: r.state,
    epochs_run: r.epochs_run,
    history: r.history.map(({ wall_s: _w, samples_per_s: _s, ...rest }) => rest),
    test: r.test,
    train_accuracy: r.train_accuracy,
    val_accuracy: r.val_accuracy,
    val_loss: r.val_loss,
    test_accuracy: r.test_accuracy,
    test_loss: r.test_loss,
    val_rmse: r.val_rmse,
    val_mae: r.val_mae,
    val_r2: r.val_r2,
    test_rmse: r.test_rmse,
    test_mae: r.test_mae,
    test_r2: r.test_r2,
  };
}

export async function weightsDigest(
  store: BlobStore,
  sweepId: string,
  trialId: string,
): Promise<string | undefined> {
  const obj = await store.get(keys.weights(sweepId, trialId));
  return obj ? createHash('sha256').update(obj.body).digest('hex') : undefined;
}

/**
 * The 6-trial sweep run to the end on the embedded backend (the TypeScript sources, files and threads) in
 * `storeDir`: the reference other runs are compared with. Returns the sweep id and the store.
 */
export async function runSixOnEmbedded(storeDir: string): Promise<{ sweepId: string; store: FsBlobStore }> {
  const runner = new EmbeddedRunner({
    storeDir,
    modules: SOURCE_HANDLERS,
    workers: 2,
    workerTimeoutSeconds: 30,
  });
  await prepareMini(runner.store);
  await runner.start();
  try {
    const sub = await submitSweep(SIX_TRIAL_SWEEP, 'e2e.json', {
      store: runner.store,
      submissions: runner.queues.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    await waitForSweep(runner.store, sub.value.sweep_id, {
      queues: [runner.queues.submissions, runner.queues.trials, runner.queues.results],
      busy: () => runner.activity().busy > 0,
    });
    return { sweepId: sub.value.sweep_id, store: runner.store };
  } finally {
    await runner.stop();
  }
}

/** Asserts that two runs of one sweep gave the same per-trial results and weights, bit for bit. */
export async function expectSameRuns(
  sweepId: string,
  a: { store: BlobStore; results: Map<string, TrialResult> },
  b: { store: BlobStore; results: Map<string, TrialResult> },
): Promise<void> {
  expect([...a.results.keys()].sort()).toEqual([...b.results.keys()].sort());
  for (const [id, r] of a.results) {
    expect(deterministicPart(r)).toEqual(deterministicPart(b.results.get(id)!));
    expect(await weightsDigest(a.store, sweepId, id)).toBe(await weightsDigest(b.store, sweepId, id));
  }
}

export interface TestResources {
  endpoint: string;
  clients: LocalstackClients;
  res: LocalstackResources;
  /** Deletes the queues and the bucket (with everything in it). */
  cleanup(): Promise<void>;
}

/** The service's bucket and queues in LocalStack under `prefix` (unique per test file), from the spec. */
export async function localstackResources(prefix: string, o: BootstrapOptions = {}): Promise<TestResources> {
  const endpoint = await ensureLocalstack();
  const clients = localstackClients(endpoint);
  const res = await bootstrapLocalstack(clients, { ...o, prefix });
  return {
    endpoint,
    clients,
    res,
    async cleanup() {
      await deleteQueues(clients, allQueueUrls(res));
      await deleteBucket(clients, res.bucket).catch(() => undefined);
    },
  };
}

/** Deletes the bucket and every queue (with its DLQ) of a LocalStack backend a test opened. */
export async function deleteBackendResources(endpoint: string, backend: Backend | undefined): Promise<void> {
  if (!backend?.env) return;
  const c = localstackClients(endpoint);
  await deleteBucket(c, backend.env.SWEEP_BUCKET!).catch(() => undefined);
  const urls = Object.entries(backend.env)
    .filter(([k]) => k.endsWith('QUEUE_URL') || k.endsWith('QUEUE_URLS') || k.endsWith('DLQ_URL'))
    .flatMap(([, v]) => v.split(','));
  await deleteQueues(c, [...urls, ...urls.map((u) => `${u}-dlq`)]);
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sweep.js');

/** `sweep …` as a user runs it: bin/sweep.js in a child process in `cwd()`; exit code and outputs. */
export function sweepCli(
  cwd: () => string,
): (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: cwd(), env: { ...process.env, NO_COLOR: '1' }, timeout: 180_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}
