import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import search from '../../scripts/bench/search.ts';

const dir = mkdtempSync(join(tmpdir(), 'search-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A table of the README's format that the bench has never seen: 6 × 6 × 2 configurations, 2 repetitions. */
function writeTable(): string {
  const space = {
    lr: [1e-4, 3e-4, 0.001, 0.003, 0.01, 0.1],
    width: [16, 32, 64, 128, 256, 512],
    act: ['relu', 'tanh'],
  };
  const table: Record<string, { loss: number[]; train_time: number[] }> = {};
  for (let a = 0; a < 6; a++)
    for (let b = 0; b < 6; b++)
      for (let c = 0; c < 2; c++) {
        const truth = (a - 3) ** 2 + (b - 4) ** 2 / 2 + c / 4;
        table[`${a}${b}${c}`] = { loss: [truth + 1, truth - 1], train_time: [1 + b, 2 + b] };
      }
  const file = join(dir, 'toy.json.gz');
  writeFileSync(
    file,
    gzipSync(
      JSON.stringify({
        name: 'toy/quadratic',
        objective: { metric: 'loss', goal: 'minimize' },
        space,
        param_types: { lr: 'float', width: 'int', act: 'str' },
        metrics: { loss: 'minimize', train_time: 'minimize' },
        table,
      }),
    ),
  );
  return file;
}

describe('npm run bench -- search on a table it has never seen', () => {
  it('prints a line per (table, sampler, workers), normalised by its own random, and an aggregate with the goal', async () => {
    writeTable();
    const lines: Record<string, unknown>[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => {
      lines.push(JSON.parse(s) as Record<string, unknown>);
    });
    try {
      await search(['--table', dir, '--json', '--seeds', '3', '--trials', '12', '--workers', '1,2']);
    } finally {
      log.mockRestore();
    }
    const cells = lines.filter((l) => !l.aggregate);
    expect(cells.map((l) => `${l.sampler}/${l.workers}`).sort()).toEqual([
      'random/1',
      'random/2',
      'tpe/1',
      'tpe/2',
    ]);
    for (const c of cells) {
      expect(c).toMatchObject({ suite: 'search', table: 'toy/quadratic', seeds: 3, trials: 12 });
      expect(c.reference_source).toBe("this run's random (1 worker)");
      expect(Object.keys(c.median_regret_at as object)).toEqual(['10']);
    }
    // random with 1 worker is its own reference: normalised 1 at its last figure (n = 10 ≤ 12 trials)
    const random1 = cells.find((c) => c.sampler === 'random' && c.workers === 1)!;
    const ref = (random1.median_regret_at as Record<string, number>)['10']!;
    expect(ref).toBeGreaterThan(0);
    expect((random1.normalized_at as Record<string, number>)['10']).toBe(1);
    const agg = lines.filter((l) => l.aggregate && l.sampler === 'tpe');
    expect(agg.map((l) => l.workers)).toEqual([1, 2]);
    for (const a of agg) expect(a).toHaveProperty('met');
  });
});
