/**
 * Live updates: one poll loop for every page that has a listener. A topic (the sweeps list, one sweep,
 * one trial) is read every `pollMs` (through conditional gets: core/dashboard/live.ts); when its version
 * changed, its parts are rendered again and the parts whose HTML changed are pushed to its listeners as a
 * `parts` server-sent event. A read that fails sends `store-error` once; the first read that works again
 * sends `store-ok` and every part. Charts are drawn only when their spec changed (`draw` memo per topic).
 *
 * A page says which parts it was built with (`partsToken`: each part's id and a digest of its HTML, in its
 * events URL), so its listener starts from exactly those: a part that changed or was drawn between the
 * page being served and it listening (a chart that was still "Drawing…") is sent, an unchanged one is not.
 */
import { createHash } from 'node:crypto';
import type { Parts } from '../../core/dashboard/pages.ts';
import type { Draw } from '../../core/report/registry.ts';
import { ChartDrawer } from './draw-worker.ts';

/**
 * What a topic shows now: a version, its parts in phases pushed one after the other as soon as each is
 * rendered (quickest first: counts, then the leaderboard), and the parts that are drawn (`later`: the
 * charts, each pushed as soon as it is drawn). Drawing runs beside the polls, one snapshot at a time, the
 * newest waiting one next: a poll never waits for it, so counts and leaderboard keep up while a large chart
 * is drawn. Undefined: not in the store.
 */
export type Snapshot =
  | { version: string; phases: (() => Promise<Parts> | Parts)[]; later?: () => AsyncIterable<Parts> }
  | undefined;
export type Loader = (draw: Draw) => Promise<Snapshot>;
export type Send = (event: 'parts' | 'store-error' | 'store-ok' | 'notice', data: string) => Promise<void>;

interface Listener {
  send: Send;
  /** The HTML of each part this listener's page has (references to the topic's strings). */
  has: Parts;
}

interface Topic {
  load: Loader;
  listeners: Set<Listener>;
  version?: string;
  parts: Parts;
  failing: boolean;
  busy?: Promise<void>;
  draw: Draw;
  /** The drawing under way, and the newest one waiting for it. */
  drawing?: Promise<void>;
  next?: () => AsyncIterable<Parts>;
}

const hash = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);

/** What a page built from `parts` has: `id:digest` of each part, comma-separated (ids are [a-z-]). */
export function partsToken(parts: Parts): string {
  return Object.entries(parts)
    .map(([id, html]) => `${id}:${hash(html)}`)
    .join(',');
}

/** The parts of `parts` that a page with this token has (the same HTML); others it must be sent. */
function partsHad(token: string, parts: Parts): Parts {
  const has: Parts = {};
  for (const entry of token.split(',')) {
    const at = entry.lastIndexOf(':');
    const id = entry.slice(0, at);
    const html = parts[id];
    if (at > 0 && html !== undefined && hash(html) === entry.slice(at + 1)) has[id] = html;
  }
  return has;
}

/** A Draw that draws a spec (with `drawer`) only when it differs from the last one of the same chart id. */
export function memoDraw(drawer: Pick<ChartDrawer, 'draw'>): Draw {
  const last = new Map<string, { json: string; html: string }>();
  return async (spec, id, label) => {
    const json = JSON.stringify(spec);
    const hit = last.get(id);
    if (hit?.json === json) return hit.html;
    const html = await drawer.draw(spec, id, label);
    last.set(id, { json, html });
    return html;
  };
}

export class Hub {
  private readonly topics = new Map<string, Topic>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Draws every topic's charts, off the event loop. */
  readonly drawer = new ChartDrawer();

