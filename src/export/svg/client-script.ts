/** How the script shows a frame's weight. */
export type ScriptValues =
  /** Nanoseconds shown as durations, with the calls of each frame (pyflame's own analysis). */
  | 'time-with-calls'
  /** Numbers in the unit named by the <svg>'s data-unit (durations when it is a time unit), no calls. */
  | 'unit';

const TIME_FORMAT = String.raw`  function fmt(ns) {
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(2) + ' \u00b5s';
    if (ns < 1e9) return (ns / 1e6).toFixed(2) + ' ms';
    return (ns / 1e9).toFixed(3) + ' s';
  }`;

// The unit is read from an attribute (escaped XML), never pasted into the code.
const UNIT_FORMAT = String.raw`  var unit = root.getAttribute('data-unit') || '';
  var SCALES = { ns: 1, us: 1e3, '\u00b5s': 1e3, '\u03bcs': 1e3, ms: 1e6, s: 1e9 };
  var scale = Object.prototype.hasOwnProperty.call(SCALES, unit) ? SCALES[unit] : 0;
${TIME_FORMAT.replace('function fmt(ns)', 'function time(ns)')}
  function fmt(v) {
    if (scale > 0) return time(v * scale);
    return v.toLocaleString('en-US', { maximumFractionDigits: 2 }) + (unit === '' ? '' : ' ' + unit);
  }`;

const DESCRIBE_WITH_CALLS = String.raw`      details.textContent = (f === all ? 'all' : f.n + ' (' + f.l + ')') + ' \u00b7 calls ' + f.c + ' \u00b7 self ' + fmt(f.s) + ' \u00b7 total ' + fmt(f.t) +
        ' \u00b7 ' + pct(f.t, all.t) + ' of all \u00b7 ' + pct(f.t, zoomed.t) + ' of zoomed frame';`;

const DESCRIBE_UNIT = String.raw`      details.textContent = (f === all ? 'all' : f.l === '' ? f.n : f.n + ' (' + f.l + ')') + ' \u00b7 total ' + fmt(f.t) + ' \u00b7 self ' + fmt(f.s) +
        ' \u00b7 ' + pct(f.t, all.t) + ' of all \u00b7 ' + pct(f.t, zoomed.t) + ' of zoomed frame';`;

/**
 * The flame graph's embedded script: plain ES5, no globals (one IIFE), no requests, no eval. It
 * finds its own <svg> (the one it sits in), so several graphs inlined in one page stay apart.
 * Names come from data-* attributes and are only ever set as textContent.
 */
