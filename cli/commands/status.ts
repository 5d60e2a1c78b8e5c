/**
 * `sweep status <id> [--backend local|localstack|aws] [--watch] [--json]`: a sweep's progress — trials by
 * state, a progress bar, the best so far. --watch follows it until it finishes.
 *
 * A sweep submitted but not yet dispatched (no state.json yet) is reported as such, exit 0.
 *
 * Exit codes: 0 ok, 1 runtime failure (backend unreachable), 2 invalid input (bad id, no such sweep).
 */
import type { Command } from 'commander';
import { progressOf, type SweepProgress } from '../../adapters/runner/sweep-run.ts';
import { getJson } from '../../core/app/json.ts';
import { readSweepStatus, type SweepStatus } from '../../core/app/status.ts';
import { loadSweep, type SweepFile } from '../../core/app/sweep-record.ts';
import { assertId, keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { MetricSpec } from '../../core/sweep/types.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, processOut, reportError, UsageError } from '../ui/errors.ts';
import { bestText, formatEta, ProgressView } from '../ui/progress.ts';
import { countsTable } from '../ui/table.ts';

interface StatusFlags extends BackendFlags {
  watch?: boolean;
  json?: boolean;
  interval?: string;
}

/** A fixed-width text bar, for one-shot status (the live bar is cli-progress). */
export function textBar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
}

async function metricOf(store: BlobStore, id: string): Promise<MetricSpec | undefined> {
  try {
    return (await loadSweep(store, id)).sweep.metric;
  } catch {
    return undefined;
  }
}

export function statusJson(s: SweepStatus, p: SweepProgress) {
  return {
    ok: true,
    sweep_id: s.sweep_id,
    name: s.state.name,
    phase: s.finished ? 'finished' : 'running',
    finished: s.finished,
    total: s.state.total,
    done: p.done,
    counts: s.counts,
    ...(p.best ? { best: p.best } : {}),
    cost_usd: s.state.totals.cost_usd,
    submitted_at: s.state.submitted_at,
    ...(s.state.finished_at ? { finished_at: s.state.finished_at } : {}),
  };
}

/** A sweep whose submission is stored but that no dispatcher has expanded yet (exit 0: nothing is wrong). */
function submittedOnly(file: SweepFile, where: string, json: boolean, out: Out): number {
  if (json) {
    out.stdout(
      JSON.stringify({
        ok: true,
        sweep_id: file.sweep_id,
        phase: 'submitted',
        finished: false,
        submitted_at: file.submitted_at,
      }),
    );
  } else {
    out.stdout(
      `sweep ${file.sweep_id} on ${where}: submitted at ${file.submitted_at}, waiting for the dispatcher ` +
        '(its trials are not expanded yet; --watch follows it)',
    );
  }
  return EXIT.ok;
}

export async function statusCommand(
  id: string,
  flags: StatusFlags,
  io: { out: Out; tty: boolean },
): Promise<number> {
  const { out } = io;
  const json = Boolean(flags.json);
  try {
    assertId('sweep', id);
    const b = await openFromFlags(flags);
    const interval = Number(flags.interval ?? 2) * 1000;
    let first = await readSweepStatus(b.store, id);
    if (!first) {
      // Stored but not dispatched yet: the dispatcher has not written state.json.
      const file = await getJson<SweepFile>(b.store, keys.sweepFile(id));
      if (!file) throw new UsageError(`no sweep ${id} in ${b.where}`);
      if (!flags.watch) return submittedOnly(file, b.where, json, out);
      out.stderr(`sweep ${id} is submitted; waiting for the dispatcher to expand its trials…`);
      while (!first) {
        await new Promise((r) => setTimeout(r, interval));
        first = await readSweepStatus(b.store, id);
      }
    }
    const metric = await metricOf(b.store, id);
    const started = Date.parse(first.state.submitted_at) || Date.now();
    if (flags.watch && !first.finished) {
      const view = new ProgressView({ tty: io.tty, write: (s) => out.stderr(s), stream: process.stderr });
      let s = first;
      for (;;) {
        view.update(progressOf(s, metric, Date.now() - started));
        if (s.finished) break;
        await new Promise((r) => setTimeout(r, interval));
        s = (await readSweepStatus(b.store, id)) ?? s;
      }
      view.stop();
    }
    const s = (await readSweepStatus(b.store, id)) ?? first;
    const p = progressOf(s, metric, Date.now() - started);
    if (json) {
      out.stdout(JSON.stringify(statusJson(s, p)));
      return EXIT.ok;
    }
    out.stdout(`sweep ${s.sweep_id} (${s.state.name}) on ${b.where}: ${s.finished ? 'finished' : 'running'}`);
    out.stdout(textBar(p.done, p.total));
    out.stdout(countsTable(s.counts, { color: io.tty }));
    out.stdout(`best so far: ${bestText(p)}`);
    out.stdout(`cost so far: $${s.state.totals.cost_usd.toFixed(6)}`);
    if (s.finished && s.state.finished_at) {
      const wall = (Date.parse(s.state.finished_at) - Date.parse(s.state.submitted_at)) / 1000;
      if (Number.isFinite(wall)) out.stdout(`wall time: ${formatEta(wall)}`);
    }
    return EXIT.ok;
  } catch (e) {
    return reportError(e, out, json);
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('status')
      .description("a sweep's progress: trials by state, progress bar, best so far")
      .argument('<id>', 'sweep id (printed by run/submit)')
      .option('--watch', 'follow the sweep until it finishes (live bar on a terminal)')
      .option('--interval <s>', '--watch: seconds between polls', '2')
      .option('--json', 'print one JSON line'),
  )
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure, 2 invalid input (bad id, no such sweep).')
    .action(async (id: string, flags: StatusFlags) => {
      process.exitCode = await statusCommand(id, flags, {
        out: processOut,
        tty: Boolean(process.stdout.isTTY) && !flags.json,
      });
    });
}