  /** `log`: where problems that are not the store's go (a chart that could not be drawn). */
  constructor(
    readonly pollMs: number,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /**
   * The topic's parts now (read, and rendered where it changed): what a page is built from, with its
   * `partsToken`. Drawn parts are included as far as they are drawn.
   */
  async current(key: string, load: Loader): Promise<{ token: string; parts: Parts } | undefined> {
    const t = this.topic(key, load);
    await this.refresh(t, true);
    if (t.failing) throw new Error('the store cannot be read');
    if (t.version === undefined) return undefined;
    const parts = { ...t.parts };
    return { token: partsToken(parts), parts };
  }

  /** Listens to a topic; `token`: the `partsToken` of the page's parts ('' for none). Returns the unsubscribe. */
  subscribe(key: string, load: Loader, token: string, send: Send): () => void {
    const t = this.topic(key, load);
    const l: Listener = { send, has: partsHad(token, t.parts) };
    t.listeners.add(l);
    if (t.version !== undefined) this.flush(t);
    this.timer ??= setInterval(() => this.tick(), this.pollMs);
    return () => {
      t.listeners.delete(l);
      // Only this topic, if it is still the one under its key (a later page may have made a new one).
      if (t.listeners.size === 0 && this.topics.get(key) === t) this.topics.delete(key);
      if (this.topics.size === 0) this.stop();
    };
  }

  /** Stops polling (until a page listens again). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops polling and the drawing thread. */
  async close(): Promise<void> {
    this.stop();
    await this.drawer.stop();
  }

  private topic(key: string, load: Loader): Topic {
    let t = this.topics.get(key);
    if (!t) {
      t = { load, listeners: new Set(), parts: {}, failing: false, draw: memoDraw(this.drawer) };
      this.topics.set(key, t);
    }
    return t;
  }

  private tick(): void {
    for (const t of this.topics.values()) if (t.listeners.size > 0 && !t.busy) void this.refresh(t, false);
  }

  private refresh(t: Topic, wait: boolean): Promise<void> {
    if (t.busy) return wait ? t.busy : Promise.resolve();
    t.busy = this.poll(t).finally(() => {
      t.busy = undefined;
    });
    return t.busy;
  }

  private async poll(t: Topic): Promise<void> {
    try {
      const snap = await t.load(t.draw);
      if (!snap) throw new Error('it is no longer in the store');
      const version = hash(snap.version);
      if (version === t.version && !t.failing) return;
      if (t.failing) {
        t.failing = false;
        this.broadcast(t, 'store-ok', {});
      }
      t.version = version;
      for (const phase of snap.phases) {
        Object.assign(t.parts, await phase());
        this.flush(t);
      }
      if (snap.later) {
        t.next = snap.later;
        t.drawing ??= this.drawAll(t);
      }
    } catch (e) {
      if (!t.failing)
        this.broadcast(t, 'store-error', { message: e instanceof Error ? e.message : String(e) });
      t.failing = true;
    }
  }

  /** Draws the newest waiting snapshot's parts until none waits. */
  private async drawAll(t: Topic): Promise<void> {
    try {
      for (let next = t.next; next; next = t.next) {
        t.next = undefined;
        try {
          for await (const drawn of next()) {
            Object.assign(t.parts, drawn);
            this.flush(t);
          }
        } catch (e) {
          // Not the store's fault: say so on the open pages; the next version is drawn afresh.
          const message = `a chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
          this.log(message);
          this.broadcast(t, 'notice', { message });
        }
      }
    } finally {
      t.drawing = undefined;
    }
  }

  private broadcast(t: Topic, event: 'store-error' | 'store-ok' | 'notice', data: unknown): void {
    for (const l of t.listeners) void l.send(event, JSON.stringify(data)).catch(() => t.listeners.delete(l));
  }

  /** Sends each listener the parts whose HTML it does not have. */
  private flush(t: Topic): void {
    for (const l of t.listeners) {
      const changed: Parts = {};
      for (const [id, html] of Object.entries(t.parts))
        if (l.has[id] !== html) changed[id] = l.has[id] = html;
      if (Object.keys(changed).length > 0)
        void l.send('parts', JSON.stringify(changed)).catch(() => t.listeners.delete(l));
    }
  }
}
