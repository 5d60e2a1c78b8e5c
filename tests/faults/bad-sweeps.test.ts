/**
 * Bad input on LocalStack: every malformed sweep file of tests/fixtures/bad-sweeps (paired with the field
 * path its error must name in expected.json) goes through core/app/submit.ts `submitSweep` against the
 * LocalStack submissions queue: rejected with its path, 0 messages enqueued, no sweep.json written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicatingQueue } from '../../adapters/faults/queue.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { createFaultWorld, type FaultWorld, tinySweepText } from './world.ts';

const BAD = join(import.meta.dirname, '..', 'fixtures', 'bad-sweeps');
/** Per file: the path its error must name (a string, or `path` beside the exact line). */
const expected = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as Record<
  string,
  string | { path: string }
>;
const pathOf = (e: string | { path: string }) => (typeof e === 'string' ? e : e.path);
const files = readdirSync(BAD)
  .filter((f) => f !== 'expected.json')
  .sort();

let w: FaultWorld;
beforeAll(async () => {
  w = await createFaultWorld('badsweeps');
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

describe('faults on LocalStack: malformed sweeps', () => {
  it('each of ≥ 50 malformed sweep files is rejected with its field path; nothing is enqueued or written', async () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
    // Counts what submitSweep asks the queue to send (copies = 1: a plain pass-through).
    const submissions = new DuplicatingQueue(w.submissions, 1);
    const wrongPath: string[] = [];
    let rejected = 0;
    for (const f of files) {
      const r = await submitSweep(readFileSync(join(BAD, f), 'utf8'), f, {
        store: w.store,
        submissions,
        now: Date.now,
      });
      if (r.ok) continue;
      rejected++;
      const paths = r.problems.filter((p) => p.severity === 'error').map((p) => p.path);
      const want = pathOf(expected[f]!);
      if (!paths.includes(want)) wrongPath.push(`${f}: wanted ${want}, got ${paths.join(', ')}`);
    }
    const depth = await w.submissions.depth();
    const received = await w.submissions.receive({ max: 10, waitSeconds: 1 });
    const written = await w.store.list('sweeps/');
    console.log(
      `[faults] bad sweeps: files=${files.length} rejected=${rejected} wrong paths=${wrongPath.length} ` +
        `sends=${submissions.sentBodies} queue visible=${depth.visible} in flight=${depth.inFlight} objects under sweeps/=${written.length}`,
    );
    expect(wrongPath).toEqual([]);
    expect(rejected).toBe(files.length);
    expect(submissions.sentBodies).toBe(0);
    expect(depth).toEqual({ visible: 0, inFlight: 0 });
    expect(received).toEqual([]);
    expect(written).toEqual([]);
  });

  it('a valid sweep on a data set that is not prepared is rejected at $.dataset, nothing enqueued (control: a good one is)', async () => {
    const bad = await submitSweep(
      tinySweepText('unprepared', 1, {}, { dataset: 'fashion-mnist' }),
      'u.json',
      {
        store: w.store,
        submissions: w.submissions,
        now: Date.now,
      },
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path)).toContain('$.dataset');
    expect(await w.submissions.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(await w.store.list('sweeps/')).toEqual([]);

    const good = await submitSweep(tinySweepText('control', 1), 'c.json', {
      store: w.store,
      submissions: w.submissions,
      now: Date.now,
    });
    expect(good.ok).toBe(true);
    expect((await w.submissions.depth()).visible).toBe(1);
    if (good.ok) expect(await w.store.list('sweeps/')).toEqual([`sweeps/${good.value.sweep_id}/sweep.json`]);
  });
});
