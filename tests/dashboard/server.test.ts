/**
 * The dashboard's web app over a real store (an in-memory sweep run by the service, copied to files):
 * pages, headers, bad input, escaping, ETags, downloads; and the readers under it — conditional gets
 * that do not read unchanged objects again, live.json while a trial trains, store errors pushed and
 * recovered from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartDrawer } from '../../adapters/dashboard/draw-worker.ts';
import { Hub } from '../../adapters/dashboard/hub.ts';
import { CSP, createDashboard } from '../../adapters/dashboard/server.ts';
import { ObservedBlobStore } from '../../adapters/faults/store.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import type { LiveProgress } from '../../core/app/worker.ts';
import { readSweep, StoreReader } from '../../core/dashboard/live.ts';
import { decodeOnnx } from '../../core/export/onnx-schema.ts';
import { keys } from '../../core/layout.ts';
import { chartBlock } from '../../core/report/blocks.ts';
import { renderSvg } from '../../core/report/svg.ts';
import type { TrialResult } from '../../core/result.ts';
import { createHarness, sweepText } from '../app/harness.ts';

const dec = new TextDecoder();
let dir: string;
let store: FsBlobStore;
let sweepId: string;
let trials: TrialResult[];
const NAME = 'evil <img src=x onerror="window.__xss=1"> & co';

beforeAll(async () => {
  const h = await createHarness();
  sweepId = await h.submit(sweepText({ name: NAME }, { epochs: { value: 3 } }));
  await h.pump();
  dir = await mkdtemp(join(tmpdir(), 'dashboard-'));
  store = new FsBlobStore(dir);
  for (const k of await h.store.list('')) await store.put(k, (await h.store.get(k))!.body);
  trials = [];
  for (const k of await store.list(keys.trials(sweepId)))
    if (k.endsWith('/result.json')) trials.push(JSON.parse(dec.decode((await store.get(k))!.body)));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const app = () => createDashboard({ store, where: 'a test store' }).app;
const get = (a: ReturnType<typeof app>, path: string, headers: Record<string, string> = {}) =>
  a.request(`http://127.0.0.1${path}`, { headers: { host: '127.0.0.1:8765', ...headers } });

describe('dashboard pages', () => {
  it('serves the sweeps, sweep, trial and compare pages with a CSP, store strings escaped', async () => {
    const a = app();
    const t = trials[0]!.trial_id;
    const u = trials[1]!.trial_id;
    for (const path of [
      '/',
      `/sweeps/${sweepId}`,
      `/sweeps/${sweepId}/trials/${t}`,
      `/sweeps/${sweepId}/compare?t=${t}&t=${u}`,
    ]) {
      const r = await get(a, path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(CSP);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await r.text();
      expect(html, path).not.toContain('<img src=x');
      expect(html).not.toMatch(/<script>/); // scripts come from /static only
    }
    const sweepsHtml = await (await get(a, '/')).text();
    expect(sweepsHtml).toContain('evil &lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; &amp; co');
    const sweepHtml = await (await get(a, `/sweeps/${sweepId}`)).text();
    for (const r of trials) expect(sweepHtml).toContain(`href="/sweeps/${sweepId}/trials/${r.trial_id}"`);
    const compare = await (await get(a, `/sweeps/${sweepId}/compare?t=${t}&t=${u}`)).text();
    expect(compare).toMatch(/<tr class="diff"><th scope="row">(learning_rate|activation)<\/th>/);
  });

  it('bad input: invalid ids (path characters) are 400, unknown ones 404, nothing else reaches a file', async () => {
    const a = app();
    const t = trials[0]!.trial_id;
    const cases: [string, number, RegExp][] = [
      ['/sweeps/..%2F..%2Fetc', 400, /invalid sweep id/],
      ['/sweeps/a..b', 400, /invalid sweep id/],
      [`/sweeps/${sweepId}/trials/..%2Fstate.json`, 400, /invalid trial id/],
      [`/sweeps/${sweepId}/trials/t%00x`, 400, /invalid trial id/],
      ['/sweeps/s-nope', 404, /no sweep s-nope/],
      [`/sweeps/${sweepId}/trials/t-nope`, 404, /has no trial t-nope/],
      [`/sweeps/${sweepId}/trials/t-nope/model.onnx`, 404, /no result for trial t-nope/],
      [`/sweeps/${sweepId}/compare?t=${t}`, 400, /needs 2 to 4 different trials, got 1/],
      ['/static/..%2F..%2Fpackage.json', 404, /no such file/],
      ['/../package.json', 404, /no page|no such/],
      ['/sweeps/x/y/z', 404, /no page/],
    ];
    for (const [path, status, message] of cases) {
      const r = await get(a, path);
      expect(r.status, path).toBe(status);
      expect(await r.text(), path).toMatch(message);
    }
    // Another host name (DNS rebinding) is refused.
    expect((await get(a, '/', { host: 'attacker.example:8765' })).status).toBe(421);
  });

  it('conditional GETs: an unchanged page is 304', async () => {
    const a = app();
    // The first page has its charts still being drawn ("Drawing…", in another thread); then they are in it.
    for (let i = 0; i < 100; i++) {
      if (!(await (await get(a, `/sweeps/${sweepId}`)).text()).includes('Drawing…')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await get(a, `/sweeps/${sweepId}`);
    expect(await page.text()).toContain('data-chart="pc"');
    const tag = page.headers.get('etag');
    expect(tag).toBeTruthy();
    expect((await get(a, `/sweeps/${sweepId}`, { 'if-none-match': tag! })).status).toBe(304);
    expect((await get(a, '/static/dashboard.js', { 'if-none-match': '"nope"' })).status).toBe(200);
  });

  it('downloads: ONNX (opset 13), the stored safetensors and result JSON', async () => {
    const a = app();
    const t = trials[0]!.trial_id;
    const onnx = await get(a, `/sweeps/${sweepId}/trials/${t}/model.onnx`);
    expect(onnx.status).toBe(200);
    expect(onnx.headers.get('content-disposition')).toBe(`attachment; filename="${sweepId}-${t}.onnx"`);
    expect(decodeOnnx(new Uint8Array(await onnx.arrayBuffer())).opset_import[0]!.version).toBe(13);
    const w = new Uint8Array(
      await (await get(a, `/sweeps/${sweepId}/trials/${t}/weights.safetensors`)).arrayBuffer(),
    );
    expect(Buffer.compare(w, (await store.get(keys.weights(sweepId, t)))!.body)).toBe(0);
    const r = JSON.parse(await (await get(a, `/sweeps/${sweepId}/trials/${t}/result.json`)).text());
    expect(r.trial_id).toBe(t);
  });
});

/** The `parts` events of a page's event stream, until `enough` says so or `ms` pass; then the stream is closed. */
async function partsEvents(
  a: ReturnType<typeof app>,
  url: string,
  enough: (ids: Set<string>) => boolean,
  ms: number,
): Promise<Set<string>> {
  const r = await a.request(`http://127.0.0.1${url}`, { headers: { host: '127.0.0.1:8765' } });
  const reader = r.body!.getReader();
  const ids = new Set<string>();
  let text = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ done: true; value: undefined }>((resolve) => {
    timer = setTimeout(() => resolve({ done: true, value: undefined }), ms);
  });
  try {
    while (!enough(ids)) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk.done) break;
      text += dec.decode(chunk.value, { stream: true });
      for (const m of text.matchAll(/event: parts\ndata: (.*)\n/g))
        for (const id of Object.keys(JSON.parse(m[1]!))) ids.add(id);
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel();
  }
  return ids;
}

