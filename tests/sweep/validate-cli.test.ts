import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../../cli/commands/validate.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (kind: 'good' | 'bad', f: string) => join(root, 'tests', 'fixtures', `${kind}-sweeps`, f);

/** Runs `validate` through commander in a child process, as `sweep validate` does. */
function run(args: string[]) {
  const script = `
    import { Command } from 'commander';
    import { register } from ${JSON.stringify(join(root, 'cli', 'commands', 'validate.ts'))};
    const program = new Command('sweep');
    register(program);
    await program.parseAsync(process.argv.slice(1), { from: 'user' });
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sweep validate', () => {
  it('registers a "validate" command', () => {
    const program = new Command('sweep');
    register(program);
    expect(program.commands.map((c) => c.name())).toContain('validate');
  });

  it('exits 0 with trials, compute and cost for a good file; warnings on stderr', () => {
    const r = run(['validate', fixture('good', 'wandb-grid.yml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trials:\s+18 /);
    expect(r.stdout).toMatch(/compute:/);
    expect(r.stdout).toMatch(/cost:\s+~\$/);
    expect(r.stderr).toMatch(/^warning: \$\.program: /m);
  });

  it('--json gives a machine-readable summary', () => {
    const r = run(['validate', '--json', fixture('good', 'native-grid.json')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; trials: number; cost_usd: number; method: string };
    expect(j).toMatchObject({ ok: true, trials: 24, method: 'grid' });
    expect(j.cost_usd).toBeGreaterThan(0);
  });

  it('exits 2 with every error on stderr, one per line: path: message (expected …, found …)', () => {
    const r = run(['validate', fixture('bad', 'when-never-holds.json')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^\$\.parameters\.momentum\.when\.optimizer: .+ \(expected .+, found .+\)$/);
  });

  it('exits 2 for a missing file', () => {
    const r = run(['validate', join(root, 'no-such-sweep.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read/);
  });
});
