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
 *                         poll cycle) → the open page shows the new count, in Chromium (median, max of N;
 *                         the clock starts before the writes: store_write_ms of it is writing)
 *   update_latency_leaderboard, update_latency_charts: … → the page shows the new leaderboard, the redrawn
 *                         charts (pushed in that order after the counts)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { createDashboard, DEFAULT_POLL_MS } from '../../adapters/dashboard/server.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { submitSweep } from '../../core/app/submit.ts';
import type { SweepState } from '../../core/app/sweep-record.ts';
import { keys } from '../../core/layout.ts';
import { renderReport } from '../../core/report/index.ts';
import { slimResult, type TrialResult } from '../../core/result.ts';
import { prepareMini } from '../../tests/local/helpers.ts';
import { syntheticSweep } from '../../tests/report/synthetic.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../../tests/setup/chromium.ts';

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
    const text = JSON.stringify({
      name: `bench ${trials} trials`,
      dataset: 'mnist-mini',
      metric: { name: 'val_accuracy', goal: 'maximize' },
      method: 'random',
      run_cap: trials,
      parameters: {
        learning_rate: { distribution: 'log_uniform_values', min: 1e-4, max: 0.2 },
        optimizer: { values: ['adam', 'sgd', 'rmsprop'] },
        layers: { values: ['784-64-10', '784-128-64-10', '784-256-128-10'] },
        activation: { values: ['relu', 'tanh'] },
        batch_size: { values: [32, 64, 128, 256] },
      },
    });
    const sub = await submitSweep(text, 'bench.json', {
      store,
      submissions: new InProcessQueue('bench-submissions'),
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    const id = sub.value.sweep_id;
    const { sweep, results } = syntheticSweep({ trials });
    const completed = results.filter((r) => r.state === 'completed');
    for (const r of results) r.sweep_id = id;
    const all: Record<string, TrialResult> = Object.fromEntries(
      results.map((r) => [r.trial_id, slimResult(r)]),
    );
    const state: SweepState = {
      sweep_id: id,
      name: sweep.name,
      dataset: { name: 'mnist-mini', version: (await store.list('datasets/mnist-mini/'))[0]!.split('/')[2]! },
      trial_ids: results.map((r) => r.trial_id),
      total: trials + updates + 3,
      submitted_at: new Date().toISOString(),
      dispatched_at: new Date().toISOString(),
      started_ms: Date.now(),
      finished: false,
      totals: { terminal: trials, cost_usd: 0, compute_s: 0, by_state: {} },
    };
    await store.put(keys.sweepState(id), JSON.stringify(state));
    await store.put(keys.aggregate(id), JSON.stringify({ sweep_id: id, results: all }));

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
      await store.put(keys.aggregate(id), JSON.stringify({ sweep_id: id, results: all }));
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
      const text = (sel: string) =>
        page.evaluate(`document.querySelector('${sel}').textContent`) as Promise<string>;
      const done = () => text('.card .v');
      const ranked = () => text('#lb-count');
      const charted = () => text('[data-part="chart-pc"] p');
      for (let i = 0; i < 100 && !/^live/.test(await text('#conn')); i++) await sleep(50);
      const writes: number[] = [];
      const counts: number[] = [];
      const rows: number[] = [];
      const charts: number[] = [];
      for (let u = 0; u < updates; u++) {
        const before = [await done(), await ranked(), await charted()];
        // One more result, as the aggregator writes it: the aggregate, then the state's totals.
        const extra = {
          ...completed[u % completed.length]!,
          trial_id: `t-bench-extra-${u}`,
          index: trials + u,
        };
        all[extra.trial_id] = extra;
        state.totals.terminal++;
        await sleep(Math.random() * pollMs); // land at a random point of the poll cycle
        t = performance.now();
        await store.put(keys.aggregate(id), JSON.stringify({ sweep_id: id, results: all }));
        await store.put(keys.sweepState(id), JSON.stringify(state));
        writes.push(performance.now() - t);
        const changed = async (read: () => Promise<string>, was: string) => {
          while ((await read()) === was) {
            if (performance.now() - t > 30_000)
              throw new Error(
                `the page did not update within 30 s (status: ${await text('#conn')}; showing ${was})`,
              );
            await sleep(10);
          }
          return performance.now() - t;
        };
        counts.push(await changed(done, before[0]!));
        rows.push(await changed(ranked, before[1]!));
        charts.push(await changed(charted, before[2]!));
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
