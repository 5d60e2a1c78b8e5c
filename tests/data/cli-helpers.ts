/** Running `sweep data …` through commander in a test, with stdout and stderr captured. */
import { Command } from 'commander';
import { vi } from 'vitest';
import { register } from '../../cli/commands/data.ts';

/**
 * For tests of `sweep data …` through commander: captures stdout/stderr (call from beforeEach; restore
 * with vi.restoreAllMocks()) and runs the command.
 */
export function dataCli(): { out: string[]; err: string[]; sweep: (...args: string[]) => Promise<void> } {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (sink: string[]) => (s: string | Uint8Array) => {
    sink.push(String(s));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  process.exitCode = undefined;
  const sweep = async (...args: string[]) => {
    const program = new Command().name('sweep').exitOverride();
    register(program);
    await program.parseAsync(['node', 'sweep', ...args]);
  };
  return { out, err, sweep };
}
