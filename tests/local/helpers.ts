/** Shared by the local end-to-end tests: a small sweep, data preparation, and the deterministic view of a result. */
import { createHash } from 'node:crypto';
import { nodeSha256 } from '../../adapters/data/loader.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { TrialResult } from '../../core/result.ts';

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
