// The flame chart's script, bundled into every flame chart SVG (src/export/chart/render-chart.ts):
// a tooltip on hover, click to zoom the time axis to a call, reset, regex search with a case
// toggle, and the axis and labels refitted to the width. No globals (one IIFE), no requests, no
// eval. It queries only inside its own <svg> (Ctrl-F alone looks for other graphs on the page), and
// its classes are `pfc-*` (the flame graph's are `pf-*`), so a chart and flame graphs inlined in
// one page stay apart. Names come from the hidden function table and are only ever set as
// textContent. Durations are written as the chart's static texts are (one formatter), and the axis
// is time-axis.ts's, as the SVG drew it.
import { truncateLabel } from '../text/fit.js';
import { formatDuration } from '../text/units.js';
import { ownSvg } from './own-svg.js';
import { askPattern, compilePattern, isFindKey } from './search.js';
import { axisTicks } from './time-axis.js';

const NS = 'http://www.w3.org/2000/svg';
/** Labels are fitted assuming this many pixels per character (12px monospace). */
const CHAR_PX = 7.3;
/** About one axis tick per this many pixels. */
const TICK_PX = 120;

/** A drawn bar: a call (named from the function table), a GC pause or an import. */
interface Item {
  readonly rect: SVGRectElement;
  /** The label drawn on the bar (made when it first fits); GC pauses have none. */
  text: SVGTextElement | null;
  readonly kind: 'call' | 'gc' | 'import';
  /** What the label shows and the search matches ('' for a GC pause). */
  readonly name: string;
  /** The tooltip's first two lines. */
  readonly heading: string;
  readonly about: string;
  readonly thread: string;
  /** Start (ns from the trace start) and duration. */
  readonly s: number;
  readonly t: number;
  shown: boolean;
}

/** A percentage with at most 5 decimals and no trailing zeros (as the SVG writes them). */
const pct = (v: number): string => `${+v.toFixed(5)}%`;

