/**
 * `sweep dashboard [--backend local|localstack|aws] [--store-dir …] [--port 8765] [--host 127.0.0.1] [--open]`:
 * a local web app over the same store the other commands read, live (adapters/dashboard/). Bound to
 * 127.0.0.1 unless --host says otherwise; read-only. Runs until interrupted (Ctrl-C).
 *
 * Exit codes: 0 stopped with Ctrl-C, 1 runtime failure (backend unreachable, port taken), 2 invalid input.
 */
import { spawn } from 'node:child_process';
import { serve } from '@hono/node-server';
import type { Command } from 'commander';
import { createDashboard, DEFAULT_POLL_MS, LOOPBACK_HOSTS } from '../../adapters/dashboard/server.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, positiveInt, processOut, reportError, UsageError } from '../ui/errors.ts';

export const DEFAULT_PORT = 8765;

interface DashboardFlags extends BackendFlags {
  port?: string;
  host?: string;
  open?: boolean;
  pollMs?: string;
}

/** The dashboard's address for a sweep (the hint `sweep run` prints). */
export const dashboardUrl = (sweepId?: string, port = DEFAULT_PORT) =>
  `http://127.0.0.1:${port}${sweepId ? `/sweeps/${encodeURIComponent(sweepId)}` : '/'}`;

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export async function dashboardCommand(
  flags: DashboardFlags,
  io: { out: Out; signal: AbortSignal },
): Promise<number> {
  const { out } = io;
  try {
    const port = flags.port === '0' ? 0 : (positiveInt('--port', flags.port) ?? DEFAULT_PORT);
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const pollMs = positiveInt('--poll-ms', flags.pollMs) ?? DEFAULT_POLL_MS;
    const host = flags.host ?? '127.0.0.1';
    const b = await openFromFlags(flags);
    const anyHost = host === '0.0.0.0' || host === '::';
    const { app, hub } = createDashboard({
      store: b.store,
      where: b.where,
      pollMs,
      hosts: anyHost ? 'any' : [...new Set([host, ...LOOPBACK_HOSTS])],
      log: (m) => out.stderr(`warning: ${m}`),
    });
    const server = serve({ fetch: app.fetch, hostname: host, port });
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
    out.stdout(`dashboard of ${b.where}: ${url}`);
    if (anyHost)
      out.stderr(
        'warning: listening on every interface: anyone who can reach this machine can read the store',
      );
    if (flags.open) openBrowser(url);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await hub.close();
    if ('closeAllConnections' in server) server.closeAllConnections(); // open event streams
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return EXIT.ok;
  } catch (e) {
    return reportError(e, out);
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('dashboard')
      .description('a live web dashboard of the sweeps in a store (read-only, on 127.0.0.1)')
      .option('--port <n>', 'port (0: any free one)', String(DEFAULT_PORT))
      .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)')
      .option('--open', 'open it in the browser')
      .option('--poll-ms <ms>', 'how often open pages read the store again', String(DEFAULT_POLL_MS)),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 stopped (Ctrl-C), 1 runtime failure (backend unreachable, port taken), 2 invalid input.',
    )
    .action(async (flags: DashboardFlags) => {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.exitCode = await dashboardCommand(flags, { out: processOut, signal: ac.signal });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
}
