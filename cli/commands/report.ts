/**
 * `sweep report <id> [--out file] [--backend …]`: the sweep's self-contained HTML report (leaderboard,
 * charts, confusion matrix, confidently-wrong digits). On the local backend it already sits in the store
 * and its path is printed; otherwise (or with --out) it is written to a file (default ./<id>.html).
 *
 * Exit codes: 0 ok, 1 runtime failure or no report yet, 2 invalid input (bad id, no such sweep).
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { readSweepStatus } from '../../core/app/status.ts';
import { assertId, keys } from '../../core/layout.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, processOut, reportError, UsageError } from '../ui/errors.ts';

interface ReportFlags extends BackendFlags {
  out?: string;
  json?: boolean;
}

export async function reportCommand(id: string, flags: ReportFlags, io: { out: Out }): Promise<number> {
  const { out } = io;
  try {
    assertId('sweep', id);
    const b = await openFromFlags(flags);
    const obj = await b.store.get(keys.report(id));
    if (!obj) {
      if (!(await readSweepStatus(b.store, id))) throw new UsageError(`no sweep ${id} in ${b.where}`);
      throw new Error(
        `sweep ${id} has no report yet (it is written as results arrive; see: sweep status ${id})`,
      );
    }
    let path: string;
    if (flags.out) {
      path = resolve(flags.out);
      await writeFile(path, obj.body);
    } else if (b.store instanceof FsBlobStore) {
      path = join(b.store.root, keys.report(id));
    } else {
      path = resolve(`${id}.html`);
      await writeFile(path, obj.body);
    }
    if (flags.json)
      out.stdout(JSON.stringify({ ok: true, sweep_id: id, report: path, bytes: obj.body.length }));
    else out.stdout(path);
    return EXIT.ok;
  } catch (e) {
    return reportError(e, out, Boolean(flags.json));
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('report')
      .description("a sweep's HTML report: prints its path (local) or writes it to a file")
      .argument('<id>', 'sweep id')
      .option('--out <file>', 'write the report here')
      .option('--json', 'print one JSON line'),
  )
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure or no report yet, 2 invalid input.')
    .action(async (id: string, flags: ReportFlags) => {
      process.exitCode = await reportCommand(id, flags, { out: processOut });
    });
}
