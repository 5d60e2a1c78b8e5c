/**
 * The dashboard in headless Chromium over a real local store, with the embedded runner (worker threads
 * running the real handlers) training sweeps while the pages are open: a finished sweep is listed; a sweep
 * started during the test appears and its counts, leaderboard and charts update without a reload; a
 * running trial's page shows its epochs growing; sorting, filtering and navigation with the keyboard alone;
 * a store that goes away is reported and recovered from; no console errors. Screenshots of every page go
 * to test-artifacts/dashboard-*.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../adapters/dashboard/server.ts';
import { ObservedBlobStore } from '../../adapters/faults/store.ts';
import { EmbeddedRunner } from '../../adapters/runner/embedded.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { keys } from '../../core/layout.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { prepareMini } from '../local/helpers.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../setup/chromium.ts';
import { storeLargeSweep } from './large-sweep.ts';

const ART = 'test-artifacts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dec = new TextDecoder();
/**
 * Waits until a JS expression holds in the page. A string evaluated from outside (the page's CSP forbids
 * eval, so waitForFunction's predicates cannot run; this project type-checks without the DOM, too).
 */
async function until(page: Page, expr: string, timeout: number): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(`Boolean(${expr})`))) {
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${expr}`);
    await sleep(100);
  }
}

const sweepFile = (name: string, layers: string[], epochs: number) =>
  JSON.stringify({
    name,
    dataset: 'mnist-mini',
    metric: { name: 'val_accuracy', goal: 'maximize' },
    method: 'grid',
    parameters: {
      layers: { values: layers },
      learning_rate: { values: [0.003, 0.01] },
      activation: { values: ['relu', 'tanh'] },
      epochs: { value: epochs },
      seed: { value: 5 },
    },
  });

describe.skipIf(!existsSync(CHROMIUM))('dashboard in headless Chromium', () => {
  let dir: string;
  let runner: EmbeddedRunner;
  let server: ReturnType<typeof serve>;
  let stopHub: () => Promise<void>;
  let origin: string;
  let browser: Browser;
  let finishedId: string;
  let down = false;
  const consoleErrors: string[] = [];

  async function open(path: string): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    p.on('console', (m) => {
      // The page reporting an unreachable store (and Chromium logging the stream's reconnects) is expected
      // only in the test that takes the store away.
      if (m.type() === 'error' && !down) consoleErrors.push(`${path}: ${m.text()}`);
    });
    p.on('pageerror', (err) => consoleErrors.push(`${path}: ${String(err)}`));
    await p.goto(`${origin}${path}`, { waitUntil: 'load' });
    await p.evaluate('window.__sameDocument = true');
    return p;
  }

  const submit = async (text: string) => {
    const sub = await submitSweep(text, 'dash.json', {
      store: runner.store,
      submissions: runner.queues.submissions,
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    return sub.value.sweep_id;
  };
  const finish = (id: string) =>
    waitForSweep(runner.store, id, {
      queues: [runner.queues.submissions, runner.queues.trials, runner.queues.results],
      busy: () => runner.activity().busy > 0,
      intervalMs: 200,
    });

  beforeAll(async () => {
    mkdirSync(ART, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'dashboard-browser-'));
    runner = new EmbeddedRunner({
      storeDir: join(dir, 'store'),
      modules: SOURCE_HANDLERS,
      workers: 1,
      workerTimeoutSeconds: 60,
    });
    await prepareMini(runner.store);
    await runner.start();
    finishedId = await submit(sweepFile('finished <b>before</b> the page', ['784-16-10'], 2));
    await finish(finishedId);
    // The dashboard reads the same files; a hook can take the store away (as a stopped LocalStack would).
    const store = new ObservedBlobStore(runner.store, ({ phase }) => {
      if (down && phase === 'before') throw new Error('connect ECONNREFUSED 127.0.0.1:4566');
    });
    const d = createDashboard({ store, where: 'the test store', pollMs: 300 });
    stopHub = () => d.hub.close();
    server = serve({ fetch: d.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stopHub?.();
    if (server && 'closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await runner?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the finished sweep; a sweep started now appears, and its page fills in live', async () => {
    const list = await open('/');
    expect(await list.locator(`tr[data-sweep="${finishedId}"]`).textContent()).toContain(
      'finished <b>before</b> the page',
    );
    expect(await list.locator(`tr[data-sweep="${finishedId}"]`).textContent()).toContain('completed 4');
    const liveId = await submit(sweepFile('live sweep', ['784-24-10', '784-48-10'], 6));
    await list.locator(`tr[data-sweep="${liveId}"]`).waitFor({ timeout: 15_000 });
    expect(await list.evaluate('window.__sameDocument')).toBe(true);
    await list.screenshot({ path: `${ART}/dashboard-sweeps.png`, fullPage: true });

    const page = await open(`/sweeps/${liveId}`);
    const done = async () => Number((await page.locator('.card .v').first().textContent())?.split('/')[0]);
    const rows = () => page.locator('#lb tbody tr').count();
    const first = await done();
    // Results arrive: the counts, the leaderboard and the charts update in place.
    await until(
      page,
      `Number(document.querySelector('.card .v').textContent.split('/')[0]) > ${first}`,
      60_000,
    );
    await page.locator('svg[data-chart="pc"]').waitFor({ timeout: 30_000 });
    expect(await rows()).toBeGreaterThan(0);
    await until(page, `Number(document.querySelector('.card .v').textContent.split('/')[0]) >= 3`, 60_000);
    await page.locator('svg[data-chart="lc"]').waitFor({ timeout: 30_000 });
    await page.screenshot({
      path: `${ART}/dashboard-sweep-live.png`,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: 1700 },
    });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await finish(liveId);
    await until(page, `document.querySelector('.card .v').textContent.startsWith('8')`, 30_000);
    expect(await rows()).toBe(8);
    expect(await page.locator('svg[data-chart="lc"]').count()).toBe(1);
    expect(await page.locator('#conn').textContent()).toMatch(/live/);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.screenshot({ path: `${ART}/dashboard-sweep.png`, fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  it("a running trial's page shows its epochs growing", async () => {
    const id = await submit(sweepFile('growing', ['784-128-10'], 10));
    // The first trial to report an epoch.
    let trial: string | undefined;
    for (let i = 0; i < 300 && !trial; i++) {
      const k = (await runner.store.list(keys.trials(id))).find((x) => x.endsWith('/live.json'));
      trial = k?.split('/')[3];
      if (!trial) await sleep(100);
    }
    expect(trial).toBeDefined();
    // Compared, while it trains, with the sweep's last trial (one worker: still queued).
    const state = JSON.parse(dec.decode((await runner.store.get(keys.sweepState(id)))!.body));
    const last = (state.trial_ids as string[]).filter((t) => t !== trial).at(-1)!;
    const compare = await open(`/sweeps/${id}/compare?t=${trial}&t=${last}`);
    const stateOf = (col: number) =>
      `document.querySelector('#compare-status tbody tr:nth-child(1) td:nth-child(${col + 1})').textContent`;
    expect(await compare.evaluate(stateOf(2))).not.toBe('completed');
    const page = await open(`/sweeps/${id}/trials/${trial}`);
    const epochs = async () =>
      Number(
        (
          await page.locator('[data-part="head"] table.kv tr:nth-child(2) td:nth-child(2)').textContent()
        )?.split(' ')[0],
      );
    const seen = [await epochs()];
    for (let i = 0; i < 200 && seen.length < 3; i++) {
      await sleep(100);
      const n = await epochs();
      if (n !== seen.at(-1)) seen.push(n);
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(await page.locator('svg[data-chart="curves"]').count()).toBe(1);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.screenshot({ path: `${ART}/dashboard-trial-running.png`, fullPage: true });
    // Its result arrives: the test-set panels appear (the sweep's other trials go on meanwhile).
    await page.locator('svg[data-chart="cm"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${ART}/dashboard-trial.png`, fullPage: true });
    // The compare page followed both: the first completed, the last (queued when it opened) trains and completes.
    await until(compare, `${stateOf(1)} === 'completed' && ${stateOf(2)} !== 'queued'`, 60_000);
    await compare.screenshot({ path: `${ART}/dashboard-compare-live.png`, fullPage: true });
    await until(compare, `${stateOf(2)} === 'completed'`, 120_000);
    expect(await compare.locator('svg[data-chart="curves"]').count()).toBe(1);
    expect(await compare.evaluate('window.__sameDocument')).toBe(true);
    expect(consoleErrors).toEqual([]);
  }, 240_000);

  it('sorts, filters and navigates with the keyboard alone', async () => {
    const page = await open(`/sweeps/${finishedId}`);
    // Tab from the top of the page to the "val acc" header, sort with Enter.
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'val_accuracy'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(`document.activeElement.getAttribute('data-key') ?? ''`);
    }
    expect(focused).toBe('val_accuracy');
    await page.keyboard.press('Enter');
    expect(await page.locator('th[data-key="val_accuracy"]').getAttribute('aria-sort')).toBe('ascending');
    const values = await page.evaluate<number[]>(`(() => {
      const i = [...document.querySelectorAll('#lb thead th')].findIndex((h) => h.dataset.key === 'val_accuracy');
      return [...document.querySelectorAll('#lb tbody tr')].map((r) => Number(r.cells[i].dataset.v));
    })()`);
    expect(values).toHaveLength(4);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    await page.keyboard.press('Enter');
    expect(await page.locator('th[data-key="val_accuracy"]').getAttribute('aria-sort')).toBe('descending');
    // Filter: type into the box.
    await page.locator('#lb-filter').focus();
    await page.keyboard.type('tanh');
    expect(await page.locator('#lb-count').textContent()).toBe('2 of 4 trials shown');
    // Follow a trial link with Enter.
    const link = page.locator('#lb tbody tr:not([hidden]) td.tid a').first();
    const href = await link.getAttribute('href');
    await link.focus();
    await Promise.all([page.waitForURL(`${origin}${href}`), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toMatch(/^Trial t-/);
    // Compare two trials: type their ids (the fields suggest the sweep's), submit with Enter.
    const back = await open(`/sweeps/${finishedId}`);
    const ids = await back
      .locator('#trial-ids option')
      .evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(ids).toHaveLength(4);
    await back.locator('#compare input[name="t"]').first().focus();
    await back.keyboard.type(ids[0]!);
    await back.keyboard.press('Tab');
    await back.keyboard.type(ids[1]!);
    await Promise.all([back.waitForURL(/\/compare\?t=/), back.keyboard.press('Enter')]);
    expect(await back.locator('#compare-configs tbody tr.diff').count()).toBeGreaterThan(0);
    await back.screenshot({ path: `${ART}/dashboard-compare.png`, fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('a leaderboard of many trials shows its first 100 rows until "Show all"; filter and sort see every row', async () => {
    const large = await storeLargeSweep(runner.store, 150, { finished: true });
    const page = await open(`/sweeps/${large.id}`);
    const shown = `[...document.querySelectorAll('#lb tbody tr')].filter((r) => r.getClientRects().length > 0)`;
    const count = () => page.evaluate(`${shown}.length`);
    const more = page.locator('#lb-more');
    expect(await count()).toBe(100);
    expect(await more.locator('span').textContent()).toBe(
      'The first 100 of 150 rows shown (sorted and filtered over all).',
    );
    // The filter searches every row: the last-ranked trial is found.
    const last = (await page.evaluate(
      `document.querySelector('#lb tbody tr:last-child').getAttribute('data-trial')`,
    )) as string;
    await page.locator('#lb-filter').fill(last);
    expect(await page.evaluate(`${shown}.map((r) => r.getAttribute('data-trial'))`)).toEqual([last]);
    expect(await more.isHidden()).toBe(true);
    await page.locator('#lb-filter').fill('');
    expect(await count()).toBe(100);
    // Sorting orders every row; the first 100 of the new order are the ones shown.
    await page.locator('th[data-key="val_accuracy"]').click();
    expect(
      await page.evaluate(
        `${shown}.every((r, i) => r === document.querySelector('#lb tbody').rows[i]) && ${shown}.length === 100`,
      ),
    ).toBe(true);
    // "Show all" with the keyboard, and back.
    await more.locator('button').focus();
    await page.keyboard.press('Enter');
    expect(await count()).toBe(150);
    expect(await more.locator('button').textContent()).toBe('Show the first 100');
    await page.keyboard.press('Enter');
    expect(await count()).toBe(100);
    await more.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ART}/dashboard-leaderboard-150.png` });
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('says so when the store goes away, and recovers without a reload', async () => {
    const page = await open(`/sweeps/${finishedId}`);
    const conn = `document.getElementById('conn').textContent`;
    await until(page, `/live/.test(${conn})`, 10_000);
    down = true;
    await until(page, `/cannot be read/.test(${conn})`, 10_000);
    expect(await page.locator('#conn').textContent()).toContain('ECONNREFUSED');
    expect(await page.locator('#conn').getAttribute('role')).toBe('alert');
    await page.screenshot({ path: `${ART}/dashboard-store-down.png` });
    down = false;
    // "the store answers again", then the parts it pushes at once ("updated …").
    await until(page, `/^live/.test(${conn})`, 10_000);
    expect(await page.locator('#conn').getAttribute('role')).toBe('status');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
