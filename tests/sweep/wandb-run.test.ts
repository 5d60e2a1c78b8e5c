/**
 * W&B's own documented example, as published, runs end to end on the embedded backend (small: one trial,
 * `--max-trials 1`, on mnist-mini); its warnings are printed as the run starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunSummary, runSweepCommand } from '../../cli/commands/run.ts';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'good-sweeps', 'wandb-docs-hyperband.yaml');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('a W&B documented example through `sweep run`', () => {
  it('runs its trial to completion, saying what it read', async () => {
    const out = await mkdtemp(join(tmpdir(), 'wandb-run-'));
    dirs.push(out);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runSweepCommand(
      FILE,
      { dataset: 'mnist-mini', maxTrials: '1', workers: '1', out, offline: true, json: true },
      { out: { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) }, tty: false },
    );
    expect(code, stderr.join('\n')).toBe(0);
    const summary = JSON.parse(stdout.at(-1)!) as RunSummary;
    expect(summary).toMatchObject({ ok: true, trials: 1, counts: { completed: 1 } });
    expect(summary.best?.metric).toBe('val_loss');
    expect(stderr).toContain(
      'warning: $.method: W&B "bayes" is not implemented here: running random search over the same space',
    );
    expect(stderr.join('\n')).not.toContain('default 50');
  }, 240_000);
});