export function clientScript(values: ScriptValues): string {
  const valueFormat = values === 'unit' ? UNIT_FORMAT : TIME_FORMAT;
  const describe = values === 'unit' ? DESCRIBE_UNIT : DESCRIBE_WITH_CALLS;
  return String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  var root = script && script.closest ? script.closest('svg') : null;
  if (!root) return;
  var CHAR_PX = 7.3;
  var HIT = 'rgb(230,0,230)';
  function q(cls) { return root.querySelector('.' + cls); }
  var details = q('pf-details'), matchedEl = q('pf-matched'), resetEl = q('pf-reset');
  var searchEl = q('pf-search'), caseEl = q('pf-case');
  var frames = [].slice.call(root.querySelectorAll('g.pf-f')).map(function (g) {
    var rect = g.querySelector('rect');
    return {
      g: g, rect: rect, text: g.querySelector('text'), fill: rect.getAttribute('fill'),
      d: +g.getAttribute('data-d'), x: +g.getAttribute('data-x'), w: +g.getAttribute('data-w'),
      n: g.getAttribute('data-n'), l: g.getAttribute('data-l'),
      c: +g.getAttribute('data-c'), s: +g.getAttribute('data-s'), t: +g.getAttribute('data-t'),
      note: g.getAttribute('data-note') || '',
      cx: 0, cw: 0, shown: true, hit: false
    };
  });
  if (frames.length === 0) return;
  var all = frames[0];
  var zoomed = all, pattern = null, ignoreCase = false, hot = false;
  frames.forEach(function (f) { f.cx = f.x * 100; f.cw = f.w * 100; });

${valueFormat}
  function pct(a, b) { return b > 0 ? (100 * a / b).toFixed(2) + '%' : '\u2013'; }
  function label(name, max) {
    if (max < 3) return '';
    var chars = Array.from(name);
    return chars.length <= max ? name : chars.slice(0, max - 2).join('') + '..';
  }
  function fit() {
    var width = root.getBoundingClientRect().width || 1200;
    frames.forEach(function (f) {
      if (!f.shown) return;
      f.text.textContent = label(f.n, Math.floor((f.cw / 100 * width - 6) / CHAR_PX));
    });
  }
  function place(f, x, w) {
    f.cx = x; f.cw = w;
    f.rect.setAttribute('x', x.toFixed(5) + '%');
    f.rect.setAttribute('width', w.toFixed(5) + '%');
    f.text.setAttribute('x', x.toFixed(5) + '%');
  }
  function show(f, on) { f.shown = on; f.g.style.display = on ? '' : 'none'; }
  function zoom(target) {
    var eps = 1e-9, x0 = target.x, w = target.w || 1;
    zoomed = target;
    frames.forEach(function (f) {
      if (f.d < target.d) {
        var ancestor = f.x <= x0 + eps && f.x + f.w >= x0 + target.w - eps;
        show(f, ancestor);
        if (ancestor) { place(f, 0, 100); f.g.classList.add('pf-dim'); }
      } else if (f.x >= x0 - eps && f.x + f.w <= x0 + target.w + eps) {
        show(f, true);
        f.g.classList.remove('pf-dim');
        place(f, (f.x - x0) / w * 100, f.w / w * 100);
      } else {
        show(f, false);
      }
    });
    resetEl.style.display = target === all ? 'none' : '';
    fit();
  }
  function search() {
    var re = null;
    if (pattern !== null && pattern !== '') {
      try { re = new RegExp(pattern, ignoreCase ? 'i' : ''); } catch (e) { matchedEl.textContent = 'Bad regex: ' + e.message; return; }
    }
    var hits = [];
    frames.forEach(function (f) {
      f.hit = re !== null && f !== all && re.test(f.n);
      f.rect.setAttribute('fill', f.hit ? HIT : f.fill);
      if (f.hit) { f.g.classList.add('pf-hit'); hits.push(f); } else f.g.classList.remove('pf-hit');
    });
    searchEl.textContent = re === null ? 'Search' : 'Reset Search';
    if (re === null) { matchedEl.textContent = ''; return; }
    hits.sort(function (a, b) { return a.x - b.x || a.d - b.d; });
    var end = -1, sum = 0;
    hits.forEach(function (f) {
      if (f.x + f.w <= end + 1e-9) return;
      sum += f.t; end = f.x + f.w;
    });
    matchedEl.textContent = 'Matched: ' + pct(sum, all.t);
  }
  function askSearch() {
    if (pattern !== null && pattern !== '' && searchEl.textContent === 'Reset Search' && arguments[0] !== true) { pattern = null; search(); return; }
    var answer = window.prompt('Search for a function (regular expression)' + (ignoreCase ? ', ignoring case' : ''), pattern || '');
    if (answer === null) return;
    pattern = answer;
    search();
  }
  frames.forEach(function (f) {
    function describe() {
${describe}
      if (f.note !== '') details.textContent += ' \u00b7 ' + f.note;
    }
    f.g.addEventListener('mouseover', describe);
    f.g.addEventListener('mouseout', function () { details.textContent = ' '; });
    f.g.addEventListener('click', function () { zoom(f); describe(); });
  });
  resetEl.addEventListener('click', function () { zoom(all); });
  searchEl.addEventListener('click', function () { askSearch(); });
  caseEl.addEventListener('click', function () {
    ignoreCase = !ignoreCase;
    caseEl.textContent = ignoreCase ? 'ic' : 'Ic';
    caseEl.classList.toggle('pf-on', ignoreCase);
    search();
  });
  root.addEventListener('mouseenter', function () { hot = true; });
  root.addEventListener('mouseleave', function () { hot = false; });
  document.addEventListener('keydown', function (e) {
    if (!(e.ctrlKey || e.metaKey) || (e.key !== 'f' && e.key !== 'F')) return;
    // With several graphs on a page, only the one under the mouse answers.
    if (!hot && document.querySelectorAll('svg .pf-f').length !== root.querySelectorAll('.pf-f').length) return;
    e.preventDefault();
    askSearch(true);
  });
  window.addEventListener('resize', fit);
  resetEl.style.display = 'none';
  fit();
})();`;
}

/** The script of pyflame's own (analysis) graphs. */
export const CLIENT_SCRIPT = clientScript('time-with-calls');
