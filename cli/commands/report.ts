/**
 * `sweep report <id> [--out file] [--backend …]`: the sweep's self-contained HTML report (leaderboard,
 * charts, confusion matrix, confidently-wrong digits). A finished sweep's report is the one the aggregator
 * stored: on the local backend its path is printed, otherwise (or with --out) it is written to a file
 * (default ./<id>.html). A sweep still running (or without a stored report) gets one rendered now from its
 * aggregate, written to --out or ./<id>.html.
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid input (bad id, no such sweep).
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { renderSweepReportNow } from '../../core/app/report.ts';
import { readState } from '../../core/app/sweep-record.ts';
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
    const state = await readState(b.store, id);
    if (!state) throw new UsageError(`no sweep ${id} in ${b.where}`);
    // A finished sweep's report is the aggregator's; a running one's is rendered now from its aggregate
    // (the aggregator refreshes the stored one only every minute or so), as is a missing one.
    const stored = state.finished ? await b.store.get(keys.report(id)) : undefined;
    let body: Uint8Array | string;
    let rendered: { results: number; total: number; finished: boolean } | undefined;
    if (stored) body = stored.body;
    else {
      const now = await renderSweepReportNow(b.store, id, state);
      if (!now) throw new UsageError(`no sweep ${id} in ${b.where}`);
      body = now.html;
      rendered = now;
      out.stderr(
        `rendered now from ${now.results} of ${now.total} trial results${now.finished ? '' : ' (the sweep is still running)'}`,
      );
    }
    let path: string;
    if (flags.out) {
      path = resolve(flags.out);
      await writeFile(path, body);
    } else if (stored && b.store instanceof FsBlobStore) {
      path = join(b.store.root, keys.report(id));
    } else {
      path = resolve(`${id}.html`);
      await writeFile(path, body);
    }
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (flags.json)
      out.stdout(
        JSON.stringify({
          ok: true,
          sweep_id: id,
          report: path,
          bytes,
          ...(rendered ? { rendered_now: true, results: rendered.results, total: rendered.total } : {}),
        }),
      );
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
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure, 2 invalid input.')
    .action(async (id: string, flags: ReportFlags) => {
      process.exitCode = await reportCommand(id, flags, { out: processOut });
    });
}
