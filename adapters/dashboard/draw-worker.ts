/**
 * Draws charts in a worker thread: Vega's SVG rendering of a large chart (parallel coordinates of 1,000
 * trials: most of a second) would otherwise hold up the event loop that reads the store, serves pages and
 * pushes counts and leaderboards. One thread, requests answered in order; it does not keep the process alive.
 */
import { isMainThread, parentPort, type Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { chartBlock } from '../../core/report/blocks.ts';
import { renderSvg } from '../../core/report/svg.ts';
import { tsWorker } from '../runner/ts-worker.ts';

interface Request {
  n: number;
  spec: TopLevelSpec;
  id: string;
  label: string;
}
type Reply = { n: number; html: string } | { n: number; error: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (r: Request) => {
    renderSvg(r.spec, r.id, r.label).then(
      (svg) => port.postMessage({ n: r.n, html: chartBlock(svg) } satisfies Reply),
      (e: unknown) =>
        port.postMessage({ n: r.n, error: e instanceof Error ? e.message : String(e) } satisfies Reply),
    );
  });
}

/** A drawing that takes longer is given up: the thread is replaced (every drawing under way fails). */
export const DRAW_TIMEOUT_MS = 60_000;

/** The chart as the report's HTML (a div around the SVG), drawn in the worker thread. */
export class ChartDrawer {
  private worker: Worker | undefined;
  private n = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (html: string) => void; reject: (e: Error) => void }
  >();

  constructor(readonly timeoutMs = DRAW_TIMEOUT_MS) {}

  draw(spec: TopLevelSpec, id: string, label: string): Promise<string> {
    const w = this.start();
    const n = ++this.n;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.waiting.has(n)) return;
        void this.stop(
          new Error(
            `drawing the ${label} took over ${this.timeoutMs / 1000} s; the drawing thread is restarted`,
          ),
        );
      }, this.timeoutMs);
      timer.unref();
      this.waiting.set(n, {
        resolve: (html) => {
          clearTimeout(timer);
          resolve(html);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      w.ref();
      w.postMessage({ n, spec, id, label } satisfies Request);
    });
  }

  /** Ends the thread; the drawings under way fail with `reason`. A later draw starts a new thread. */
  stop(reason = new Error('the chart drawing thread was stopped')): Promise<number> | undefined {
    const w = this.worker;
    this.worker = undefined;
    this.fail(reason);
    return w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = tsWorker(new URL(import.meta.url));
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.waiting.get(r.n);
      this.waiting.delete(r.n);
      if (this.waiting.size === 0) w.unref();
      if ('html' in r) p?.resolve(r.html);
      else p?.reject(new Error(r.error));
    });
    // Only this thread's own end fails the drawings waiting (after a stop, they belong to the next thread).
    w.on('error', (e) => {
      if (this.worker === w) this.fail(e);
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.fail(new Error('the chart drawing thread stopped'));
    });
    this.worker = w;
    return w;
  }

  private fail(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }
}
