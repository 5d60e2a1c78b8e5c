/**
 * The dashboard's web app (Hono): read-only pages over a store, their live updates as server-sent events,
 * and downloads of a trial's model. Nothing from a URL reaches a file system path: ids are validated
 * (core/layout.ts) before they become store keys, and the static assets are strings in memory. Every
 * response carries a Content-Security-Policy (scripts from this origin only), and a request naming another
 * host is refused (DNS rebinding). Pages and assets get ETags (304 when unchanged).
 *
 * Routes: `/` sweeps · `/sweeps/<id>` · `/sweeps/<id>/trials/<trial>` · `/sweeps/<id>/compare?t=…&t=…` (all live)
 * · `/sweeps/<id>/trials/<trial>/{weights.safetensors,model.onnx,result.json}` · `/sweeps/<id>/report.html`
 * · `/events…` (the same paths, as server-sent events) · `/static/{dashboard,leaderboard}.{js,css}`.
 */
import { type Context, Hono } from 'hono';
import { etag } from 'hono/etag';
import { streamSSE } from 'hono/streaming';
import { renderSweepReportNow } from '../../core/app/report.ts';
import { DASHBOARD_JS } from '../../core/dashboard/client.ts';
import { DASHBOARD_CSS, page } from '../../core/dashboard/layout.ts';
import { listSweeps, readSweep, readTrial, StoreReader } from '../../core/dashboard/live.ts';
import {
  compareCharts,
  comparePage,
  compareParts,
  type Parts,
  sweepCharts,
  sweepLeaderboard,
  sweepPage,
  sweepSummary,
  sweepsPage,
  sweepsPart,
  sweepView,
  trialPage,
  trialPageCharts,
  trialPageParts,
} from '../../core/dashboard/pages.ts';
import { ExportNotFoundError, exportTrialModel } from '../../core/export/trial-model.ts';
import { assertId, InvalidIdError, keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import { CLIENT_JS } from '../../core/report/client.ts';
import { escapeHtml as e } from '../../core/report/escape.ts';
import { Hub, type Loader } from './hub.ts';

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** The stored report is self-contained: its own inline script and styles, nothing else. */
const REPORT_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'";

/** How often open pages read the store (conditional gets: unchanged objects cost a stat or a 304). */
export const DEFAULT_POLL_MS = 500;

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export interface DashboardOptions {
  store: BlobStore;
  /** Where the store is, for the pages ("files under .sweep/store", "LocalStack at …"). */
  where: string;
  /** How often pages with listeners read the store again, ms (updates reach a page within about this). */
  pollMs?: number;
  /**
   * Host names requests may address (the Host header, without the port): default the loopback names;
   * `'any'` when the server listens on every interface (then the network decides who can reach it).
   */
  hosts?: readonly string[] | 'any';
  /** Problems that are not a request's (a chart that could not be drawn). */
  log?: (message: string) => void;
}

export interface Dashboard {
  app: Hono;
  hub: Hub;
  reader: StoreReader;
}

class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 503,
    message: string,
  ) {
    super(message);
  }
}

function id(kind: 'sweep' | 'trial', value: string | undefined): string {
  try {
    return assertId(kind, value ?? '');
  } catch (err) {
    if (err instanceof InvalidIdError) throw new HttpError(400, err.message);
    throw err;
  }
}

const ASSETS: Record<string, [string, string]> = {
  'dashboard.js': ['text/javascript; charset=utf-8', DASHBOARD_JS],
  'leaderboard.js': ['text/javascript; charset=utf-8', CLIENT_JS],
  'dashboard.css': ['text/css; charset=utf-8', DASHBOARD_CSS],
};

