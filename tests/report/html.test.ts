import { describe, expect, it } from 'vitest';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { confusionSpec } from '../../core/report/charts.ts';
import {
  buildLeaderboard,
  confusionCells,
  datasetPreview,
  escapeHtml,
  renderReport,
  renderSvg,
  safeHref,
} from '../../core/report/index.ts';
import { chartCache } from '../../core/report/svg.ts';
import { syntheticSweep } from './synthetic.ts';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
/** The inner SVG of one chart of the page. */
const chart = (html: string, id: string) => {
  const start = html.indexOf(`data-chart="${id}"`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</svg>', start));
};
/** Paths inside the role-mark groups of a given mark type. */
const markPaths = (svg: string, mark: string) => {
  let n = 0;
  const re = new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs');
  for (const m of svg.matchAll(re)) n += count(m[1]!, /<path /g);
  return n;
};

describe('renderReport', () => {
  const { sweep, results } = syntheticSweep({ trials: 60, seed: 3 });
  sweep.name = 'Evil <script>alert("name")</script> & co';
  results[0]!.state = 'failed';
  results[0]!.reason = '</td><script>alert(1)</script><img src=x onerror=alert(2)>';
  delete results[0]!.test;

  it('escapes every user-provided string and carries only its own script', async () => {
    const html = await renderReport({ sweep, results });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(sweep.name));
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(count(html, /<script\b/g)).toBe(1);
  });

  it('is self-contained: a CSP that forbids the network, no external URLs', async () => {
    const html = await renderReport({ sweep, results, dataset: datasetPreview(loadMnistMini()) });
    expect(html).toContain(`content="default-src 'none'; img-src data:;`);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/url\((['"])?(https?:)?\/\//);
    expect(html).not.toMatch(/@import/);
    // All img sources are inline PNGs.
    const srcs = [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]!);
    expect(srcs.length).toBeGreaterThan(12);
    for (const s of srcs) expect(s.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('has every section and chart, and each SVG id is unique on the page', async () => {
    const html = await renderReport({ sweep, results, dataset: datasetPreview(loadMnistMini()) });
    for (const id of ['summary', 'leaderboard', 'parameters', 'curves', 'best', 'data', 'dynamics'])
      expect(html).toContain(`<section id="${id}">`);
    for (const c of ['pc', 'lr', 'imp', 'lc', 'cm', 'hist', 'dyn'])
      expect(html).toContain(`data-chart="${c}"`);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    const lb = buildLeaderboard(sweep, results);
    expect(markPaths(chart(html, 'pc'), 'line')).toBe(lb.rows.filter((r) => r.metric !== null).length);
    expect(markPaths(chart(html, 'cm'), 'rect')).toBe(100);
    expect(count(html, /<tr data-rank=/g)).toBe(results.length);
  });

  it('lists failures with their reasons and summary figures', async () => {
    const html = await renderReport({ sweep, results });
    const lb = buildLeaderboard(sweep, results);
    const failures = html.slice(
      html.indexOf('id="failures"'),
      html.indexOf('</table>', html.indexOf('id="failures"')),
    );
    const nFail = lb.rows.filter((r) => ['failed', 'diverged', 'skipped'].includes(r.state)).length;
    expect(count(failures, /<tr><td>/g)).toBe(nFail);
    expect(html).toContain(`completed ${lb.counts.completed}</span>`);
    const speed = (lb.total_compute_s / lb.wall_s!).toFixed(1);
    expect(html).toContain(`${speed}×`);
  });

  it('links weights: default relative path, custom hrefs, unsafe schemes dropped', async () => {
    const html = await renderReport({ sweep, results });
    const withWeights = results.filter((r) => r.weights_key);
    expect(count(html, /href="trials\/t\d{4}\/weights\.safetensors"/g)).toBe(withWeights.length);
    const custom = await renderReport({
      sweep,
      results,
      weightsHref: (r) =>
        r.index % 2 === 0 ? `https://example.test/w/${r.trial_id}?a=1&b=2` : 'javascript:alert(1)',
    });
    expect(custom).toContain('href="https://example.test/w/t0002?a=1&amp;b=2"');
    expect(custom).not.toContain('javascript:');
    expect(safeHref(' java\tscript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('trials/a/weights.safetensors')).toBe('trials/a/weights.safetensors');
  });

  it('copes with a sweep where nothing finished', async () => {
    const html = await renderReport({
      sweep,
      results: results.slice(0, 1), // the one failed trial
    });
    expect(html).toContain('No trial has a metric yet.');
    expect(html).toContain('No trial has test-set metrics.');
  });
});

describe('charts', () => {
  it('the confusion heatmap has a rect and a count per cell', async () => {
    const m = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 90 : 1)));
    const svg = await renderSvg(confusionSpec(confusionCells(m)), 'x', 'cm');
    expect(markPaths(svg, 'rect')).toBe(100);
    const texts = [...svg.matchAll(/<g class="mark-text role-mark[^"]*"[^>]*>(.*?)<\/g>/gs)].flatMap((g) =>
      [...g[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]),
    );
    expect(texts.filter((t) => t === '90')).toHaveLength(10);
    expect(texts.filter((t) => t === '1')).toHaveLength(90);
  });

  it('vega escapes text marks and ids get the chart prefix', async () => {
    const svg = await renderSvg(
      { data: { values: [{ t: '<b>&"x"' }] }, mark: 'text', encoding: { text: { field: 't' } } },
      'pfx',
      'a "label"',
    );
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).toContain('aria-label="a &#34;label&#34;"');
    for (const m of svg.matchAll(/\bid="([^"]+)"/g)) expect(m[1]!.startsWith('pfx-')).toBe(true);
  });
});

describe('compiled chart specs are reused', () => {
  const ds = loadMnistMini();
  const dataset = datasetPreview(ds);
  const sweeps = [
    syntheticSweep({ trials: 16, seed: 3, dataset: ds }),
    syntheticSweep({ trials: 3, seed: 1 }),
    syntheticSweep({ trials: 40, seed: 7, dataset: ds }),
    syntheticSweep({ trials: 16, seed: 4, dataset: ds }),
  ];
  const render = (i: number) => renderReport({ ...sweeps[i]!, dataset });

  it('the page is byte-identical to one whose charts are compiled afresh, in any order', async () => {
    chartCache.clear();
    const reused: string[] = [];
    for (const i of [0, 1, 2, 3, 2, 0]) reused.push(await render(i));
    chartCache.reuse = false;
    try {
      const fresh = [];
      for (const i of [0, 1, 2, 3]) fresh.push(await render(i));
      expect(reused).toEqual([fresh[0], fresh[1], fresh[2], fresh[3], fresh[2], fresh[0]]);
    } finally {
      chartCache.reuse = true;
    }
  });

  it("which trials lead or how many there are does not change a chart's shape", async () => {
    chartCache.clear();
    await render(0);
    const shapes = chartCache.size;
    expect(shapes).toBe(7);
    await render(3); // same space, other results: other top trials, other importance order
    await render(2); // more trials
    expect(chartCache.size).toBe(shapes);
  });
});

describe('a 1,000-trial sweep', () => {
  it('renders into at most 5 MB', async () => {
    const ds = loadMnistMini();
    const { sweep: s, results: r } = syntheticSweep({ trials: 1000, dataset: ds, seed: 11 });
    const preview = datasetPreview(ds);
    const t = performance.now();
    const html = await renderReport({ sweep: s, results: r, dataset: preview });
    const ms = performance.now() - t;
    const bytes = Buffer.byteLength(html);
    console.log(`1000-trial report: ${(bytes / 1e6).toFixed(2)} MB in ${ms.toFixed(0)} ms`);
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(count(html, /<tr data-rank=/g)).toBe(1000);
  });
});