describe('live updates', () => {
  it('a page whose charts were drawn after it was served gets them, however late it listens', async () => {
    const d = createDashboard({ store, where: 'a test store' });
    try {
      const t = trials[0]!.trial_id;
      for (const path of [`/sweeps/${sweepId}`, `/sweeps/${sweepId}/trials/${t}`]) {
        // Served while its charts are drawn (in another thread): "Drawing…" in their place.
        const html = await (await get(d.app, path)).text();
        const drawing = [
          ...html.matchAll(/<div data-part="([^"]+)"><p class="muted">Drawing…<\/p><\/div>/g),
        ].map((m) => m[1]!);
        expect(drawing.length, path).toBeGreaterThan(0);
        const events = /data-events="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
        // The drawing finishes before the page listens (a quick page load, a warm drawing thread).
        for (let i = 0; i < 200; i++) {
          if (!(await (await get(d.app, path)).text()).includes('Drawing…')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        // Nothing changes in the store any more: the page is sent what it lacks, the charts, and only that.
        const got = await partsEvents(d.app, events, (ids) => drawing.every((x) => ids.has(x)), 5000);
        expect([...got].sort(), path).toEqual(drawing.sort());
      }
    } finally {
      await d.hub.close();
    }
  });

  it("the compare page is live: its stream sends the trials' progress and their curves", async () => {
    const d = createDashboard({ store, where: 'a test store' });
    try {
      const [t, u] = [trials[0]!.trial_id, trials[1]!.trial_id];
      const html = await (await get(d.app, `/sweeps/${sweepId}/compare?t=${t}&t=${u}`)).text();
      const events = /data-events="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&');
      expect(events).toMatch(new RegExp(`^/events/sweeps/${sweepId}/compare\\?t=${t}&t=${u}&v=`));
      expect(html).toContain('<table id="compare-status">');
      // A page that has nothing yet is sent both parts.
      const bare = events.replace(/&v=.*$/, '&v=');
      expect([...(await partsEvents(d.app, bare, (ids) => ids.size === 2, 10_000))].sort()).toEqual([
        'curves',
        'status',
      ]);
      // Bad trial lists are refused on the stream as on the page.
      const one = await get(d.app, `/events/sweeps/${sweepId}/compare?t=${t}`);
      expect(one.status).toBe(400);
      expect(await one.text()).toMatch(/needs 2 to 4 different trials, got 1/);
    } finally {
      await d.hub.close();
    }
  });
});

describe('reading the store for the dashboard', () => {
  it('does not read unchanged objects again (conditional gets), and reads a changed one once', async () => {
    const reader = new StoreReader(store);
    const first = await readSweep(reader, sweepId);
    const reads = reader.reads;
    expect(reads).toBeGreaterThan(0);
    const again = await readSweep(reader, sweepId);
    expect(reader.reads).toBe(reads);
    expect(again!.version).toBe(first!.version);
    // The state changes: exactly that object is read again.
    const state = JSON.parse(dec.decode((await store.get(keys.sweepState(sweepId)))!.body));
    await store.put(keys.sweepState(sweepId), JSON.stringify({ ...state, report_rendered_ms: 1 }));
    const third = await readSweep(reader, sweepId);
    expect(reader.reads).toBe(reads + 1);
    expect(third!.version).not.toBe(first!.version);
  });

  it('a training trial leaves live.json: its epochs so far, the start of its result', async () => {
    const h = await createHarness();
    const id = await h.submit(
      sweepText(
        {},
        {
          epochs: { value: 12 },
          learning_rate: { value: 0.003 },
          activation: { value: 'relu' },
          layers: { value: '784-64-10' },
        },
      ),
    );
    await h.pump();
    const liveKey = (await h.store.list(keys.trials(id))).find((k) => k.endsWith('/live.json'));
    expect(liveKey).toBeDefined();
    const live = JSON.parse(dec.decode((await h.store.get(liveKey!))!.body)) as LiveProgress;
    const result = JSON.parse(
      dec.decode((await h.store.get(keys.result(id, live.trial_id)))!.body),
    ) as TrialResult;
    expect(live.history.length).toBeGreaterThan(0);
    expect(live.history.length).toBeLessThan(result.history.length);
    expect(live.history).toEqual(result.history.slice(0, live.history.length));
  });

  it('store errors reach the listeners once, then the store answering again, then what changed', async () => {
    let down = false;
    const flaky = new ObservedBlobStore(store, ({ phase }) => {
      if (down && phase === 'before') throw new Error('connection refused');
    });
    const reader = new StoreReader(flaky);
    const hub = new Hub(50);
    const got: string[] = [];
    const off = hub.subscribe(
      'sweep',
      async (draw) => {
        const s = await readSweep(reader, sweepId);
        return s && { version: s.version, phases: [() => ({ a: `v ${s.version}`, draw: typeof draw })] };
      },
      '',
      async (event, data) => {
        got.push(
          `${event} ${event === 'store-error' ? JSON.parse(data).message : Object.keys(JSON.parse(data)).join(',')}`,
        );
      },
    );
    try {
      const until = async (n: number) => {
        for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      };
      await until(1);
      down = true;
      await until(2);
      await new Promise((r) => setTimeout(r, 200)); // several failing polls: one message only
      down = false;
      await until(3);
      // The store changes: the new parts follow.
      const state = JSON.parse(dec.decode((await store.get(keys.sweepState(sweepId)))!.body));
      await store.put(keys.sweepState(sweepId), JSON.stringify({ ...state, report_rendered_ms: 2 }));
      await until(4);
      expect(got).toEqual(['parts a,draw', 'store-error connection refused', 'store-ok ', 'parts a']);
    } finally {
      off();
      await hub.close();
    }
  });
});

describe('drawing charts in a worker thread', () => {
  const spec = {
    data: {
      values: [
        { a: 1, b: 2 },
        { a: 2, b: 3 },
      ],
    },
    mark: 'point',
    encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
  } as TopLevelSpec;

  it("draws the report's bytes: the same HTML as the report's renderer in this thread", async () => {
    const drawer = new ChartDrawer();
    try {
      expect(await drawer.draw(spec, 'x', 'a chart')).toBe(chartBlock(await renderSvg(spec, 'x', 'a chart')));
    } finally {
      await drawer.stop();
    }
  });

  it('a drawing that takes too long fails with the reason, and the next one gets a fresh thread', async () => {
    const slow = new ChartDrawer(1);
    try {
      await expect(slow.draw(spec, 'x', 'a chart')).rejects.toThrow(/drawing the a chart took over 0.001 s/);
    } finally {
      await slow.stop();
    }
    const drawer = new ChartDrawer();
    try {
      expect(await drawer.draw(spec, 'x', 'a chart')).toContain('<svg');
    } finally {
      await drawer.stop();
    }
  });

  it('a stop fails the drawings under way; one asked for right after is drawn by a new thread', async () => {
    const drawer = new ChartDrawer();
    try {
      const first = drawer.draw(spec, 'x', 'a chart');
      const stopped = drawer.stop();
      await expect(first).rejects.toThrow(/drawing thread was stopped/);
      // Asked for before the old thread has exited: its exit must not fail this one.
      const next = drawer.draw(spec, 'x', 'a chart');
      await stopped;
      expect(await next).toContain('<svg');
    } finally {
      await drawer.stop();
    }
  });
});
