/** The scale model with trial queue shards: one event source mapping (ESM) per shard, each ramping on its own. */
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '../../cli/commands/simulate.ts';
import { DEFAULT_TRIAL_QUEUE_SHARDS } from '../../core/service-spec.ts';
import { LAMBDA_RULES, type SimResult, simulate, uniformTrials } from '../../core/sim/index.ts';

const { initialConcurrency, addPerMinute } = LAMBDA_RULES.standard;
const wide = uniformTrials(1000, 600, 10);
/** Time for one ESM to ramp from its initial concurrency to `to`, seconds. */
const ramp = (to: number) => ((to - initialConcurrency) * 60) / addPerMinute;

describe('simulate: trial queue shards', () => {
  it('more shards reach full concurrency sooner and finish sooner', () => {
    const rs = [1, 2, 4, 10].map((shards) => simulate(wide, { concurrency: 1000, coldStartS: 2, shards }));
    for (let i = 1; i < rs.length; i++) {
      expect(rs[i]!.full_concurrency_s!).toBeLessThan(rs[i - 1]!.full_concurrency_s!);
      expect(rs[i]!.wall_s).toBeLessThan(rs[i - 1]!.wall_s);
    }
    // 4 shards: each ESM ramps to 250 on its own, in (250 − 5) / 5 per s = 49 s instead of 199 s
    const four = rs[2]!;
    expect(four.esm_cap).toBe(250);
    expect(four.full_concurrency_s!).toBeGreaterThanOrEqual(1 + ramp(250) - 1e-6);
    expect(four.full_concurrency_s!).toBeLessThan(1 + ramp(250) + 0.5);
    expect(four.peak_running).toBe(1000);
    expect(four.notes.join(' ')).toMatch(/4 event sources' scale-up/);
  });

  it('one shard gives the single-queue figures (the model as it was)', () => {
    const plain = simulate(wide, { concurrency: 1000, coldStartS: 2 });
    const one = simulate(wide, { concurrency: 1000, coldStartS: 2, shards: 1 });
    expect(one).toEqual(plain);
    expect(one.shards).toBe(1);
    expect(one.full_concurrency_s!).toBeGreaterThanOrEqual(1 + ramp(1000) - 1e-6);
    expect(one.wall_s).toBeCloseTo(1 + ramp(1000) + 2 + 600 + 0.2 + 1, 0);
    // the first recorded single-queue projection (scale bench, 24.535-s trial; BENCHMARKS.md history): 114.424 s
    const bench = simulate(uniformTrials(1000, 24.535, 3), {
      concurrency: 1000,
      coldStartS: 0.889,
      shards: 1,
    });
    expect(bench.wall_s).toBeCloseTo(114.424, 3);
    expect(bench.peak_running).toBe(439);
  });

  it('never exceeds the account concurrency, however many shards', () => {
    const r = simulate(wide.slice(0, 600), {
      concurrency: 1000,
      accountConcurrency: 300,
      coldStartS: 1,
      shards: 10,
    });
    expect(r.cap).toBe(300);
    expect(r.peak_running).toBe(300);
    for (const s of r.timeline) expect(s.running).toBeLessThanOrEqual(300);
  });

  it('never exceeds the function scaling rate (environments per 10 s)', () => {
    const per10s = 40;
    const r = simulate(uniformTrials(400, 100), {
      concurrency: 1000,
      coldStartS: 1,
      shards: 10,
      functionScalingPer10s: per10s,
      scaling: { initialConcurrency: 100 }, // the ESMs alone would allow 1000 at once
    });
    const limit = (t: number) => per10s * (1 + Math.floor((t - 1) / 10 + 1e-9));
    for (const s of r.timeline) expect(s.running).toBeLessThanOrEqual(limit(s.t));
    expect(r.timeline.some((s) => s.running === limit(s.t) && s.running < 400)).toBe(true);
    const free = simulate(uniformTrials(400, 100), {
      concurrency: 1000,
      coldStartS: 1,
      shards: 10,
      scaling: { initialConcurrency: 100 },
    });
    expect(free.peak_running).toBe(400);
    expect(r.wall_s).toBeGreaterThan(free.wall_s);
  });

  it('splits the total concurrency over the ESMs as the stack does: max(2, ⌈total / shards⌉) each', () => {
    const at = (concurrency: number, shards: number): SimResult =>
      simulate(uniformTrials(50, 10), {
        concurrency,
        coldStartS: 1,
        shards,
        scaling: { initialConcurrency: 1000 },
      });
    expect(at(10, 4)).toMatchObject({ esm_cap: 3, cap: 12, peak_running: 12 });
    expect(at(1000, 3)).toMatchObject({ esm_cap: 334, cap: 1000 }); // the account's 1000
    expect(at(3, 4)).toMatchObject({ esm_cap: 2, cap: 8 });
  });

  it('provisioned mode splits the minimum pollers over the shards', () => {
    const r = simulate(wide, {
      concurrency: 1000,
      coldStartS: 2,
      mode: 'provisioned',
      minPollers: 100,
      shards: 4,
    });
    // ⌈100 / 4⌉ = 25 pollers × 10 invokes each = 250 per ESM at once: full concurrency at dispatch
    expect(r.full_concurrency_s).toBe(1);
    expect(r.meets_goal).toBe(true);
  });
});

describe('sweep simulate --shards', () => {
  const run = async (o: Record<string, string>) => {
    const out: string[] = [];
    const code = await simulateCommand(
      { trials: '1000', concurrency: '1000', trialSeconds: '600', json: true, ...o },
      {
        stdout: (s) => out.push(s),
        stderr: () => undefined,
      },
    );
    return { code, r: JSON.parse(out[0]!) };
  };

  it("defaults to the stack's shard count, and --shards 1 is the single queue", async () => {
    const d = await run({});
    expect(d.code).toBe(0);
    expect(d.r.shards).toBe(DEFAULT_TRIAL_QUEUE_SHARDS);
    const one = await run({ shards: '1' });
    expect(one.r.shards).toBe(1);
    expect(one.r.full_concurrency_s).toBeGreaterThan(d.r.full_concurrency_s);
    expect(one.r.wall_s).toBeGreaterThan(d.r.wall_s);
  });
});
