/**
 * The report page's own script: plain ES5 in one IIFE, no requests, no eval. It sorts and filters
 * the function table (from the JSON in #fn-data; every name set as textContent), shows the charts'
 * tooltips (data-tip), opens and closes the import tree, and keeps Ctrl-F for the browser's own
 * find unless the pointer is over the flame graph (whose script answers Ctrl-F with its search).
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var UNITS = [[1e9, 's'], [1e6, 'ms'], [1e3, '\u00b5s'], [1, 'ns']];
  // The same text as the terminal report's formatDuration: three significant digits.
  function fmtNs(ns) {
    if (ns === null || !isFinite(ns)) return '\u2013';
    if (ns < 0) return '-' + fmtNs(-ns);
    if (ns === 0) return '0 ns';
    var rounded = Number(ns.toPrecision(3)), unit = UNITS[UNITS.length - 1];
    for (var i = 0; i < UNITS.length; i++) if (rounded >= UNITS[i][0]) { unit = UNITS[i]; break; }
    var value = rounded / unit[0];
    var text = value >= 1000 ? String(Math.round(value)) : unit[0] === 1 && Math.floor(value) === value ? String(value) : value.toPrecision(3);
    return text + ' ' + unit[1];
  }
  function fmtCount(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function byId(id) { return document.getElementById(id); }

  // Tooltips for anything with data-tip (chart bars and pauses).
  var tip = byId('tip');
  document.addEventListener('mouseover', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-tip]') : null;
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.hidden = false;
  });
  document.addEventListener('mousemove', function (e) {
    if (tip.hidden) return;
    var x = e.clientX + 14, y = e.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth - 4) x = Math.max(4, e.clientX - tip.offsetWidth - 8);
    if (y + tip.offsetHeight > window.innerHeight - 4) y = Math.max(4, e.clientY - tip.offsetHeight - 8);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });

  // Ctrl-F: the flame graph's search only while the pointer is over it; the browser's find elsewhere.
  var flame = byId('flame'), overFlame = false;
  if (flame) {
    flame.addEventListener('mouseenter', function () { overFlame = true; });
    flame.addEventListener('mouseleave', function () { overFlame = false; });
  }
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F') && !overFlame) e.stopImmediatePropagation();
  }, true);

  // The import tree's expand / collapse all.
  function setOpen(open) {
    var all = document.querySelectorAll('#import-tree details');
    for (var i = 0; i < all.length; i++) all[i].open = open;
  }
  if (byId('imports-open')) {
    byId('imports-open').addEventListener('click', function () { setOpen(true); });
    byId('imports-close').addEventListener('click', function () { setOpen(false); });
  }

  // The function table.
  var dataEl = byId('fn-data');
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var rows = data.rows, table = byId('fn-table'), body = table.tBodies[0];
  var heads = [].slice.call(table.tHead.rows[0].cells);
  var kinds = heads.map(function (th) { return th.getAttribute('data-kind'); });
  var filterEl = byId('fn-filter'), statusEl = byId('fn-status'), allEl = byId('fn-all');
  var order = rows.map(function (_, i) { return i; });
  var sortCol = -1, descending = false, showAll = false, needle = '';
  // Rows whose name or file:line contains the needle, ignoring case.
  var lower = rows.map(function (r) { return (r[0] + '\u0000' + r[1]).toLowerCase(); });

  function compare(col, desc) {
    return function (a, b) {
      var x = rows[a][col], y = rows[b][col];
      // No complete call (null) sorts last both ways.
      if (x === null || y === null) { if (x !== y) return x === null ? 1 : -1; return a - b; }
      var c = x < y ? -1 : x > y ? 1 : 0;
      return (desc ? -c : c) || a - b;
    };
  }
  // Up to this many rows are drawn as plain rows; beyond ("show all" on a huge table) only the
  // rows in view are, between two spacers, redrawn as the table scrolls: tens of thousands of
  // rows would otherwise take the browser tens of seconds to lay out.
  var WINDOW_ROWS = 500, OVERSCAN = 30;
  var scroller = table.parentNode, visible = order, limit = 0, rowHeight = 0, drawn = '', pending = false;
  function rowElement(index, titled) {
    var row = rows[index], tr = document.createElement('tr');
    for (var c = 0; c < row.length; c++) {
      var td = document.createElement('td');
      td.className = kinds[c] === 'text' ? 'l' : 'r';
      td.textContent = kinds[c] === 'ns' ? fmtNs(row[c]) : kinds[c] === 'count' ? fmtCount(row[c]) : row[c];
      // Windowed rows are one line each (cut with an ellipsis): the whole text on hover.
      if (titled && kinds[c] === 'text') td.title = row[c];
      tr.appendChild(td);
    }
    return tr;
  }
  function spacer(height) {
    var tr = document.createElement('tr'), td = document.createElement('td');
    tr.className = 'spacer';
    td.colSpan = kinds.length;
    td.style.height = height + 'px';
    tr.appendChild(td);
    return tr;
  }
  function draw() {
    pending = false;
    var fragment = document.createDocumentFragment(), from = 0, to = limit;
    var windowed = limit > WINDOW_ROWS;
    table.classList.toggle('windowed', windowed);
    if (windowed) {
      if (rowHeight === 0) {
        body.textContent = '';
        body.appendChild(rowElement(visible[0], true));
        rowHeight = body.rows[0].getBoundingClientRect().height || 22;
      }
      var top = Math.max(0, scroller.scrollTop - table.tHead.offsetHeight);
      from = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
      to = Math.min(limit, from + Math.ceil(scroller.clientHeight / rowHeight) + 2 * OVERSCAN);
      var key = from + ':' + to;
      if (key === drawn) return;
      drawn = key;
      fragment.appendChild(spacer(from * rowHeight));
    }
    for (var v = from; v < to; v++) fragment.appendChild(rowElement(visible[v], windowed));
    if (windowed) fragment.appendChild(spacer((limit - to) * rowHeight));
    body.textContent = '';
    body.appendChild(fragment);
  }
  function redraw() {
    if (limit <= WINDOW_ROWS || pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  }
  scroller.addEventListener('scroll', redraw);
  // A taller window shows more rows: draw them.
  window.addEventListener('resize', function () { drawn = ''; redraw(); });
  function render() {
    visible = needle === '' ? order : order.filter(function (i) { return lower[i].indexOf(needle) >= 0; });
    limit = visible.length > data.large && !showAll ? data.shown : visible.length;
    drawn = '';
    draw();
    statusEl.textContent = limit < visible.length ? 'showing the first ' + fmtCount(limit) + ' of ' + fmtCount(visible.length) + ' functions' : fmtCount(visible.length) + ' of ' + fmtCount(rows.length) + ' functions';
    allEl.hidden = limit === visible.length;
    allEl.textContent = 'show all ' + fmtCount(visible.length);
  }
  function sortBy(col) {
    // A first click sorts names A to Z and numbers largest first; the next click reverses.
    descending = col === sortCol ? !descending : kinds[col] !== 'text';
    sortCol = col;
    order.sort(compare(col, descending));
    heads.forEach(function (th, i) {
      th.setAttribute('aria-sort', i === col ? (descending ? 'descending' : 'ascending') : 'none');
    });
    render();
  }
  heads.forEach(function (th, i) {
    th.addEventListener('click', function () { sortBy(i); });
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(i); } });
  });
  filterEl.addEventListener('input', function () { needle = filterEl.value.toLowerCase(); render(); });
  allEl.addEventListener('click', function () { showAll = true; render(); });
  // The analysis' order is by self time, largest first: say so on the header.
  heads[3].setAttribute('aria-sort', 'descending');
  sortCol = 3; descending = true;
  render();
})();`;
