/**
 * A corrupted shard on LocalStack: one byte of the prepared training shard is flipped in the bucket. Every
 * attempt fails its sha256 check (a ChecksumError recorded under errors/), the trials end `failed` through
 * the DLQ, and none of them ever trained: no epochs, no checkpoint, no weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../../core/app/json.ts';
import { keys } from '../../core/layout.ts';
import { MAX_RECEIVE_COUNT } from '../../core/service-spec.ts';
import { TrialState } from '../../core/trial-state.ts';
import { createFaultWorld, type FaultWorld, readOutcome, tinySweepText } from './world.ts';

let w: FaultWorld;
beforeAll(async () => {
  w = await createFaultWorld('corrupt');
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

describe('faults on LocalStack: corrupted shard', () => {
  it('a flipped byte in a shard: checksum error, trials failed, never trained on bad bytes', async () => {
    const version = await w.datasetVersion();
    const manifest = await getJson<{ train: { key: string; sha256: string }[] }>(
      w.store,
      keys.manifest('mnist-mini', version),
    );
    const shard = manifest!.train[0]!.key;
    const obj = (await w.store.get(shard))!;
    const bytes = new Uint8Array(obj.body);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await w.store.put(shard, bytes);

    const id = await w.submit(tinySweepText('corrupt', 2));
    const run = await w.pump();
    const out = await readOutcome(w.store, id);
    const rs = [...out.results.values()];
    console.log(
      `[faults] corrupted shard: trials=${rs.length} states=${rs.map((r) => r.state).join(',')} ` +
        `worker failures=${run.failures.worker.length} epochs trained=${rs.reduce((s, r) => s + r.history.length, 0)}`,
    );
    expect(rs).toHaveLength(2);
    expect(run.failures.worker).toHaveLength(2 * MAX_RECEIVE_COUNT);
    for (const r of rs) {
      expect(r.state).toBe(TrialState.Failed);
      expect(r.reason).toMatch(new RegExp(`ChecksumError: shard ${shard} failed verification`));
      expect(r.epochs_run).toBe(0);
      expect(r.history).toEqual([]);
      expect(await w.store.get(keys.checkpoint(id, r.trial_id))).toBeUndefined();
      expect(await w.store.get(keys.progress(id, r.trial_id))).toBeUndefined();
      expect(await w.store.get(keys.weights(id, r.trial_id))).toBeUndefined();
      const errors = await w.store.list(keys.errors(id, r.trial_id));
      expect(errors).toHaveLength(MAX_RECEIVE_COUNT);
      for (const e of errors)
        expect((await getJson<{ error: string }>(w.store, e))?.error).toBe('ChecksumError');
    }
    expect(out.state?.finished).toBe(true);
    expect(out.leaderboard?.rows.map((r) => r.state)).toEqual(['failed', 'failed']);
  });
});
