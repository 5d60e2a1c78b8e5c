/**
 * The dashboard's page script (served as /static/dashboard.js; the leaderboard's sort and filter come from
 * the report's script, /static/leaderboard.js). It listens to the page's server-sent events: `parts`
 * replaces parts of the page by id (keeping the focus, the sort and the filter),
 * `store-error` / `store-ok` say when the store cannot be read and when it can again, `notice` another
 * problem (a chart that could not be drawn). No user data inside.
 */
export const DASHBOARD_JS = `(function () {
  'use strict';
  var url = document.body.getAttribute('data-events');
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