function start(root: SVGSVGElement): void {
  const find = <E extends Element>(cls: string): E => root.querySelector<E>(`.${cls}`)!;
  const every = <E extends Element>(selector: string): E[] => Array.from(root.querySelectorAll<E>(selector));
  const axis = find<SVGGElement>('pfc-axis');
  const tip = find<SVGGElement>('pfc-tip');
  const tipBox = tip.querySelector('rect')!;
  const tipText = tip.querySelector('text')!;
  const tipLines = Array.from(tip.querySelectorAll('tspan'));
  const resetEl = find<SVGTextElement>('pfc-reset');
  const searchEl = find<SVGTextElement>('pfc-search');
  const caseEl = find<SVGTextElement>('pfc-case');
  const matchedEl = find<SVGTextElement>('pfc-matched');
  const fns = every<SVGTextElement>('.pfc-fns text').map((t) => ({
    n: t.textContent ?? '',
    l: t.getAttribute('data-l') ?? '',
  }));
  const t0 = Number(root.getAttribute('data-t0'));
  const t1 = Number(root.getAttribute('data-t1'));
  let v0 = t0;
  let v1 = t1;
  let pattern: string | null = null;
  let ignoreCase = false;
  let hot = false;

  const items: Item[] = [];
  const byRect = new Map<EventTarget, Item>();
  function add(
    rect: SVGRectElement,
    kind: Item['kind'],
    name: string,
    heading: string,
    about: string,
    thread: string | null,
  ): void {
    const next = rect.nextElementSibling;
    const text = kind !== 'gc' && next !== null && next.tagName === 'text' ? (next as SVGTextElement) : null;
    const it: Item = {
      rect,
      text,
      kind,
      name,
      heading,
      about,
      thread: thread ?? '',
      s: Number(rect.getAttribute('data-s')),
      t: Number(rect.getAttribute('data-t')),
      shown: true,
    };
    items.push(it);
    byRect.set(rect, it);
  }
  for (const lane of every('.pfc-lane')) {
    const thread = lane.getAttribute('data-n');
    for (const rect of Array.from(lane.querySelectorAll('rect'))) {
      const fn = fns[Number(rect.getAttribute('data-f'))];
      add(rect, 'call', fn.n, fn.n, fn.l, thread);
    }
  }
  for (const rect of every<SVGRectElement>('.pfc-gc rect')) {
    add(
      rect,
      'gc',
      '',
      `GC pause, generation ${rect.getAttribute('data-g')}`,
      `${rect.getAttribute('data-c')} objects collected`,
      rect.getAttribute('data-n'),
    );
  }
  for (const rect of every<SVGRectElement>('.pfc-imports rect')) {
    const module = rect.getAttribute('data-m') ?? '';
    const found = rect.getAttribute('data-ok') === '1';
    add(
      rect,
      'import',
      module,
      `import ${module}`,
      found ? 'module found' : 'no module found',
      rect.getAttribute('data-n'),
    );
  }

  const width = (): number => root.getBoundingClientRect().width || 1200;

  function drawAxis(): void {
    const y = axis.getAttribute('data-y') ?? '';
    const y0 = axis.getAttribute('data-y0') ?? '';
    const y1 = axis.getAttribute('data-y1') ?? '';
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    for (const tick of axisTicks(v0, v1, Math.max(2, Math.floor(width() / TICK_PX)))) {
      const x = ((tick.ns - v0) / Math.max(v1 - v0, 1)) * 100;
      const line = document.createElementNS(NS, 'line');
      line.setAttribute('x1', pct(x));
      line.setAttribute('x2', pct(x));
      line.setAttribute('y1', y0);
      line.setAttribute('y2', y1);
      const text = document.createElementNS(NS, 'text');
      text.setAttribute('x', pct(x));
      text.setAttribute('y', y);
      if (x > 92) {
        text.setAttribute('dx', '-3');
        text.setAttribute('text-anchor', 'end');
      } else text.setAttribute('dx', '3');
      text.textContent = tick.label;
      axis.appendChild(line);
      axis.appendChild(text);
    }
  }
  function place(it: Item): void {
    const span = Math.max(v1 - v0, 1);
    const end = it.s + it.t;
    const on = it.t === 0 ? it.s >= v0 && it.s <= v1 : it.s < v1 && end > v0;
    it.shown = on;
    it.rect.style.display = on ? '' : 'none';
    if (it.text) it.text.style.display = on ? '' : 'none';
    if (!on) return;
    const x0 = Math.max(it.s, v0);
    const x1 = Math.min(end, v1);
    const x = ((x0 - v0) / span) * 100;
    const w = ((x1 - x0) / span) * 100;
    it.rect.setAttribute('x', pct(x));
    it.rect.setAttribute('width', pct(w));
    if (it.text) it.text.setAttribute('x', pct(x));
  }
  function fit(): void {
    const px = width() / 100;
    for (const it of items) {
      if (it.kind === 'gc' || !it.shown) continue;
      const text = truncateLabel(
        it.name,
        Math.floor((parseFloat(it.rect.getAttribute('width') ?? '0') * px - 6) / CHAR_PX),
      );
      if (text === '' && !it.text) continue;
      if (!it.text) {
        // A bar too narrow for a label when drawn gets one once it is wide enough.
        it.text = document.createElementNS(NS, 'text');
        it.text.setAttribute('x', it.rect.getAttribute('x') ?? '0');
        it.text.setAttribute('dx', '3');
        it.text.setAttribute('y', String(Number(it.rect.getAttribute('y')) + 11.5));
        it.rect.parentNode!.insertBefore(it.text, it.rect.nextSibling);
      }
      it.text.textContent = text;
    }
  }
  function zoom(a: number, b: number): void {
    v0 = a;
    v1 = b;
    items.forEach(place);
    resetEl.style.display = a === t0 && b === t1 ? 'none' : '';
    drawAxis();
    fit();
  }
  function search(): void {
    const compiled = compilePattern(pattern, ignoreCase);
    if ('error' in compiled) {
      matchedEl.textContent = compiled.error;
      return;
    }
    const re = compiled.re;
    let hits = 0;
    let calls = 0;
    for (const it of items) {
      if (it.kind !== 'call') continue;
      calls++;
      const hit = re?.test(it.name) === true;
      if (hit) {
        hits++;
        it.rect.classList.add('pfc-hit');
      } else it.rect.classList.remove('pfc-hit');
    }
    searchEl.textContent = re === null ? 'Search' : 'Reset Search';
    matchedEl.textContent = re === null ? '' : `Matched: ${hits} of ${calls} drawn calls`;
  }
  /** Search clicked again resets the search; Ctrl-F (`fresh`) always asks. */
  function askSearch(fresh: boolean): void {
    if (!fresh && pattern !== null && pattern !== '') {
      pattern = null;
      search();
      return;
    }
    const answer = askPattern(ignoreCase, pattern);
    if (answer === null) return;
    pattern = answer;
    search();
  }
  function showTip(it: Item, event: MouseEvent): void {
    const lines = [
      it.heading,
      it.about,
      `start ${formatDuration(it.s)} \u00b7 duration ${formatDuration(it.t)}`,
      it.thread,
    ];
    tipLines.forEach((tspan, i) => {
      tspan.textContent = lines[i] || '';
    });
    tip.style.display = '';
    const box = tipText.getBBox();
    tipBox.setAttribute('width', String(Math.ceil(box.width) + 12));
    tipBox.setAttribute('height', String(Math.ceil(box.height) + 8));
    const bounds = root.getBoundingClientRect();
    let x = event.clientX - bounds.left + 14;
    let y = event.clientY - bounds.top + 14;
    if (x + box.width + 12 > bounds.width) x = Math.max(0, x - box.width - 40);
    if (y + box.height + 8 > bounds.height) y = Math.max(0, y - box.height - 36);
    tip.setAttribute('transform', `translate(${Math.round(x)},${Math.round(y)})`);
  }
  root.addEventListener('mousemove', (event) => {
    const it = event.target === null ? undefined : byRect.get(event.target);
    if (it) showTip(it, event);
    else tip.style.display = 'none';
  });
  root.addEventListener('mouseleave', () => {
    tip.style.display = 'none';
    hot = false;
  });
  root.addEventListener('mouseenter', () => {
    hot = true;
  });
  root.addEventListener('click', (event) => {
    const it = event.target === null ? undefined : byRect.get(event.target);
    if (!it) return;
    tip.style.display = 'none';
    zoom(it.s, it.s + Math.max(it.t, 1));
  });
  resetEl.addEventListener('click', () => zoom(t0, t1));
  searchEl.addEventListener('click', () => askSearch(false));
  caseEl.addEventListener('click', () => {
    ignoreCase = !ignoreCase;
    caseEl.classList.toggle('pfc-on', ignoreCase);
    search();
  });
  // Capture on window: with the mouse over this chart, its search answers and no other graph's.
  window.addEventListener(
    'keydown',
    (e) => {
      if (!isFindKey(e)) return;
      const alone =
        document.querySelectorAll('svg .pf-f').length === 0 && document.querySelectorAll('svg.pfc-root').length === 1;
      if (!hot && !alone) return;
      e.preventDefault();
      e.stopPropagation();
      askSearch(true);
    },
    true,
  );
  window.addEventListener('resize', () => {
    drawAxis();
    fit();
  });
  resetEl.style.display = 'none';
  drawAxis();
  fit();
}

const root = ownSvg();
if (root !== null) start(root);
