/**
 * The report in headless Chromium: loads without console errors or network requests beyond the page,
 * the charts are drawn, the leaderboard sorts and filters. Writes test-artifacts/report.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { buildLeaderboard, datasetPreview, renderReport } from '../../core/report/index.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../setup/chromium.ts';
import { syntheticSweep } from './synthetic.ts';

describe.skipIf(!existsSync(CHROMIUM))('report in headless Chromium', () => {
  const ds = loadMnistMini();
  const { sweep, results } = syntheticSweep({ trials: 80, dataset: ds, seed: 7 });
  sweep.name = 'MNIST sweep <script>window.__xss = 1</script> & friends';
  results[3]!.state = 'failed';
  results[3]!.reason = '<img src=x onerror="window.__xss=2"> crashed';
  delete results[3]!.test;
  delete results[3]!.val_accuracy;
  delete results[3]!.test_accuracy;
  results[3]!.history = [];
  const lb = buildLeaderboard(sweep, results);

  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const html = await renderReport({ sweep, results, dataset: datasetPreview(ds) });
    server = createServer((req, res) => {
      if (req.url === '/report.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${origin}/report.html`, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('loads without console errors, injected script, or requests beyond the page', async () => {
    expect(await page.title()).toContain('MNIST sweep <script>');
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([`${origin}/report.html`]);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('h1').textContent()).toBe(sweep.name);
    expect(await page.locator('#failures').textContent()).toContain(
      '<img src=x onerror="window.__xss=2"> crashed',
    );
  });

  it('draws the charts', async () => {
    const withMetric = lb.rows.filter((r) => r.metric !== null).length;
    // Parallel coordinates: one line per trial with a metric.
    expect(await page.locator('svg[data-chart="pc"] .mark-line.role-mark path').count()).toBe(withMetric);
    // Confusion heatmap: 10×10 cells.
    expect(await page.locator('svg[data-chart="cm"] .mark-rect.role-mark path').count()).toBe(100);
    // Learning curves: grey pruned + coloured top trials, two panels.
    expect(
      await page.locator('svg[data-chart="lc"] .mark-line.role-mark path').count(),
    ).toBeGreaterThanOrEqual(16);
    expect(await page.locator('svg[data-chart="lr"] .mark-symbol.role-mark path').count()).toBe(withMetric);
    expect(await page.locator('svg[data-chart="imp"] .mark-rect.role-mark path').count()).toBe(
      lb.varying.length,
    );
    expect(await page.locator('svg[data-chart="hist"] .mark-rect.role-mark path').count()).toBe(20);
    expect(await page.locator('svg[data-chart="dyn"] .mark-line.role-mark path').count()).toBeGreaterThan(0);
    // Digits drawn from their pixels, decoded by the browser.
    const digits = await page.locator('#wrong img').evaluateAll((imgs) =>
      imgs.map((i) => {
        const img = i as unknown as { naturalWidth: number; naturalHeight: number };
        return [img.naturalWidth, img.naturalHeight];
      }),
    );
    expect(digits.length).toBe(12);
    for (const d of digits) expect(d).toEqual([28, 28]);
    expect(await page.locator('#samples img').count()).toBe(40);
  });

  it('sorts the leaderboard on a header click, ascending then descending', async () => {
    const heads = await page
      .locator('#lb thead th')
      .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-key')));
    const col = async (key: string) =>
      page
        .locator('#lb tbody tr')
        .evaluateAll(
          (rows, i) => rows.map((r) => r.children[i]?.getAttribute('data-v') ?? ''),
          heads.indexOf(key),
        );
    const ranksBefore = (await col('rank')).map(Number);
    expect(ranksBefore).toEqual(lb.rows.map((r) => r.rank));

    await page.locator('#lb thead th[data-key="val_loss"]').click();
    const asc = await col('val_loss');
    const ascNums = asc.filter((v) => v !== '').map(Number);
    expect(ascNums).toEqual([...ascNums].sort((a, b) => a - b));
    expect(asc.slice(ascNums.length).every((v) => v === '')).toBe(true); // no metric: last
    expect(await page.locator('#lb thead th[data-key="val_loss"]').getAttribute('aria-sort')).toBe(
      'ascending',
    );

    await page.locator('#lb thead th[data-key="val_loss"]').click();
    const desc = (await col('val_loss')).filter((v) => v !== '').map(Number);
    expect(desc).toEqual([...ascNums].sort((a, b) => b - a));

    await page.locator('#lb thead th[data-key="trial_id"]').click();
    const ids = await page
      .locator('#lb tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trial')));
    expect(ids).toEqual([...ids].sort());

    await page.locator('#lb thead th[data-key="rank"]').click();
    expect((await col('rank')).map(Number)).toEqual(lb.rows.map((r) => r.rank));
  });

  it('filters the leaderboard by text', async () => {
    const filter = page.locator('#lb-filter');
    await filter.fill('failed');
    const visible = await page
      .locator('#lb tbody tr:not([hidden])')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trial')));
    expect(visible.sort()).toEqual(
      lb.rows
        .filter((r) => r.state === 'failed')
        .map((r) => r.trial_id)
        .sort(),
    );
    expect(await page.locator('#lb-count').textContent()).toBe(
      `${visible.length} of ${lb.rows.length} trials shown`,
    );

    await filter.fill('sgd tanh');
    const both = await page
      .locator('#lb tbody tr:not([hidden])')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trial')));
    const expected = results
      .filter((r) => r.config.optimizer === 'sgd' && r.config.activation === 'tanh')
      .map((r) => r.trial_id);
    expect(both.sort()).toEqual(expected.sort());

    await filter.fill('');
    expect(await page.locator('#lb tbody tr:not([hidden])').count()).toBe(lb.rows.length);
  });

  it('writes a screenshot', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/report.png', fullPage: true });
    expect(existsSync('test-artifacts/report.png')).toBe(true);
  });
});
