import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '../../cli/commands/simulate.ts';
import {
  resampleTrials,
  SimInputError,
  trialsFromLeaderboard,
  trialsFromSweep,
} from '../../core/sim/index.ts';
import { parseSweep } from '../../core/sweep/index.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
}

describe('trial sources', () => {
  it('reads measured rows of a leaderboard and skips rows that never ran', () => {
    const t = trialsFromLeaderboard({
      rows: [
        { wall_s: 42.5, epochs_run: 3 },
        { wall_s: 0, epochs_run: 0, state: 'skipped' },
        { wall_s: 12, epochs_run: 1 },
      ],
    });
    expect(t).toEqual([
      { seconds: 42.5, epochs: 3 },
      { seconds: 12, epochs: 1 },
    ]);
    expect(() => trialsFromLeaderboard({ rows: [] })).toThrow(SimInputError);
    expect(() => trialsFromLeaderboard({ nope: 1 })).toThrow(SimInputError);
  });

  it('resamples cyclically', () => {
    const r = resampleTrials([{ seconds: 1 }, { seconds: 2 }], 5);
    expect(r.map((x) => x.seconds)).toEqual([1, 2, 1, 2, 1]);
  });

  it('estimates a sweep file per trial: bigger nets and more epochs take longer', () => {
    const p = parseSweep(
      JSON.stringify({
        method: 'grid',
        parameters: { layers: { values: ['784-32-10', '784-512-256-10'] }, epochs: { values: [1, 4] } },
      }),
      { filename: 's.json' },
    );
    if (!p.ok) throw new Error(JSON.stringify(p.problems));
    const t = trialsFromSweep(p.value, { samplesPerSecond: 5000 });
    expect(t).toHaveLength(4);
    const by = (e: number) => t.filter((x) => x.epochs === e).map((x) => x.seconds);
    const [small1, big1] = by(1).sort((a, b) => a - b);
    const [small4, big4] = by(4).sort((a, b) => a - b);
    expect(big1!).toBeGreaterThan(small1!);
    expect(small4!).toBeGreaterThan(small1!);
    expect(big4!).toBeGreaterThan(big1!);
  });
});

describe('sweep simulate', () => {
  it('projects 1000 × 1000 from a measured trial time as JSON', async () => {
    const c = capture();
    const code = await simulateCommand(
      { trials: '1000', concurrency: '1000', trialSeconds: '300', json: true },
      c.io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(c.out[0]!);
    expect(r.ok).toBe(true);
    expect(r.trials).toBe(1000);
    expect(r.cap).toBe(1000);
    expect(r.goal_s).toBe(360);
    expect(r.wall_s).toBeGreaterThan(300);
    expect(r.cost_usd).toBeGreaterThan(0);
  });

  it('prints a readable projection', async () => {
    const c = capture();
    const code = await simulateCommand({ trials: '50', concurrency: '10', trialSeconds: '20' }, c.io);
    expect(code).toBe(0);
    const text = c.out.join('\n');
    // the stack's default 4 shards, each with ⌈10 / 4⌉ = 3 (as core/service-spec.ts splits MaximumConcurrency)
    expect(text).toMatch(
      /50 trials, standard SQS event sources on 4 trial queue shards \(≤ 3 each\), at most 12 concurrent/,
    );
    const one = capture();
    expect(
      await simulateCommand({ trials: '50', concurrency: '10', trialSeconds: '20', shards: '1' }, one.io),
    ).toBe(0);
    expect(one.out.join('\n')).toMatch(/50 trials, standard SQS event source, at most 10 concurrent/);
    expect(text).toMatch(/goal:/);
    expect(text).toMatch(/cost:\s+\$/);
  });

  it('reads a leaderboard or a sweep file with --from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const lb = join(dir, 'leaderboard.json');
    writeFileSync(
      lb,
      JSON.stringify({
        rows: [
          { wall_s: 30, epochs_run: 3 },
          { wall_s: 60, epochs_run: 3 },
        ],
      }),
    );
    const a = capture();
    expect(await simulateCommand({ from: lb, trials: '100', json: true }, a.io)).toBe(0);
    const ra = JSON.parse(a.out[0]!);
    expect(ra.trials).toBe(100);
    expect(ra.longest_trial_s).toBe(60);
    const b = capture();
    expect(await simulateCommand({ from: 'sweeps/quickstart.json', json: true }, b.io)).toBe(0);
    expect(JSON.parse(b.out[0]!).trials).toBe(8);
  });

  it('exits 2 on invalid input, with the problem on stderr', async () => {
    const cases = [
      {},
      { trialSeconds: 'abc' },
      { trialSeconds: '10', trials: '0' },
      { trialSeconds: '10', mode: 'turbo' },
      { trialSeconds: '10', from: 'sweeps/quickstart.json' },
      { from: '/nonexistent/file.json' },
      { trialSeconds: '1000', epochs: '1' },
      { trialSeconds: '10', shards: '0' },
      { trialSeconds: '10', shards: '11' },
      { trialSeconds: '10', shards: '2.5' },
    ];
    for (const o of cases) {
      const c = capture();
      expect(await simulateCommand({ ...o, json: true }, c.io), JSON.stringify(o)).toBe(2);
      expect(c.err.length).toBeGreaterThan(0);
      expect(JSON.parse(c.out[0]!).ok).toBe(false);
    }
  });
});
