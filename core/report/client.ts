/** The report's only script: sortable + filterable leaderboard. Vanilla JS, no user data inside. */
export const CLIENT_JS = `(function () {
  'use strict';
  var table = document.getElementById('lb');
  if (!table || !table.tHead || !table.tBodies[0]) return;
  var tbody = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, i, num) {
    var c = row.cells[i];
    var v = c.getAttribute('data-v');
    if (v === null) v = c.textContent.trim();
    if (num) return v === '' || isNaN(Number(v)) ? null : Number(v);
    return v.toLowerCase();
  }
  function sortBy(i) {
    var th = heads[i];
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    for (var h = 0; h < heads.length; h++) heads[h].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var num = th.getAttribute('data-type') === 'num';
    var sign = dir === 'ascending' ? 1 : -1;
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
  Array.prototype.forEach.call(heads, function (th, i) {
    if (!th.hasAttribute('data-type')) return;
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(i); });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(i); }
    });
  });
  var input = document.getElementById('lb-filter');
  var count = document.getElementById('lb-count');
  if (!input) return;
  input.addEventListener('input', function () {
    var terms = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (r) {
      var text = (r.textContent + ' ' + (r.getAttribute('title') || '')).toLowerCase();
      var ok = terms.every(function (t) { return text.indexOf(t) >= 0; });
      r.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + ' of ' + tbody.rows.length + ' trials shown';
  });
})();
`;
