import { describe, expect, it } from 'vitest';
import { expandTrials, parseSweepObject, type Sweep, sendOrder, trialWork } from '../../core/sweep/index.ts';

function sweepOf(extra: Record<string, unknown> = {}): Sweep {
  const r = parseSweepObject({
    method: 'grid',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    parameters: {
      layers: { values: ['784-10', '784-128-10', '784-64-10'] },
      epochs: { values: [1, 3] },
      learning_rate: { values: [0.01, 0.1] },
    },
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

describe('sendOrder', () => {
  it('sends the longest trials first when the order cannot change the outcome (ties in expansion order)', () => {
    const sweep = sweepOf();
    const trials = expandTrials(sweep);
    const order = sendOrder(sweep, trials);
    expect(order.map((t) => t.trial_id).sort()).toEqual(trials.map((t) => t.trial_id).sort());
    const work = order.map(trialWork);
    for (let i = 1; i < work.length; i++) expect(work[i]!).toBeLessThanOrEqual(work[i - 1]!);
    for (let i = 1; i < order.length; i++)
      if (work[i] === work[i - 1]) expect(order[i]!.index).toBeGreaterThan(order[i - 1]!.index);
    expect(order[0]!.config.layers).toEqual([784, 128, 10]);
    expect(order[0]!.config.epochs).toBe(3);
    expect(order.at(-1)!.config.layers).toEqual([784, 10]);
    expect(order.at(-1)!.config.epochs).toBe(1);
  });

  it('keeps expansion order when a budget or a pruner sees trials in that order', () => {
    for (const extra of [
      { max_cost_usd: 1 },
      { max_minutes: 30 },
      { early_terminate: { type: 'hyperband', min_iter: 1 } },
    ]) {
      const sweep = sweepOf(extra);
      const trials = expandTrials(sweep);
      expect(sendOrder(sweep, trials).map((t) => t.index)).toEqual(trials.map((t) => t.index));
    }
  });

  it('counts every layer: work = Σ fan-in × fan-out × epochs', () => {
    const [t] = expandTrials(
      sweepOf({ parameters: { layers: { value: '784-500-250-100-10' }, epochs: { value: 2 } } }),
    );
    expect(trialWork(t!)).toBe((784 * 500 + 500 * 250 + 250 * 100 + 100 * 10) * 2);
  });
});
