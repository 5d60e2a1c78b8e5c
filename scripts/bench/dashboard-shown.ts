/**
 * When an open dashboard page shows an update, measured in the page: every replaced part is recorded with
 * the time its frame was painted (a task queued from the next animation frame runs after that frame's
 * rendering), on the page's clock, with what identifies its content (the trials-done card, the leaderboard's
 * row count, a chart's caption). Polling the page from outside (a CDP evaluate every 10 ms) waited behind
 * the page's own tasks and the bench process's load, and read the same late time for every part.
 */
import type { Page } from 'playwright-core';

const SIGNATURE = `function (id) {
  if (id === 'summary') return document.querySelector('.card .v').textContent;
  if (id === 'leaderboard') return String(document.querySelectorAll('#lb tbody tr').length);
  var el = document.querySelector('[data-part="' + id + '"] p');
  return el ? el.textContent : '';
}`;

/** Starts recording: window.__shown gets [part, signature, painted at] per replacement. */
export const RECORD_SHOWN = `(() => {
  var sig = ${SIGNATURE};
  window.__shown = [];
  document.querySelectorAll('[data-part]').forEach(function (el) {
    var id = el.getAttribute('data-part');
    new MutationObserver(function () {
      var s = sig(id);
      requestAnimationFrame(function () {
        setTimeout(function () { window.__shown.push([id, s, performance.now()]); }, 0);
      });
    }).observe(el, { childList: true });
  });
})()`;

/** What the measured parts show now. */
export const SIGNATURES = `(() => { var sig = ${SIGNATURE}; return { summary: sig('summary'), leaderboard: sig('leaderboard'), 'chart-pc': sig('chart-pc') }; })()`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Milliseconds from `t0` (page clock) until the page showed the new counts, the new leaderboard, and the
 * last of the charts drawn again (once the parallel coordinates have changed and then nothing for `quietMs`).
 */
export async function shownSince(
  page: Page,
  t0: number,
  before: Record<string, string>,
  quietMs = 1000,
  timeoutMs = 30_000,
): Promise<{ counts: number; leaderboard: number; charts: number }> {
  const shown: [string, string, number][] = [];
  const first = (id: string) => shown.find(([p, s, at]) => p === id && at > t0 && s !== before[id])?.[2];
  const end = performance.now() + timeoutMs;
  let lastNew = performance.now();
  for (;;) {
    const got = (await page.evaluate('window.__shown.splice(0)')) as [string, string, number][];
    if (got.length > 0) lastNew = performance.now();
    shown.push(...got);
    const [counts, leaderboard, pc] = [first('summary'), first('leaderboard'), first('chart-pc')];
    if (counts && leaderboard && pc && performance.now() - lastNew > quietMs) {
      const charts = Math.max(
        ...shown.filter(([p, , at]) => p.startsWith('chart-') && at > t0).map((x) => x[2]),
      );
      return { counts: counts - t0, leaderboard: leaderboard - t0, charts: charts - t0 };
    }
    if (performance.now() > end)
      throw new Error(
        `the page did not show the update within ${timeoutMs / 1000} s (saw ${JSON.stringify(shown)})`,
      );
    await sleep(50);
  }
}
