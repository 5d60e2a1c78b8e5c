/**
 * The dashboard's page frame and static assets: one layout for every page (breadcrumb, the live status
 * line, the parts the server replaces), the report's stylesheet plus the dashboard's own, and its script.
 * Everything from the store is escaped here or in the report's helpers before it reaches HTML.
 */
import { CSS as REPORT_CSS } from '../report/html.ts';
import { escapeHtml as e } from '../report/index.ts';
import { LEADERBOARD_ROWS } from './client.ts';

export const DASHBOARD_CSS = `${REPORT_CSS}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-9999px}.skip:focus{left:12px;top:8px;background:#fff;padding:4px 8px;z-index:10}
header.top{display:flex;justify-content:space-between;align-items:center;gap:16px;padding:10px 28px;border-bottom:1px solid var(--border);background:var(--zebra)}
header.top nav a{text-decoration:none}
.conn{font-size:12px;padding:2px 10px;border-radius:10px;background:#dafbe1;color:#1a7f37}
.conn.error{background:#ffebe9;color:#cf222e;font-weight:600}
.conn.wait{background:#fff8c5;color:#9a6700}
.progress{display:flex;height:14px;border-radius:7px;overflow:hidden;background:#eaeef2;margin:8px 0}
.progress span{display:block;height:100%}
a:focus-visible,button:focus-visible,input:focus-visible,th:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
button{font:inherit;padding:5px 12px;border:1px solid var(--border);border-radius:6px;background:#f6f8fa;cursor:pointer}
tr.diff td{background:#fff8c5}
.kv td:first-child{color:var(--muted);white-space:nowrap}
.downloads a{margin-right:14px}
#compare{flex-wrap:wrap}#compare span{white-space:nowrap}#compare input{min-width:0;width:11em}
#lb:not(.limited) tbody tr:nth-child(n+${LEADERBOARD_ROWS + 1}),#lb tr.beyond{display:none}
#lb-more{display:flex;gap:12px;align-items:center}#lb-more[hidden]{display:none}
.error-box{border:1px solid #cf222e;background:#ffebe9;border-radius:8px;padding:10px 14px}
`;

/** A replaceable part of a page: the server pushes new HTML for it by its id. */
export const part = (id: string, html: string): string => `<div data-part="${e(id)}">${html}</div>`;

export interface PageOptions {
  title: string;
  /** Breadcrumb: [label, href] pairs (the last one is the current page: no link). */
  crumbs: [string, string][];
  /** Server-sent events for this page's parts (absent: the page does not update). */
  events?: string;
  /** Reload the page once the store answers again (a page that could not be built). */
  reloadWhenBack?: boolean;
}

export function page(o: PageOptions, body: string): string {
  const crumbs = o.crumbs
    .map(([label, href], i) =>
      i === o.crumbs.length - 1
        ? `<span aria-current="page">${e(label)}</span>`
        : `<a href="${e(href)}">${e(label)}</a>`,
    )
    .join(' › ');
  const events = o.events ? ` data-events="${e(o.events)}"` : '';
  const reload = o.reloadWhenBack ? ' data-reload-when-back="1"' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(o.title)} — sweep dashboard</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/dashboard.css"></head>
<body${events}${reload}><a class="skip" href="#main">Skip to content</a>
<header class="top"><nav aria-label="Breadcrumb">${crumbs}</nav><span id="conn" class="conn${o.events ? ' wait' : ''}" role="status" aria-live="polite">${o.events ? 'connecting…' : 'not live'}</span></header>
<main id="main">
${body}
</main>
<script src="/static/leaderboard.js"></script>
<script src="/static/dashboard.js"></script>
</body></html>
`;
}
