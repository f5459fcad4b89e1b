/**
 * The flame chart's embedded script: ES5 syntax in one IIFE (no globals; Map and Array.from are the
 * only newer built-ins), no requests, no eval.
 * It finds its own <svg> (the one it sits in) and queries only inside it (Ctrl-F alone looks for
 * other graphs on the page), and its classes are `pfc-*` (the flame graph's are `pf-*`), so a
 * chart and flame graphs inlined in one page stay apart. Names come from the hidden function table and are only ever set as textContent.
 * The axis rules repeat time-axis.ts (same unit, step and labels).
 */
export const CHART_SCRIPT = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  var root = script && script.closest ? script.closest('svg') : null;
  if (!root) return;
  var NS = 'http://www.w3.org/2000/svg';
  var CHAR_PX = 7.3, TICK_PX = 120;
  function q(cls) { return root.querySelector('.' + cls); }
  function all(selector) { return [].slice.call(root.querySelectorAll(selector)); }
  var axis = q('pfc-axis'), tip = q('pfc-tip'), tipBox = tip.querySelector('rect');
  var tipLines = [].slice.call(tip.querySelectorAll('tspan'));
  var resetEl = q('pfc-reset'), searchEl = q('pfc-search'), caseEl = q('pfc-case'), matchedEl = q('pfc-matched');
  var fns = all('.pfc-fns text').map(function (t) { return { n: t.textContent, l: t.getAttribute('data-l') }; });
  var t0 = +root.getAttribute('data-t0'), t1 = +root.getAttribute('data-t1');
  var v0 = t0, v1 = t1, pattern = null, ignoreCase = false, hot = false;
  // Calls (kind 'call', named from the function table), GC pauses ('gc') and imports ('import').
  var items = [];
  function item(rect, kind, name, thread) {
    var next = rect.nextElementSibling;
    var it = { rect: rect, text: next && next.tagName === 'text' ? next : null, kind: kind, name: name, thread: thread,
      s: +rect.getAttribute('data-s'), t: +rect.getAttribute('data-t'), shown: true };
    items.push(it);
    return it;
  }
  all('.pfc-lane').forEach(function (lane) {
    var thread = lane.getAttribute('data-n');
    [].slice.call(lane.querySelectorAll('rect')).forEach(function (rect) {
      var f = +rect.getAttribute('data-f');
      item(rect, 'call', fns[f].n, thread).where = fns[f].l;
    });
  });
  all('.pfc-gc rect').forEach(function (rect) {
    var it = item(rect, 'gc', '', rect.getAttribute('data-n'));
    it.text = null;
    it.g = rect.getAttribute('data-g');
    it.c = rect.getAttribute('data-c');
  });
  all('.pfc-imports rect').forEach(function (rect) {
    item(rect, 'import', rect.getAttribute('data-m'), rect.getAttribute('data-n')).found = rect.getAttribute('data-ok') === '1';
  });
  var byRect = new Map();
  items.forEach(function (it) { byRect.set(it.rect, it); });

  function fmt(ns) {
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(2) + ' \u00b5s';
    if (ns < 1e9) return (ns / 1e6).toFixed(2) + ' ms';
    return (ns / 1e9).toFixed(3) + ' s';
  }
  function pct(v) { return +v.toFixed(5) + '%'; }
  function label(name, max) {
    if (max < 3) return '';
    var chars = Array.from(name);
    return chars.length <= max ? name : chars.slice(0, max - 2).join('') + '..';
  }
  function width() { return root.getBoundingClientRect().width || 1200; }

  function ticks(a, b, count) {
    var span = Math.max(b - a, 1);
    var raw = Math.max(span / Math.max(count, 1), 1);
    var power = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / power;
    var step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    var units = [[1e9, 's'], [1e6, 'ms'], [1e3, '\u00b5s'], [1, 'ns']], unit = units[3];
    for (var i = 0; i < units.length; i++) if (span >= units[i][0]) { unit = units[i]; break; }
    var decimals = Math.max(0, Math.ceil(-Math.log10(step / unit[0]) - 1e-9));
    var out = [];
    for (var k = Math.ceil(a / step); k * step <= b; k++) {
      var ns = k * step;
      out.push({ ns: ns, label: ns === 0 ? '0' : (ns / unit[0]).toFixed(decimals) + ' ' + unit[1] });
    }
    return out;
  }
  function drawAxis() {
    var y = axis.getAttribute('data-y'), y0 = axis.getAttribute('data-y0'), y1 = axis.getAttribute('data-y1');
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    ticks(v0, v1, Math.max(2, Math.floor(width() / TICK_PX))).forEach(function (tick) {
      var x = (tick.ns - v0) / Math.max(v1 - v0, 1) * 100;
      var line = document.createElementNS(NS, 'line');
      line.setAttribute('x1', pct(x)); line.setAttribute('x2', pct(x));
      line.setAttribute('y1', y0); line.setAttribute('y2', y1);
      var text = document.createElementNS(NS, 'text');
      text.setAttribute('x', pct(x)); text.setAttribute('y', y);
      if (x > 92) { text.setAttribute('dx', '-3'); text.setAttribute('text-anchor', 'end'); } else text.setAttribute('dx', '3');
      text.textContent = tick.label;
      axis.appendChild(line); axis.appendChild(text);
    });
  }
  function place(it) {
    var span = Math.max(v1 - v0, 1), end = it.s + it.t;
    var on = it.t === 0 ? it.s >= v0 && it.s <= v1 : it.s < v1 && end > v0;
    it.shown = on;
    it.rect.style.display = on ? '' : 'none';
    if (it.text) it.text.style.display = on ? '' : 'none';
    if (!on) return;
    var x0 = Math.max(it.s, v0), x1 = Math.min(end, v1);
    var x = (x0 - v0) / span * 100, w = (x1 - x0) / span * 100;
    it.rect.setAttribute('x', pct(x));
    it.rect.setAttribute('width', pct(w));
    if (it.text) it.text.setAttribute('x', pct(x));
  }
  function fit() {
    var px = width() / 100;
    items.forEach(function (it) {
      if (it.kind === 'gc' || !it.shown) return;
      var text = label(it.name, Math.floor((parseFloat(it.rect.getAttribute('width')) * px - 6) / CHAR_PX));
      if (text === '' && !it.text) return;
      if (!it.text) {
        it.text = document.createElementNS(NS, 'text');
        it.text.setAttribute('x', it.rect.getAttribute('x'));
        it.text.setAttribute('dx', '3');
        it.text.setAttribute('y', +it.rect.getAttribute('y') + 11.5);
        it.rect.parentNode.insertBefore(it.text, it.rect.nextSibling);
      }
      it.text.textContent = text;
    });
  }
  function zoom(a, b) {
    v0 = a; v1 = b;
    items.forEach(place);
    resetEl.style.display = a === t0 && b === t1 ? 'none' : '';
    drawAxis();
    fit();
  }
  function search() {
    var re = null;
    if (pattern !== null && pattern !== '') {
      try { re = new RegExp(pattern, ignoreCase ? 'i' : ''); } catch (e) { matchedEl.textContent = 'Bad regex: ' + e.message; return; }
    }
    var hits = 0, calls = 0;
    items.forEach(function (it) {
      if (it.kind !== 'call') return;
      calls++;
      var hit = re !== null && re.test(it.name);
      if (hit) { hits++; it.rect.classList.add('pfc-hit'); } else it.rect.classList.remove('pfc-hit');
    });
    searchEl.textContent = re === null ? 'Search' : 'Reset Search';
    matchedEl.textContent = re === null ? '' : 'Matched: ' + hits + ' of ' + calls + ' drawn calls';
  }
  function askSearch(fresh) {
    if (!fresh && pattern !== null && pattern !== '') { pattern = null; search(); return; }
    var answer = window.prompt('Search for a function (regular expression)' + (ignoreCase ? ', ignoring case' : ''), pattern || '');
    if (answer === null) return;
    pattern = answer;
    search();
  }
  function showTip(it, event) {
    var when = 'start ' + fmt(it.s) + ' \u00b7 duration ' + fmt(it.t);
    var lines = it.kind === 'gc' ? ['GC pause, generation ' + it.g, it.c + ' objects collected', when, it.thread]
      : it.kind === 'import' ? ['import ' + it.name, it.found ? 'module found' : 'no module found', when, it.thread]
      : [it.name, it.where, when, it.thread];
    tipLines.forEach(function (tspan, i) { tspan.textContent = lines[i] || ''; });
    tip.style.display = '';
    var box = tip.querySelector('text').getBBox();
    tipBox.setAttribute('width', Math.ceil(box.width) + 12);
    tipBox.setAttribute('height', Math.ceil(box.height) + 8);
    var bounds = root.getBoundingClientRect();
    var x = event.clientX - bounds.left + 14, y = event.clientY - bounds.top + 14;
    if (x + box.width + 12 > bounds.width) x = Math.max(0, x - box.width - 40);
    if (y + box.height + 8 > bounds.height) y = Math.max(0, y - box.height - 36);
    tip.setAttribute('transform', 'translate(' + Math.round(x) + ',' + Math.round(y) + ')');
  }
  root.addEventListener('mousemove', function (event) {
    var it = byRect.get(event.target);
    if (it) showTip(it, event); else tip.style.display = 'none';
  });
  root.addEventListener('mouseleave', function () { tip.style.display = 'none'; hot = false; });
  root.addEventListener('mouseenter', function () { hot = true; });
  root.addEventListener('click', function (event) {
    var it = byRect.get(event.target);
    if (!it) return;
    tip.style.display = 'none';
    zoom(it.s, it.s + Math.max(it.t, 1));
  });
  resetEl.addEventListener('click', function () { zoom(t0, t1); });
  searchEl.addEventListener('click', function () { askSearch(false); });
  caseEl.addEventListener('click', function () {
    ignoreCase = !ignoreCase;
    caseEl.classList.toggle('pfc-on', ignoreCase);
    search();
  });
  // Capture on window: with the mouse over this chart, its search answers and no other graph's.
  window.addEventListener('keydown', function (e) {
    if (!(e.ctrlKey || e.metaKey) || (e.key !== 'f' && e.key !== 'F')) return;
    var alone = document.querySelectorAll('svg .pf-f').length === 0 && document.querySelectorAll('svg.pfc-root').length === 1;
    if (!hot && !alone) return;
    e.preventDefault();
    e.stopPropagation();
    askSearch(true);
  }, true);
  window.addEventListener('resize', function () { drawAxis(); fit(); });
  resetEl.style.display = 'none';
  drawAxis();
  fit();
})();`;
