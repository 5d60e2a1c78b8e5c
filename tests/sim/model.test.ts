import { describe, expect, it } from 'vitest';
import { LAMBDA_RULES, SimInputError, simulate, uniformTrials } from '../../core/sim/index.ts';
import { trialCostUsd } from '../../core/sweep/index.ts';

/** Capacity available at once: the scale-up rule is taken out of the picture. */
const instant = { initialConcurrency: 100_000 };

describe('simulate: timing', () => {
  it('one wave with capacity at once: dispatch + cold start + trial + result write + aggregate', () => {
    const r = simulate(uniformTrials(10, 100), { concurrency: 1000, coldStartS: 2, scaling: instant });
    expect(r.wall_s).toBeCloseTo(1 + 2 + 100 + 0.2 + 1, 9);
    expect(r.last_result_s).toBeCloseTo(103.2, 9);
    expect(r.cold_starts).toBe(10);
    expect(r.invocations).toBe(10);
    expect(r.peak_running).toBe(10);
    expect(r.meets_goal).toBe(true);
    expect(r.goal_s).toBe(160);
    expect(r.ratio_to_goal).toBeCloseTo(104.2 / 160, 9);
  });

  it('standard mode ramps from 5 by 300 per minute: 1000 concurrent after ≈ 199 s, which misses the goal', () => {
    const r = simulate(uniformTrials(1000, 600, 10), { concurrency: 1000, coldStartS: 2 });
    const ramp =
      ((1000 - LAMBDA_RULES.standard.initialConcurrency) * 60) / LAMBDA_RULES.standard.addPerMinute;
    expect(r.full_concurrency_s).not.toBeNull();
    expect(r.full_concurrency_s!).toBeGreaterThanOrEqual(1 + ramp - 1e-6);
    expect(r.full_concurrency_s!).toBeLessThan(1 + ramp + 0.5);
    // the last trial starts when the 1000th slot opens
    expect(r.wall_s).toBeCloseTo(1 + ramp + 2 + 600 + 0.2 + 1, 0);
    expect(r.peak_running).toBe(1000);
    expect(r.meets_goal).toBe(false);
    expect(r.ratio_to_goal).toBeGreaterThan(1);
    expect(r.notes.join(' ')).toMatch(/scale-up/);
  });

  it('provisioned mode with enough minimum pollers meets the goal for the same sweep', () => {
    const r = simulate(uniformTrials(1000, 600, 10), {
      concurrency: 1000,
      coldStartS: 2,
      mode: 'provisioned',
      minPollers: 100,
    });
    expect(r.full_concurrency_s).toBe(1);
    expect(r.wall_s).toBeCloseTo(1 + 2 + 600 + 0.2 + 1, 9);
    expect(r.meets_goal).toBe(true);
  });

  it('the pre-2023 rule (60 per minute) is slower than today’s 300 per minute', () => {
    const trials = uniformTrials(500, 120, 2);
    const now = simulate(trials, { concurrency: 1000, coldStartS: 2 });
    const before = simulate(trials, { concurrency: 1000, coldStartS: 2, scaling: { addPerMinute: 60 } });
    expect(before.wall_s).toBeGreaterThan(now.wall_s);
  });

  it('a concurrency cap runs the trials in waves, reusing warm environments', () => {
    const r = simulate(uniformTrials(10, 10), { concurrency: 2, coldStartS: 2, scaling: instant });
    expect(r.cap).toBe(2);
    expect(r.cold_starts).toBe(2);
    expect(r.peak_running).toBe(2);
    // wave 1 cold (2 + 10 + 0.2), waves 2–5 warm (0.05 + 10 + 0.2)
    expect(r.last_result_s).toBeCloseTo(1 + 12.2 + 4 * 10.25, 9);
    expect(r.notes.join(' ')).toMatch(/5 waves/);
  });

  it('account concurrency caps the workers below the event source maximum', () => {
    const r = simulate(uniformTrials(300, 50), {
      concurrency: 1000,
      accountConcurrency: 100,
      coldStartS: 1,
      scaling: instant,
    });
    expect(r.cap).toBe(100);
    expect(r.peak_running).toBe(100);
    expect(r.cold_starts).toBe(100);
  });

  it("the sweep's max_concurrency refills one trial per aggregate", () => {
    const r = simulate(uniformTrials(4, 10), {
      concurrency: 1000,
      sweepMaxConcurrency: 1,
      coldStartS: 2,
      scaling: instant,
    });
    expect(r.peak_running).toBe(1);
    // first: 1 + 12.2; each next one starts 1 s (aggregate) after the previous result, warm
    expect(r.last_result_s).toBeCloseTo(1 + 12.2 + 3 * (1 + 10.25), 9);
  });
});

