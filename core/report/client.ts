/**
 * The leaderboard's script (the report inlines it; the dashboard serves it): sort by a header (click,
 * Enter or Space), filter by words. Vanilla JS, no user data inside. Listeners sit on the document and the
 * sort and filter are kept by column key, so a table replaced by newer rows (the dashboard's live updates)
 * gets them back from `window.mlpLeaderboardRefresh()`.
 */
export const CLIENT_JS = `(function () {
  'use strict';
  var sortKey = null;
  var sortDir = 'ascending';
  function table() {
    var t = document.getElementById('lb');
    return t && t.tHead && t.tBodies[0] ? t : null;
  }
  function key(row, i, num) {
    var c = row.cells[i];
    var v = c.getAttribute('data-v');
    if (v === null) v = c.textContent.trim();
    if (num) return v === '' || isNaN(Number(v)) ? null : Number(v);
    return v.toLowerCase();
  }
  function applySort() {
    var t = table();
    if (!t || sortKey === null) return;
    var heads = t.tHead.rows[0].cells;
    var i = -1;
    for (var h = 0; h < heads.length; h++) {
      heads[h].removeAttribute('aria-sort');
      if (heads[h].getAttribute('data-key') === sortKey) i = h;
    }
    if (i < 0) return;
    heads[i].setAttribute('aria-sort', sortDir);
    var num = heads[i].getAttribute('data-type') === 'num';
    var sign = sortDir === 'ascending' ? 1 : -1;
    var tbody = t.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = key(a, i, num), y = key(b, i, num);
      var tie = Number(a.getAttribute('data-rank')) - Number(b.getAttribute('data-rank'));
      if (x === null && y === null) return tie;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign || tie;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
  }
  function applyFilter() {
    var t = table();
    var input = document.getElementById('lb-filter');
    if (!t || !input) return;
    var tbody = t.tBodies[0];
    var terms = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (r) {
      var text = (r.textContent + ' ' + (r.getAttribute('title') || '')).toLowerCase();
      var ok = terms.every(function (w) { return text.indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok) shown++;
    });
    var count = document.getElementById('lb-count');
    if (count) count.textContent = shown + ' of ' + tbody.rows.length + ' trials shown';
  }
  function prepare() {
    var t = table();
    if (!t) return;
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute('data-type')) th.tabIndex = 0;
    });
  }
  function header(e) {
    var th = e.target && e.target.closest ? e.target.closest('#lb th[data-type]') : null;
    return th;
  }
  function toggle(th) {
    var k = th.getAttribute('data-key');
    sortDir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    sortKey = k;
    applySort();
  }
  document.addEventListener('click', function (e) {
    var th = header(e);
    if (th) toggle(th);
  });
  document.addEventListener('keydown', function (e) {
    var th = header(e);
    if (th && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggle(th); }
  });
  document.addEventListener('input', function (e) {
    if (e.target && e.target.id === 'lb-filter') applyFilter();
  });
  window.mlpLeaderboardRefresh = function () { prepare(); applySort(); applyFilter(); };
  prepare();
})();
`;
