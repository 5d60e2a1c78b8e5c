/** The `sweep` CLI as a user runs it: bin/sweep.js in a child process, exit codes, outputs on disk. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepCli } from './helpers.ts';

let dir: string;
const sweep = sweepCli(() => dir);

const TINY = {
  name: 'cli-tiny',
  dataset: 'mnist',
  metric: { name: 'val_accuracy', goal: 'maximize' },
  method: 'grid',
  parameters: {
    layers: { values: ['784-8-10', '784-16-10'] },
    learning_rate: { values: [0.003, 0.01] },
    epochs: { value: 1 },
    seed: { value: 5 },
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sweep-cli-'));
  await writeFile(join(dir, 'tiny.json'), JSON.stringify(TINY));
  await writeFile(
    join(dir, 'bad.json'),
    JSON.stringify({ ...TINY, parameters: { layers: { values: [] }, epochs: { value: -1 } } }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sweep CLI', () => {
  it('--help lists the commands and exits 0; an unknown option exits 2', async () => {
    const help = await sweep(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['run', 'submit', 'status', 'leaderboard', 'report', 'validate', 'train', 'data']) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    }
    expect(help.stdout).toContain('Exit codes');
    const bad = await sweep(['run', 'tiny.json', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option');
  });

  it('run: an invalid sweep file exits 2 with every problem, and runs nothing', async () => {
    const r = await sweep(['run', 'bad.json', '--out', 'out-bad', '--dataset', 'mnist-mini']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/problem/);
    expect(r.stderr).toMatch(/layers/);
    expect(existsSync(join(dir, 'out-bad', 'store', 'sweeps'))).toBe(false);
    const missing = await sweep(['run', 'nope.json']);
    expect(missing.code).toBe(2);
  });

  let sweepId: string;
  let firstResults: Record<string, string> = {};

  it('run: a 4-trial sweep end to end on the embedded backend, outputs under --out', async () => {
    const r = await sweep([
      'run',
      'tiny.json',
      '--dataset',
      'mnist-mini',
      '--out',
      'out',
      '--workers',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim());
    expect(summary).toMatchObject({
      ok: true,
      backend: 'local',
      trials: 4,
      already_finished: 0,
      counts: { completed: 4 },
    });
    sweepId = summary.sweep_id;
    expect(summary.best.metric).toBe('val_accuracy');
    // Plain progress lines (stderr is not a terminal here).
    expect(r.stderr).toContain('[4/4]');
    const res = join(dir, 'out', 'store', 'sweeps', sweepId);
    expect(summary.results_dir.replace(/\/$/, '')).toBe(res);
    for (const f of ['leaderboard.json', 'leaderboard.csv', 'leaderboard.md', 'report.html']) {
      expect(existsSync(join(res, f)), f).toBe(true);
    }
    expect(existsSync(join(dir, 'out', 'latest', 'report.html'))).toBe(true);
    const lb = JSON.parse(await readFile(join(res, 'leaderboard.json'), 'utf8'));
    expect(lb.rows).toHaveLength(4);
    expect(lb.best.trial_id).toBe(summary.best.trial_id);
    for (const row of lb.rows) {
      const t = join(res, 'trials', row.trial_id);
      expect(existsSync(join(t, 'weights.safetensors'))).toBe(true);
      firstResults[row.trial_id] = await readFile(join(t, 'result.json'), 'utf8');
    }
  });

  it('run again into the same --out: nothing re-runs', async () => {
    const r = await sweep([
      'run',
      'tiny.json',
      '--dataset',
      'mnist-mini',
      '--out',
      'out',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim());
    expect(summary).toMatchObject({ sweep_id: sweepId, already_finished: 4, counts: { completed: 4 } });
    for (const [trial, text] of Object.entries(firstResults)) {
      const now = await readFile(
        join(dir, 'out', 'store', 'sweeps', sweepId, 'trials', trial, 'result.json'),
        'utf8',
      );
      expect(now).toBe(text);
    }
    firstResults = {};
  });

  it('status, leaderboard and report read the same store', async () => {
    const store = ['--store-dir', join('out', 'store')];
    const st = await sweep(['status', sweepId, ...store, '--json']);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ sweep_id: sweepId, finished: true, total: 4, done: 4 });
    const human = await sweep(['status', sweepId, ...store]);
    expect(human.stdout).toContain('4/4');
    expect(human.stdout).toMatch(/completed\s*│\s*4/);

    const csv = await sweep(['leaderboard', sweepId, ...store, '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split(/\r?\n/)).toHaveLength(5);
    const top = await sweep(['leaderboard', sweepId, ...store, '--json', '--top', '2']);
    const lb = JSON.parse(top.stdout);
    expect(lb.rows.map((r: { rank: number }) => r.rank)).toEqual([1, 2]);
    expect(lb.rows[0].metric).toBeGreaterThanOrEqual(lb.rows[1].metric);

    const rep = await sweep(['report', sweepId, ...store, '--out', 'r.html']);
    expect(rep.code).toBe(0);
    expect((await readFile(join(dir, 'r.html'), 'utf8')).slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    // Without a stored report (an aggregator that died before rendering it), one is rendered from the aggregate.
    await rm(join(dir, 'out', 'store', 'sweeps', sweepId, 'report.html'));
    const again = await sweep(['report', sweepId, ...store, '--out', 'r2.html', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('rendered now from 4 of 4 trial results');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, rendered_now: true, results: 4, total: 4 });
    const html = await readFile(join(dir, 'r2.html'), 'utf8');
    expect(html.slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(html).toContain(sweepId);

    const unknown = await sweep(['status', 'no-such-sweep', ...store]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no sweep no-such-sweep');
    const badId = await sweep(['leaderboard', '../etc', ...store]);
    expect(badId.code).toBe(2);
  });
});
