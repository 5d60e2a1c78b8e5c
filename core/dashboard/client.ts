/**
 * The dashboard's page script (served as /static/dashboard.js; the leaderboard's sort and filter come from
 * the report's script, /static/leaderboard.js). It listens to the page's server-sent events: `parts`
 * replaces parts of the page by id (keeping the focus, the sort and the filter),
 * `store-error` / `store-ok` say when the store cannot be read and when it can again, `notice` another
 * problem (a chart that could not be drawn). No user data inside.
 *
 * The leaderboard shows the first LEADERBOARD_ROWS rows of its sort and filter (the others get the class
 * `beyond`: not displayed, so not laid out — a 1,000-row table took the browser 0.2–1.4 s to lay out on
 * every update, and held up the counts' paint) until "Show all" is pressed; sorting and filtering still
 * work on every row. Until the script has marked a table (`limited`), the stylesheet shows its first rows
 * only, so neither a page loading nor a table just pushed is laid out whole.
 */
export const LEADERBOARD_ROWS = 100;

export const DASHBOARD_JS = `(function () {
  'use strict';
  var url = document.body.getAttribute('data-events');
  var LIMIT = ${LEADERBOARD_ROWS};
  var showAll = false;
  function limitRows() {
    var t = document.getElementById('lb');
    var more = document.getElementById('lb-more');
    if (!t || !t.tBodies[0] || !more) return;
    var matching = 0;
    Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {
      if (!r.hidden) matching++;
      r.classList.toggle('beyond', !r.hidden && !showAll && matching > LIMIT);
    });
    t.classList.add('limited'); // the stylesheet's limit before this runs (a page loading, a new table)
    more.hidden = matching <= LIMIT;
    var note = more.querySelector('span');
    var button = more.querySelector('button');
    if (note) note.textContent = showAll ? 'All ' + matching + ' rows shown.' : 'The first ' + LIMIT + ' of ' + matching + ' rows shown (sorted and filtered over all).';
    if (button) button.textContent = showAll ? 'Show the first ' + LIMIT : 'Show all ' + matching;
  }
  // After the leaderboard script's own listeners (it is loaded first): its sort or filter, then the limit.
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest ? e.target : null;
    if (t && t.closest('#lb-more button')) showAll = !showAll;
    if (t && (t.closest('#lb-more button') || t.closest('#lb th[data-type]'))) limitRows();
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target && e.target.closest ? e.target : null;
    if (t && t.closest('#lb th[data-type]') && (e.key === 'Enter' || e.key === ' ')) limitRows();
  });
  document.addEventListener('input', function (e) {
    if (e.target && e.target.id === 'lb-filter') limitRows();
  });
  limitRows();
  var conn = document.getElementById('conn');
  function say(kind, text) {
    if (!conn) return;
    conn.className = 'conn ' + kind;
    conn.textContent = text;
    conn.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  }
  function focusSelector(el) {
    if (!el || el === document.body) return null;
    var q = function (v) { return window.CSS && CSS.escape ? CSS.escape(v) : v; };
    if (el.getAttribute('data-key')) return 'th[data-key="' + q(el.getAttribute('data-key')) + '"]';
    if (el.getAttribute('href')) return 'a[href="' + q(el.getAttribute('href')) + '"]';
    return null;
  }
  function replace(parts) {
    var refocus = focusSelector(document.activeElement);
    Object.keys(parts).forEach(function (id) {
      var el = document.querySelector('[data-part="' + id + '"]');
      if (el) el.innerHTML = parts[id];
    });
    if (window.mlpLeaderboardRefresh) window.mlpLeaderboardRefresh();
    limitRows();
    if (refocus && document.activeElement === document.body) {
      var again = document.querySelector(refocus);
      if (again) again.focus();
    }
  }
  if (!url || !window.EventSource) return;
  var es = new EventSource(url);
  var broken = false;
  es.addEventListener('parts', function (e) {
    replace(JSON.parse(e.data));
    // A chart drawn from an earlier read may still arrive while the store is unreadable: keep saying so.
    if (!broken) say('ok', 'live · updated ' + new Date().toLocaleTimeString());
  });
  es.addEventListener('store-error', function (e) {
    broken = true;
    say('error', 'the store cannot be read: ' + JSON.parse(e.data).message + ' (retrying)');
  });
  es.addEventListener('notice', function (e) {
    say('error', JSON.parse(e.data).message);
  });
  es.addEventListener('store-ok', function () {
    if (broken && document.body.getAttribute('data-reload-when-back')) location.reload();
    broken = false;
    say('ok', 'live · the store answers again');
  });
  es.onopen = function () { if (!broken) say('ok', 'live'); };
  es.onerror = function () { say('error', 'lost the connection to the dashboard server (retrying)'); };
})();
`;
