import { describe, expect, it } from 'vitest';
import {
  checkBudget,
  DEFAULT_PRICES,
  estimateSweep,
  isBetter,
  metricValue,
  parseSweepObject,
  pruneMetric,
  REQUESTS_PER_INVOCATION,
  type Sweep,
  spentOf,
  trialCostUsd,
} from '../../core/sweep/index.ts';
import { TrialState } from '../../core/trial-state.ts';

function sweep(obj: Record<string, unknown>): Sweep {
  const r = parseSweepObject({ method: 'grid', parameters: { epochs: { values: [1, 2] } }, ...obj });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.value;
}

describe('trialCostUsd', () => {
  it('= billed s × GB × price(arch) + requests', () => {
    const requests =
      DEFAULT_PRICES.request +
      REQUESTS_PER_INVOCATION.sqs * DEFAULT_PRICES.sqs_request +
      REQUESTS_PER_INVOCATION.s3_get * DEFAULT_PRICES.s3_get +
      REQUESTS_PER_INVOCATION.s3_put * DEFAULT_PRICES.s3_put;
    const arm = trialCostUsd({ billedMs: 10_000, memoryMb: 2048, arch: 'arm64', invocations: 1 });
    expect(arm).toBeCloseTo(10 * 2 * 0.0000133334 + requests, 12);
    const x86 = trialCostUsd({ billedMs: 10_000, memoryMb: 2048, arch: 'x86_64', invocations: 1 });
    expect(x86).toBeCloseTo(10 * 2 * 0.0000166667 + requests, 12);
    expect(x86).toBeGreaterThan(arm);
  });
  it('uses exact request counts and price overrides when given', () => {
    const c = trialCostUsd({
      billedMs: 1000,
      memoryMb: 1024,
      arch: 'arm64',
      invocations: 2,
      sqsRequests: 0,
      s3Gets: 0,
      s3Puts: 10,
      prices: { arm64_gb_s: 1, s3_put: 0.5, request: 0 },
    });
    expect(c).toBeCloseTo(1 + 5, 12);
  });
});

describe('checkBudget', () => {
  const done = (cost: number, state: TrialState = TrialState.Completed) => ({ cost_usd: cost, state });
  it('allows everything without budgets', () => {
    expect(checkBudget(sweep({}), spentOf([done(100)]), 0, 1e12)).toEqual({ ok: true });
  });
  it('stops when the recorded cost reaches max_cost_usd, or the next trial would pass it', () => {
    const s = sweep({ max_cost_usd: 1 });
    expect(checkBudget(s, spentOf([]), 0, 0).ok).toBe(true);
    expect(checkBudget(s, spentOf([done(0.3)]), 0, 0).ok).toBe(true); // 0.3 + 0.3 ≤ 1
    expect(checkBudget(s, spentOf([done(0.3), done(0.3)]), 0, 0).ok).toBe(true); // 0.6 + 0.3
    const r = checkBudget(s, spentOf([done(0.3), done(0.3), done(0.3)]), 0, 0); // 0.9 + 0.3 > 1
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/max_cost_usd/);
    expect(checkBudget(s, spentOf([done(1.2)]), 0, 0).ok).toBe(false);
    // skipped trials cost nothing and do not dilute the forecast
    expect(checkBudget(s, spentOf([done(0.5), done(0, TrialState.Skipped)]), 0, 0).ok).toBe(true);
    expect(checkBudget(s, spentOf([done(0.6), done(0, TrialState.Skipped)]), 0, 0).ok).toBe(false);
  });
  it('stops after max_minutes since the sweep started', () => {
    const s = sweep({ max_minutes: 10 });
    expect(checkBudget(s, spentOf([]), 1_000, 1_000 + 9 * 60_000).ok).toBe(true);
    const r = checkBudget(s, spentOf([]), 1_000, 1_000 + 10 * 60_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/max_minutes/);
  });
});

describe('estimateSweep', () => {
  it('counts trials and epochs, and grows with width, epochs and price', () => {
    const base = estimateSweep(sweep({}));
    expect(base.trials).toBe(2);
    expect(base.epochs).toBe(3);
    expect(base.compute_s).toBeGreaterThan(0);
    expect(base.cost_usd).toBeGreaterThan(0);
    const wide = estimateSweep(
      sweep({ parameters: { epochs: { values: [1, 2] }, layers: { value: '784-512-256-10' } } }),
    );
    expect(wide.compute_s).toBeGreaterThan(base.compute_s);
    const pricey = estimateSweep(sweep({ price: { arm64_gb_s: 0.001 } }));
    expect(pricey.cost_usd).toBeGreaterThan(base.cost_usd);
    const faster = estimateSweep(sweep({}), { samplesPerSecond: 50_000 });
    expect(faster.compute_s).toBeLessThan(base.compute_s);
    expect(base.assumptions).toMatch(/samples\/s/);
  });
});

describe('metrics', () => {
  it('metricValue reads the sweep metric and ignores missing / non-finite values', () => {
    expect(metricValue({ val_accuracy: 0.9 }, { name: 'val_accuracy', goal: 'maximize' })).toBe(0.9);
    expect(metricValue({ val_loss: Number.NaN }, { name: 'val_loss', goal: 'minimize' })).toBeUndefined();
    expect(metricValue({}, { name: 'test_accuracy', goal: 'maximize' })).toBeUndefined();
  });
  it('isBetter respects the goal and never prefers NaN', () => {
    expect(isBetter(0.9, 0.8, 'maximize')).toBe(true);
    expect(isBetter(0.9, 0.8, 'minimize')).toBe(false);
    expect(isBetter(0.8, 0.8, 'maximize')).toBe(false);
    expect(isBetter(Number.NaN, 0.1, 'minimize')).toBe(false);
    expect(isBetter(0.1, Number.NaN, 'minimize')).toBe(true);
  });
  it('pruneMetric ranks test_accuracy sweeps by val_accuracy per epoch', () => {
    expect(pruneMetric({ metric: { name: 'test_accuracy', goal: 'maximize' } })).toEqual({
      name: 'val_accuracy',
      goal: 'maximize',
    });
    expect(pruneMetric({ metric: { name: 'val_loss', goal: 'minimize' } })).toEqual({
      name: 'val_loss',
      goal: 'minimize',
    });
  });
});
