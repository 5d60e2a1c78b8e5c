/**
 * `npm run bench -- dashboard [--json] [--trials 1000] [--updates 5] [--poll-ms 500]`: the dashboard on a
 * large sweep (synthetic results in a real local store), with the static report of the same sweep as its
 * peer in the same run.
 *
 *   first_render_server   GET /sweeps/<id>: read, leaderboard and every chart drawn (cold: the first in
 *                         the process, specs compiled; warm: after one more result, every chart redrawn)
 *   report_render_server  renderReport of the same results (the peer), warm
 *   first_render_browser  headless Chromium: navigation to the load event of the sweep page (goal ≤ 2 s)
 *   report_load_browser   the same for the static report's HTML (the peer)
 *   update_latency_counts a result lands in the store (aggregate + state written, at a random point of the
 *                         poll cycle) → the open page has painted the new count, in Chromium (median, max of
 *                         N; the clock starts before the writes: store_write_ms of it is writing; measured
 *                         in the page: dashboard-shown.ts)
 *   update_latency_leaderboard, update_latency_charts: … → the page has painted the new leaderboard, the
 *                         last of the redrawn charts (pushed in that order after the counts)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { createDashboard, DEFAULT_POLL_MS } from '../../adapters/dashboard/server.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { renderReport } from '../../core/report/index.ts';
import { storeLargeSweep } from '../../tests/dashboard/large-sweep.ts';
import { prepareMini } from '../../tests/local/helpers.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../../tests/setup/chromium.ts';
import { RECORD_SHOWN, SIGNATURES, shownSince } from './dashboard-shown.ts';

function flag(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function dashboardBench(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const trials = flag(args, '--trials', 1000);
  const updates = flag(args, '--updates', 5);
  const pollMs = flag(args, '--poll-ms', DEFAULT_POLL_MS);
  const emit = (o: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify(json ? { suite: 'dashboard', trials, ...o } : o)}\n`);

  const dir = await mkdtemp(join(tmpdir(), 'bench-dashboard-'));
  const store = new FsBlobStore(dir);
  try {
    // A sweep as the service leaves it: sweep.json and the data set (real), state and aggregate (synthetic).
    await prepareMini(store);
    const large = await storeLargeSweep(store, trials, { total: trials + updates + 3 });
    const { id, sweep, results, all, state } = large;
    const completed = results.filter((r) => r.state === 'completed');

    // --- server side: cold and warm page, the report as the peer
    const d = createDashboard({ store, where: 'bench store', pollMs });
    const get = (path: string) =>
      d.app.request(`http://127.0.0.1${path}`, { headers: { host: '127.0.0.1' } });
    let t = performance.now();
    const first = await (await get(`/sweeps/${id}`)).text();
    const cold = performance.now() - t;
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      // One more result each time, so the page is read and every chart drawn again.
      all[`t-bench-warm-${i}`] = {
        ...results[i]!,
        trial_id: `t-bench-warm-${i}`,
        index: trials + updates + i,
      };
      await large.write();
      t = performance.now();
      await (await get(`/sweeps/${id}`)).text();
      warm.push(performance.now() - t);
    }
    const report: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await renderReport({ sweep, results });
      report.push(performance.now() - t);
    }
    emit({
      figure: 'first_render_server',
      cold_ms: cold,
      warm_ms: median(warm),
      runs: 3,
      kb: first.length / 1e3,
    });
    emit({
      figure: 'report_render_server',
      warm_ms: median(report),
      runs: 3,
      ratio_dashboard_to_report: median(warm) / median(report),
    });

    // --- in Chromium: first render, the report as the peer, and update latency
    if (!existsSync(CHROMIUM)) {
      emit({ figure: 'browser', skipped: `no ${CHROMIUM}` });
      return;
    }
    const server = serve({ fetch: d.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reportHtml = await renderReport({ sweep, results });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const loads: number[] = [];
      const reportLoads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        t = performance.now();
        await p.goto(`${origin}/sweeps/${id}`, { waitUntil: 'load' });
        loads.push(performance.now() - t);
        await p.close();
        const q = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        t = performance.now();
        await q.setContent(reportHtml, { waitUntil: 'load' });
        reportLoads.push(performance.now() - t);
        await q.close();
      }
      emit({
        figure: 'first_render_browser',
        ms: median(loads),
        max_ms: Math.max(...loads),
        runs: 3,
        goal_ms: 2000,
      });
      emit({
        figure: 'report_load_browser',
        ms: median(reportLoads),
        runs: 3,
        ratio_dashboard_to_report: median(loads) / median(reportLoads),
      });

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('crash', () => process.stderr.write('page crashed\n'));
      await page.goto(`${origin}/sweeps/${id}`, { waitUntil: 'load' });
      for (let i = 0; i < 100 && !/^live/.test((await page.locator('#conn').textContent()) ?? ''); i++)
        await sleep(50);
      await page.evaluate(RECORD_SHOWN);
      const writes: number[] = [];
      const counts: number[] = [];
      const rows: number[] = [];
      const charts: number[] = [];
      for (let u = 0; u < updates; u++) {
        // One more result, as the aggregator writes it: the aggregate, then the state's totals.
        const extra = {
          ...completed[u % completed.length]!,
          trial_id: `t-bench-extra-${u}`,
          index: trials + u,
        };
        all[extra.trial_id] = extra;
        state.totals.terminal++;
        await sleep(Math.random() * pollMs); // land at a random point of the poll cycle
        const before = (await page.evaluate(SIGNATURES)) as Record<string, string>;
        // The page's clock when the writes begin (read before them: the latencies err on the long side).
        const t0 = (await page.evaluate('performance.now()')) as number;
        t = performance.now();
        await large.write();
        writes.push(performance.now() - t);
        const seen = await shownSince(page, t0, before);
        counts.push(seen.counts);
        rows.push(seen.leaderboard);
        charts.push(seen.charts);
      }
      const latency = (xs: number[]) => ({ median_ms: median(xs), max_ms: Math.max(...xs) });
      emit({
        figure: 'update_latency_counts',
        ...latency(counts),
        store_write_ms: median(writes),
        runs: updates,
        poll_ms: pollMs,
        goal_ms: 2000,
      });
      emit({
        figure: 'update_latency_leaderboard',
        ...latency(rows),
        runs: updates,
        poll_ms: pollMs,
        goal_ms: 2000,
      });
      emit({
        figure: 'update_latency_charts',
        ...latency(charts),
        runs: updates,
        poll_ms: pollMs,
        goal_ms: 2000,
      });
    } finally {
      await browser.close();
      await d.hub.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