describe('simulate: 15-minute invocations', () => {
  it('splits a long trial at epoch boundaries into continuations', () => {
    const r = simulate([{ seconds: 2000, epochs: 20 }], { concurrency: 10, coldStartS: 2, scaling: instant });
    // budget per invocation: 900 − 5 − start-up − 0.3 → 8 epochs of 100 s
    expect(r.invocations).toBe(3);
    expect(r.continuations).toBe(2);
    expect(r.cold_starts).toBe(1);
    expect(r.last_result_s).toBeCloseTo(1 + (2 + 800 + 0.3) + (0.05 + 800 + 0.3) + (0.05 + 400 + 0.2), 9);
  });

  it('rejects a trial whose single epoch cannot fit in one invocation', () => {
    expect(() => simulate([{ seconds: 1000, epochs: 1 }], { concurrency: 10, coldStartS: 2 })).toThrow(
      SimInputError,
    );
  });
});

describe('simulate: cost and input', () => {
  it('bills every invocation (init included) through trialCostUsd, plus the aggregator', () => {
    const r = simulate(uniformTrials(1, 100), { concurrency: 10, coldStartS: 2, scaling: instant });
    const worker = trialCostUsd({ billedMs: 102_200, memoryMb: 1769, arch: 'arm64', invocations: 1 });
    const aggregator = trialCostUsd({ billedMs: 1000, memoryMb: 1024, arch: 'arm64', invocations: 1 });
    expect(r.billed_s).toBeCloseTo(102.2, 9);
    expect(r.cost_usd).toBeCloseTo(worker + aggregator, 12);
    const x86 = simulate(uniformTrials(1, 100), {
      concurrency: 10,
      coldStartS: 2,
      scaling: instant,
      arch: 'x86_64',
    });
    expect(x86.cost_usd).toBeGreaterThan(r.cost_usd);
  });

  it('is deterministic', () => {
    const trials = Array.from({ length: 200 }, (_, i) => ({ seconds: 30 + (i % 7) * 11, epochs: 3 }));
    const o = { concurrency: 64, coldStartS: 1.5 };
    expect(simulate(trials, o)).toEqual(simulate(trials, o));
  });

  it('rejects empty or invalid input', () => {
    expect(() => simulate([], { concurrency: 1, coldStartS: 1 })).toThrow(SimInputError);
    expect(() => simulate(uniformTrials(1, 1), { concurrency: 0, coldStartS: 1 })).toThrow(SimInputError);
    expect(() => simulate(uniformTrials(1, 1), { concurrency: 1, coldStartS: -1 })).toThrow(SimInputError);
    expect(() => simulate([{ seconds: Number.NaN }], { concurrency: 1, coldStartS: 1 })).toThrow(
      SimInputError,
    );
  });

  it('keeps a bounded timeline that ends with nothing running or queued', () => {
    const r = simulate(uniformTrials(1000, 60), { concurrency: 1000, coldStartS: 2 });
    expect(r.timeline.length).toBeLessThanOrEqual(121);
    const last = r.timeline[r.timeline.length - 1]!;
    expect(last.running).toBe(0);
    expect(last.queued).toBe(0);
    expect(Math.max(...r.timeline.map((s) => s.running))).toBeLessThanOrEqual(r.peak_running);
  });
});
