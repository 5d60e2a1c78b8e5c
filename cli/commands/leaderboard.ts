/**
 * `sweep leaderboard <id> [--top k] [--json|--csv|--md] [--backend …]`: the sweep's trials ranked by its
 * metric (ties: lower cost, then shorter wall time), as a terminal table or JSON / CSV / Markdown.
 *
 * Exit codes: 0 ok, 1 runtime failure or no results yet, 2 invalid input (bad id, no such sweep, flags).
 */
import type { Command } from 'commander';
import { readSweepStatus } from '../../core/app/status.ts';
import { assertId } from '../../core/layout.ts';
import type { LeaderboardFormat } from '../../core/report/format.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, processOut, reportError, UsageError } from '../ui/errors.ts';
import { readLeaderboard, renderLeaderboard } from '../ui/outputs.ts';

interface LeaderboardFlags extends BackendFlags {
  top?: string;
  json?: boolean;
  csv?: boolean;
  md?: boolean;
}

export async function leaderboardCommand(
  id: string,
  flags: LeaderboardFlags,
  io: { out: Out; tty: boolean },
): Promise<number> {
  const { out } = io;
  try {
    const formats = (['json', 'csv', 'md'] as const).filter((f) => flags[f]);
    if (formats.length > 1) throw new UsageError('choose one of --json, --csv, --md');
    const format: LeaderboardFormat = formats[0] ?? 'table';
    let top: number | undefined;
    if (flags.top !== undefined) {
      top = Number(flags.top);
      if (!Number.isInteger(top) || top < 1)
        throw new UsageError(`--top must be a positive integer, got ${JSON.stringify(flags.top)}`);
    }
    assertId('sweep', id);
    const b = await openFromFlags(flags);
    const lb = await readLeaderboard(b.store, id);
    if (!lb) {
      if (!(await readSweepStatus(b.store, id))) throw new UsageError(`no sweep ${id} in ${b.where}`);
      throw new Error(`sweep ${id} has no results yet (see: sweep status ${id})`);
    }
    const text = renderLeaderboard(lb, format, {
      ...(top ? { top } : {}),
      color: io.tty && format === 'table',
    });
    out.stdout(format === 'json' ? JSON.stringify(JSON.parse(text)) : text.replace(/\n$/, ''));
    return EXIT.ok;
  } catch (e) {
    return reportError(e, out, Boolean(flags.json));
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('leaderboard')
      .description("a sweep's trials ranked by its metric")
      .argument('<id>', 'sweep id')
      .option('--top <k>', 'only the best k rows')
      .option('--json', 'JSON (one line)')
      .option('--csv', 'CSV')
      .option('--md', 'Markdown table'),
  )
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure or no results yet, 2 invalid input.')
    .action(async (id: string, flags: LeaderboardFlags) => {
      process.exitCode = await leaderboardCommand(id, flags, {
        out: processOut,
        tty: Boolean(process.stdout.isTTY),
      });
    });
}