export function createDashboard(o: DashboardOptions): Dashboard {
  const reader = new StoreReader(o.store);
  const hub = new Hub(o.pollMs ?? DEFAULT_POLL_MS, o.log);
  const hosts = o.hosts === 'any' ? undefined : new Set(o.hosts ?? LOOPBACK_HOSTS);
  const app = new Hono();

  // --- what each page shows, as a hub topic
  const sweepsTopic: Loader = async () => {
    const { sweeps, version } = await listSweeps(reader);
    return { version, phases: [() => ({ sweeps: sweepsPart(sweeps) })] };
  };
  const sweepTopic =
    (sweepId: string): Loader =>
    async (draw) => {
      const s = await readSweep(reader, sweepId);
      if (!s) return undefined;
      const view = sweepView(s);
      return {
        version: s.version,
        phases: [() => sweepSummary(s, view), () => sweepLeaderboard(s, view)],
        later: () => sweepCharts(view, draw),
      };
    };
  const trialTopic =
    (sweepId: string, trialId: string): Loader =>
    async (draw) => {
      const t = await readTrial(reader, sweepId, trialId);
      return (
        t && {
          version: t.version,
          phases: [() => trialPageParts(t)],
          later: () => trialPageCharts(t, draw),
        }
      );
    };
  const compareTopic =
    (sweepId: string, trialIds: readonly string[]): Loader =>
    async (draw) => {
      const got = await Promise.all(trialIds.map((t) => readTrial(reader, sweepId, t)));
      const trials = got.flatMap((t) => (t ? [t] : []));
      if (trials.length < got.length) return undefined;
      return {
        version: trials.map((t) => t.version).join(' '),
        phases: [() => compareParts(trials)],
        later: () => compareCharts(trials, draw),
      };
    };
  /** The trials of a compare page or stream (`?t=…&t=…`): 2 to 4 different valid ids. */
  const compareIds = (c: Context): string[] => {
    const ids = [...new Set((c.req.queries('t') ?? []).filter((t) => t !== ''))].map((t) => id('trial', t));
    if (ids.length < 2 || ids.length > 4)
      throw new HttpError(400, `compare needs 2 to 4 different trials, got ${ids.length}`);
    return ids;
  };
  const topicOf = (c: Context): { key: string; load: Loader } => {
    const sweep = c.req.param('sweep');
    if (sweep === undefined) return { key: 'sweeps', load: sweepsTopic };
    const s = id('sweep', sweep);
    if (c.req.path.endsWith('/compare')) {
      const ids = compareIds(c);
      return { key: `compare/${s}/${ids.join(',')}`, load: compareTopic(s, ids) };
    }
    const trial = c.req.param('trial');
    if (trial === undefined) return { key: `sweep/${s}`, load: sweepTopic(s) };
    const t = id('trial', trial);
    return { key: `trial/${s}/${t}`, load: trialTopic(s, t) };
  };
  const current = async (c: Context): Promise<{ token: string; parts: Parts }> => {
    const { key, load } = topicOf(c);
    let now: Awaited<ReturnType<Hub['current']>>;
    try {
      now = await hub.current(key, load);
    } catch (err) {
      throw new HttpError(503, `the store (${o.where}) cannot be read: ${(err as Error).message}`);
    }
    if (!now) throw new HttpError(404, `not found in ${o.where}`);
    return now;
  };

  // --- headers, host check, ETags
  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (hosts && !hosts.has(host)) {
      c.res = c.text(`this dashboard answers to ${[...hosts].join(', ')} only`, 421);
      return;
    }
    await next();
    c.res.headers.set('Content-Security-Policy', c.res.headers.get('Content-Security-Policy') ?? CSP);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('X-Frame-Options', 'DENY');
  });
  const withEtag = etag();
  app.use('*', (c, next) => (c.req.path.startsWith('/events') ? next() : withEtag(c, next)));

  // --- pages
  app.get('/', async (c) => {
    const { parts, token } = await current(c);
    return c.html(sweepsPage(o.where, parts, token));
  });
  app.get('/sweeps/:sweep', async (c) => {
    const s = await readSweep(reader, id('sweep', c.req.param('sweep')));
    if (!s) throw new HttpError(404, `no sweep ${c.req.param('sweep')} in ${o.where}`);
    const { parts, token } = await current(c);
    return c.html(sweepPage(s, parts, token));
  });
  app.get('/sweeps/:sweep/trials/:trial', async (c) => {
    const s = id('sweep', c.req.param('sweep'));
    const t = await readTrial(reader, s, id('trial', c.req.param('trial')));
    if (!t) throw new HttpError(404, `sweep ${s} has no trial ${c.req.param('trial')} in ${o.where}`);
    const { parts, token } = await current(c);
    return c.html(trialPage(t, parts, token));
  });
  app.get('/sweeps/:sweep/compare', async (c) => {
    const s = id('sweep', c.req.param('sweep'));
    const ids = compareIds(c);
    const trials = await Promise.all(ids.map((t) => readTrial(reader, s, t)));
    const missing = ids.filter((_, i) => !trials[i]);
    if (missing.length > 0) throw new HttpError(404, `sweep ${s} has no trial ${missing.join(', ')}`);
    const { parts, token } = await current(c);
    return c.html(
      comparePage(
        trials.flatMap((t) => (t ? [t] : [])),
        parts,
        token,
      ),
    );
  });
  app.get('/sweeps/:sweep/report.html', async (c) => {
    const s = id('sweep', c.req.param('sweep'));
    const now = await renderSweepReportNow(o.store, s);
    if (!now) throw new HttpError(404, `no sweep ${s} in ${o.where}`);
    c.header('Content-Security-Policy', REPORT_CSP);
    return c.html(now.html);
  });

  // --- downloads
  app.get(
    '/sweeps/:sweep/trials/:trial/:file{(weights\\.safetensors|model\\.onnx|result\\.json)}',
    async (c) => {
      const s = id('sweep', c.req.param('sweep'));
      const t = id('trial', c.req.param('trial'));
      const file = c.req.param('file');
      let body: Uint8Array;
      let name: string;
      if (file === 'result.json') {
        const got = await o.store.get(keys.result(s, t));
        if (!got) throw new HttpError(404, `trial ${t} of sweep ${s} has no result yet`);
        body = got.body;
        name = `${s}-${t}-result.json`;
      } else {
        try {
          const m = await exportTrialModel(o.store, s, t, file === 'model.onnx' ? 'onnx' : 'safetensors');
          body = m.bytes;
          name = m.filename;
        } catch (err) {
          if (err instanceof ExportNotFoundError) throw new HttpError(404, err.message);
          throw err;
        }
      }
      const type = file === 'result.json' ? 'application/json' : 'application/octet-stream';
      return c.body(body as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': type,
        'Content-Disposition': `attachment; filename="${name}"`,
      });
    },
  );

  // --- live updates
  const events = (c: Context) => {
    const { key, load } = topicOf(c);
    const token = c.req.query('v') ?? '';
    return streamSSE(c, async (stream) => {
      const off = hub.subscribe(key, load, token, (event, data) => stream.writeSSE({ event, data }));
      stream.onAbort(off);
      while (!stream.aborted && !stream.closed) {
        await stream.sleep(15_000);
        await stream.write(': keep-alive\n\n');
      }
      off();
    });
  };
  app.get('/events', events);
  app.get('/events/sweeps/:sweep', events);
  app.get('/events/sweeps/:sweep/trials/:trial', events);
  app.get('/events/sweeps/:sweep/compare', events);

  // --- assets
  app.get('/static/:name', (c) => {
    const asset = ASSETS[c.req.param('name')];
    if (!asset) throw new HttpError(404, 'no such file');
    return c.body(asset[1], 200, { 'Content-Type': asset[0], 'Cache-Control': 'no-cache' });
  });

  app.notFound((c) => c.html(errorPage(404, `no page at ${c.req.path}`), 404));
  app.onError((err, c) => {
    const status = err instanceof HttpError ? err.status : 500;
    return c.html(errorPage(status, err.message), status);
  });
  return { app, hub, reader };
}

function errorPage(status: number, message: string): string {
  const title =
    status === 400
      ? 'Bad request'
      : status === 404
        ? 'Not found'
        : status === 503
          ? 'Store unavailable'
          : 'Error';
  return page(
    {
      title,
      crumbs: [
        ['Sweeps', '/'],
        [title, ''],
      ],
      ...(status === 503 ? { events: '/events', reloadWhenBack: true } : {}),
    },
    `<h1>${e(title)}</h1><p class="error-box">${e(message)}</p><p><a href="/">All sweeps</a></p>`,
  );
}
