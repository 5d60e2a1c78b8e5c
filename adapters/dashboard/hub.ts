/**
 * Live updates: one poll loop for every page that has a listener. A topic (the sweeps list, one sweep,
 * one trial) is read every `pollMs` (through conditional gets: core/dashboard/live.ts); when its version
 * changed, its parts are rendered again and the parts whose HTML changed are pushed to its listeners as a
 * `parts` server-sent event. A read that fails sends `store-error` once; the first read that works again
 * sends `store-ok` and every part. Charts are drawn only when their spec changed (`draw` memo per topic).
 */
import { createHash } from 'node:crypto';
import type { Parts } from '../../core/dashboard/pages.ts';
import { chartBlock } from '../../core/report/blocks.ts';
import type { Draw } from '../../core/report/registry.ts';
import { renderSvg } from '../../core/report/svg.ts';

/** What a topic shows now: a version and its parts (undefined: it is not in the store). */
export type Snapshot = { version: string; parts: () => Promise<Parts> } | undefined;
export type Loader = (draw: Draw) => Promise<Snapshot>;
export type Send = (event: 'parts' | 'store-error' | 'store-ok', data: string) => Promise<void>;

interface Listener {
  send: Send;
  /** The version of the parts this listener has. */
  version: string;
}

interface Topic {
  load: Loader;
  listeners: Set<Listener>;
  version?: string;
  parts?: Parts;
  failing: boolean;
  busy?: Promise<void>;
  draw: Draw;
}

const hash = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);

/** A Draw that renders a spec again only when it differs from the last one of the same chart id. */
export function memoDraw(): Draw {
  const last = new Map<string, { json: string; html: string }>();
  return async (spec, id, label) => {
    const json = JSON.stringify(spec);
    const hit = last.get(id);
    if (hit?.json === json) return hit.html;
    const html = chartBlock(await renderSvg(spec, id, label));
    last.set(id, { json, html });
    return html;
  };
}

export class Hub {
  private readonly topics = new Map<string, Topic>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly pollMs: number) {}

  /** The topic's parts now (read and rendered if it changed): what a page is built from. */
  async current(key: string, load: Loader): Promise<{ version: string; parts: Parts } | undefined> {
    const t = this.topic(key, load);
    await this.refresh(t, true);
    if (t.failing) throw new Error('the store cannot be read');
    return t.version !== undefined && t.parts ? { version: t.version, parts: t.parts } : undefined;
  }

  /** Listens to a topic; `version`: the one the page was built from. Returns the unsubscribe. */
  subscribe(key: string, load: Loader, version: string, send: Send): () => void {
    const t = this.topic(key, load);
    const l: Listener = { send, version };
    t.listeners.add(l);
    if (t.version !== undefined && t.parts && t.version !== version) void this.deliver(t, l, t.parts);
    this.timer ??= setInterval(() => this.tick(), this.pollMs);
    return () => {
      t.listeners.delete(l);
      if (t.listeners.size === 0) this.topics.delete(key);
      if (this.topics.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private topic(key: string, load: Loader): Topic {
    let t = this.topics.get(key);
    if (!t) {
      t = { load, listeners: new Set(), failing: false, draw: memoDraw() };
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
    let snap: Snapshot;
    const before = { version: t.version, parts: t.parts };
    try {
      snap = await t.load(t.draw);
      if (snap) {
        const version = hash(snap.version);
        if (version !== t.version || t.failing) {
          t.parts = await snap.parts();
          t.version = version;
        }
      }
    } catch (e) {
      if (!t.failing)
        this.broadcast(t, 'store-error', { message: e instanceof Error ? e.message : String(e) });
      t.failing = true;
      return;
    }
    if (!snap) {
      if (!t.failing) this.broadcast(t, 'store-error', { message: 'it is no longer in the store' });
      t.failing = true;
      return;
    }
    if (t.failing) {
      t.failing = false;
      this.broadcast(t, 'store-ok', {});
      for (const l of t.listeners) l.version = '';
    }
    if (!t.parts || t.version === undefined) return;
    // Listeners that have the previous version get only the parts that changed.
    const changed: Parts = {};
    for (const [id, html] of Object.entries(t.parts)) if (before.parts?.[id] !== html) changed[id] = html;
    for (const l of t.listeners)
      if (l.version !== t.version)
        void this.deliver(t, l, l.version === before.version && before.parts ? changed : t.parts);
  }

  private broadcast(t: Topic, event: 'store-error' | 'store-ok', data: unknown): void {
    for (const l of t.listeners) void l.send(event, JSON.stringify(data)).catch(() => t.listeners.delete(l));
  }

  /** The parts this listener does not have yet (all of them when it has another version). */
  private async deliver(t: Topic, l: Listener, parts: Parts): Promise<void> {
    const version = t.version ?? '';
    l.version = version;
    await l.send('parts', JSON.stringify(parts)).catch(() => t.listeners.delete(l));
  }
}
