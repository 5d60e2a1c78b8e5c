import { describe, expect, it } from 'vitest';
import { buildLeaderboard, canonicalJson, displayParam, varyingParameters } from '../../core/report/index.ts';
import type { ReportSweep } from '../../core/report/types.ts';
import { epoch, makeResult } from './synthetic.ts';

const sweep = (
  name: ReportSweep['metric']['name'],
  goal: 'maximize' | 'minimize',
  extra: Partial<ReportSweep> = {},
): ReportSweep => ({
  sweep_id: 's1',
  name: 'test',
  metric: { name, goal },
  ...extra,
});

describe('ranking', () => {
  it('ranks by the metric, maximize', () => {
    const lb = buildLeaderboard(sweep('val_accuracy', 'maximize'), [
      makeResult({ trial_id: 'a', val_accuracy: 0.9 }),
      makeResult({ trial_id: 'b', val_accuracy: 0.95 }),
      makeResult({ trial_id: 'c', val_accuracy: 0.8 }),
    ]);
    expect(lb.rows.map((r) => [r.rank, r.trial_id, r.metric])).toEqual([
      [1, 'b', 0.95],
      [2, 'a', 0.9],
      [3, 'c', 0.8],
    ]);
    expect(lb.best?.trial_id).toBe('b');
  });

  it('ranks by the metric, minimize', () => {
    const lb = buildLeaderboard(sweep('val_loss', 'minimize'), [
      makeResult({ trial_id: 'a', val_loss: 0.3, val_accuracy: 0.99 }),
      makeResult({ trial_id: 'b', val_loss: 0.1, val_accuracy: 0.5 }),
      makeResult({ trial_id: 'c', val_loss: 0.2 }),
    ]);
    expect(lb.rows.map((r) => r.trial_id)).toEqual(['b', 'c', 'a']);
    expect(lb.rows[0]!.metric).toBe(0.1);
  });

  it('breaks ties by lower cost, then shorter wall time, then index', () => {
    const lb = buildLeaderboard(sweep('val_accuracy', 'maximize'), [
      makeResult({ trial_id: 'slow', index: 0, val_accuracy: 0.9, cost_usd: 0.001, wall_s: 20 }),
      makeResult({ trial_id: 'dear', index: 1, val_accuracy: 0.9, cost_usd: 0.002, wall_s: 5 }),
      makeResult({ trial_id: 'fast', index: 2, val_accuracy: 0.9, cost_usd: 0.001, wall_s: 10 }),
      makeResult({ trial_id: 'twin', index: 3, val_accuracy: 0.9, cost_usd: 0.001, wall_s: 10 }),
      makeResult({ trial_id: 'top', index: 4, val_accuracy: 0.91, cost_usd: 9, wall_s: 99 }),
    ]);
    expect(lb.rows.map((r) => r.trial_id)).toEqual(['top', 'fast', 'twin', 'slow', 'dear']);
    expect(lb.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('puts trials without a metric after all others, whatever their metric would be', () => {
    const lb = buildLeaderboard(sweep('val_accuracy', 'maximize'), [
      makeResult({ trial_id: 'failed', state: 'failed', reason: 'boom', cost_usd: 0 }),
      makeResult({ trial_id: 'skipped', state: 'skipped', cost_usd: 0 }),
      makeResult({ trial_id: 'pruned', state: 'pruned', val_accuracy: 0.3 }),
      makeResult({ trial_id: 'ok', val_accuracy: 0.5 }),
    ]);
    expect(lb.rows.map((r) => r.trial_id)).toEqual(['ok', 'pruned', 'failed', 'skipped']);
    expect(lb.rows[2]!.metric).toBeNull();
    expect(lb.rows[2]!.reason).toBe('boom');
  });

  it('a diverged trial with a NaN loss has no val_loss metric; falls back to the last epoch otherwise', () => {
    const lb = buildLeaderboard(sweep('val_loss', 'minimize'), [
      makeResult({ trial_id: 'nan', state: 'diverged', val_loss: Number.NaN }),
      makeResult({ trial_id: 'hist', history: [epoch(1, 0.8, 0.6), epoch(2, 0.9, 0.4)] }),
    ]);
    expect(lb.rows.map((r) => [r.trial_id, r.metric])).toEqual([
      ['hist', 0.4],
      ['nan', null],
    ]);
    expect(lb.rows[0]!.val_accuracy).toBe(0.9);
  });

  it('test_accuracy as the metric: a pruned trial without test metrics ranks last', () => {
    const lb = buildLeaderboard(sweep('test_accuracy', 'maximize'), [
      makeResult({ trial_id: 'p', state: 'pruned', val_accuracy: 0.99 }),
      makeResult({ trial_id: 'c', val_accuracy: 0.5, test_accuracy: 0.5 }),
    ]);
    expect(lb.rows.map((r) => [r.trial_id, r.metric])).toEqual([
      ['c', 0.5],
      ['p', null],
    ]);
  });
});

describe('varying parameters', () => {
  it('finds the keys whose canonical JSON differs, in the sweep file order', () => {
    const results = [
      makeResult({ trial_id: 'a' }, { learning_rate: 0.01, layers: [784, 64, 32, 10], dropout: [0.1, 0.2] }),
      makeResult(
        { trial_id: 'b' },
        { learning_rate: 0.01, layers: '784-64-32-10', dropout: [0.1, 0.3], optimizer: 'sgd' },
      ),
    ];
    // layers written two ways are the same canonical array: not varying.
    const lb = buildLeaderboard(
      sweep('val_accuracy', 'maximize', { parameters: { optimizer: [], dropout: [] } }),
      results,
    );
    expect(lb.varying).toEqual(['optimizer', 'dropout']);
    expect(lb.rows.find((r) => r.trial_id === 'a')!.params).toEqual({
      optimizer: 'adam',
      dropout: '0.1,0.2',
    });
  });

  it('compares objects by canonical JSON (key order does not matter)', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    const cfgs = [
      { lr_schedule: { type: 'step', step_size: 1, gamma: 0.5 }, x: 1 },
      { lr_schedule: { gamma: 0.5, type: 'step', step_size: 1 }, x: 1 },
    ];
    expect(varyingParameters(cfgs)).toEqual([]);
    expect(varyingParameters([...cfgs, { lr_schedule: { type: 'constant' }, x: 1 }])).toEqual([
      'lr_schedule',
    ]);
    // A key missing in one config varies against a present value.
    expect(varyingParameters([{ train_shards: 2 }, {}])).toEqual(['train_shards']);
  });

  it('orders schema keys by the schema when the sweep names none', () => {
    expect(
      varyingParameters([
        { batch_size: 1, learning_rate: 1, layers: [1, 2] },
        { batch_size: 2, learning_rate: 2, layers: [1, 3] },
      ]),
    ).toEqual(['layers', 'learning_rate', 'batch_size']);
  });

  it('displays values as one cell', () => {
    expect(displayParam([784, 128, 10])).toBe('784-128-10');
    expect(displayParam(['relu', 'tanh'])).toBe('relu,tanh');
    expect(displayParam({ type: 'cosine', min_lr: 0 })).toBe('{"min_lr":0,"type":"cosine"}');
    expect(displayParam(0.001)).toBe(0.001);
    expect(displayParam(true)).toBe(true);
  });
});

describe('summary figures', () => {
  it('counts states, pending trials, totals and the sweep wall time', () => {
    const results = [
      makeResult({ trial_id: 'a', val_accuracy: 0.9, cost_usd: 0.25, wall_s: 100 }),
      makeResult({ trial_id: 'b', state: 'failed', cost_usd: 0.5, wall_s: 30 }),
      makeResult({ trial_id: 'c', state: 'pruned', val_accuracy: 0.5, cost_usd: 0.25, wall_s: 20 }),
    ];
    const lb = buildLeaderboard(
      sweep('val_accuracy', 'maximize', {
        started_at: '2025-06-01T12:00:00Z',
        finished_at: '2025-06-01T12:01:15Z',
      }),
      results,
      { expectedTrials: 5 },
    );
    expect(lb.counts).toMatchObject({ completed: 1, failed: 1, pruned: 1, skipped: 0, pending: 2 });
    expect(lb.total_cost_usd).toBeCloseTo(1, 12);
    expect(lb.total_compute_s).toBe(150);
    expect(lb.wall_s).toBe(75);
  });

  it('without sweep times, the wall time is the span of the trials', () => {
    const a = makeResult({ trial_id: 'a', val_accuracy: 0.9 });
    a.started_at = '2025-06-01T12:00:00Z';
    a.finished_at = '2025-06-01T12:00:40Z';
    const b = makeResult({ trial_id: 'b', val_accuracy: 0.8 });
    b.started_at = '2025-06-01T12:00:10Z';
    b.finished_at = '2025-06-01T12:01:00Z';
    expect(buildLeaderboard(sweep('val_accuracy', 'maximize'), [a, b]).wall_s).toBe(60);
    expect(buildLeaderboard(sweep('val_accuracy', 'maximize'), []).wall_s).toBeNull();
  });

  it('has no best when no trial has a metric', () => {
    const lb = buildLeaderboard(sweep('val_accuracy', 'maximize'), [
      makeResult({ trial_id: 'f', state: 'failed' }),
    ]);
    expect(lb.best).toBeUndefined();
    expect(lb.rows).toHaveLength(1);
  });
});
