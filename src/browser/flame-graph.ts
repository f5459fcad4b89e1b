// The flame graph's script, bundled into every flame graph SVG (src/export/svg/render.ts): hover
// shows a frame's times on the details line, click zooms, Search (or Ctrl-F) highlights frames
// matching a regular expression. No globals (one IIFE), no requests, no eval. Names come from
// data-* attributes and are only ever set as textContent.
//
// Opening a graph of tens of thousands of frames must stay cheap (issue 16): one listener of each
// kind on the frames' group instead of three per frame, a frame's <text> made only once its label
// fits (the SVG writes none for frames too narrow for three characters), and labels refitted only
// where they change.
//
// What a weight is comes from the <svg>: without data-unit, nanoseconds of pyflame's own analysis
// (with each frame's calls); with data-unit, numbers in that unit (durations when it is a time
// unit), no calls. Both are written as the SVG's <title> texts are (one formatter).
import { truncateLabel } from '../text/fit.js';
import { formatDuration } from '../text/units.js';
import { ownSvg } from './own-svg.js';
import { askPattern, compilePattern, isFindKey } from './search.js';
import { formatWeight } from './weights.js';

/** Labels are fitted assuming this many pixels per character (12px monospace; data-cpx otherwise). */
const CHAR_PX = 7.3;
/** A frame matching the search. */
const HIT = 'rgb(230,0,230)';
const SVG_NS = 'http://www.w3.org/2000/svg';

/** A frame as drawn (<g class="pf-f">), with its data and where it is now. */
interface Frame {
  readonly g: SVGGElement;
  readonly rect: SVGRectElement;
  /** The label, null until one fits (see label()). */
  text: SVGTextElement | null;
  /** Depth, position and width (share of the root). */
  readonly d: number;
  readonly x: number;
  readonly w: number;
  /** The name (searched, labelled); the rest of a frame's data is read from it when needed. */
  readonly n: string;
  /** Position and width now, in percent of the graph. */
  cx: number;
  cw: number;
  shown: boolean;
  hit: boolean;
}

function start(root: SVGSVGElement): void {
  const find = <E extends Element>(cls: string): E => root.querySelector<E>(`.${cls}`)!;
  const details = find<SVGTextElement>('pf-details');
  const matchedEl = find<SVGTextElement>('pf-matched');
  const resetEl = find<SVGTextElement>('pf-reset');
  const searchEl = find<SVGTextElement>('pf-search');
  const caseEl = find<SVGTextElement>('pf-case');
  // Only what zoom, search and labels need is read up front (opening stays cheap); the details
  // line reads the rest from the frame's data-* attributes on hover.
  const frames: Frame[] = Array.from(root.querySelectorAll<SVGGElement>('g.pf-f'), (g) => {
    const rect = g.querySelector('rect')!;
    const last = g.lastElementChild;
    const w = Number(g.getAttribute('data-w'));
    return {
      g,
      rect,
      text: last instanceof SVGTextElement ? last : null,
      d: Number(g.getAttribute('data-d')),
      x: Number(g.getAttribute('data-x')),
      w,
      n: g.getAttribute('data-n') ?? '',
      cx: 0,
      cw: w * 100,
      shown: true,
      hit: false,
    };
  });
  const dataText = (f: Frame, name: string): string => f.g.getAttribute(`data-${name}`) ?? '';
  const dataNumber = (f: Frame, name: string): number => Number(f.g.getAttribute(`data-${name}`));
  /** A frame's colour as the SVG drew it (kept while a search paints it). */
  const fills = new Map<Frame, string>();
  const fillOf = (f: Frame): string => fills.get(f) ?? f.rect.getAttribute('fill') ?? '';
  if (frames.length === 0) return;
  const frameOf = new Map<Element, Frame>(frames.map((f) => [f.g, f]));
  const group: Element = root.querySelector('g.pf-frames') ?? root;
  const all = frames[0];
  let zoomed = all;
  let pattern: string | null = null;
  let ignoreCase = false;
  let hot = false;
  for (const f of frames) f.cx = f.x * 100;

  const unit = root.getAttribute('data-unit');
  const charPx = Number(root.getAttribute('data-cpx')) || CHAR_PX;
  const nameType = root.getAttribute('data-nametype');
  // A label's baseline below its frame's top (data-ty; 11.5 px in a 16 px frame at 12 px).
  const textDown = Number(root.getAttribute('data-ty')) || 11.5;
  const withCalls = unit === null;
  const fmt = (value: number): string => (unit === null ? formatDuration(value) : formatWeight(value, unit));
  const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(2)}%` : '\u2013');

  /** The frame's <text>, made (as the SVG writes it) the first time a label fits. */
  function label(f: Frame): SVGTextElement {
    if (f.text !== null) return f.text;
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('x', `${f.cx.toFixed(5)}%`);
    text.setAttribute('dx', '3');
    text.setAttribute('y', String(Number(f.rect.getAttribute('y')) + textDown));
    f.g.appendChild(text);
    f.text = text;
    return text;
  }
  function fit(): void {
    const width = root.getBoundingClientRect().width || 1200;
    for (const f of frames) {
      if (!f.shown) continue;
      const text = truncateLabel(f.n, Math.floor(((f.cw / 100) * width - 6) / charPx));
      // Touch the document only where the label changes: most frames of a large graph have none.
      if (f.text === null ? text !== '' : f.text.textContent !== text) label(f).textContent = text;
    }
  }
  function place(f: Frame, x: number, w: number): void {
    f.cx = x;
    f.cw = w;
    f.rect.setAttribute('x', `${x.toFixed(5)}%`);
    f.rect.setAttribute('width', `${w.toFixed(5)}%`);
    f.text?.setAttribute('x', `${x.toFixed(5)}%`);
  }
  function show(f: Frame, on: boolean): void {
    f.shown = on;
    f.g.style.display = on ? '' : 'none';
  }
  function zoom(target: Frame): void {
    const eps = 1e-9;
    const x0 = target.x;
    const w = target.w || 1;
    zoomed = target;
    for (const f of frames) {
      if (f.d < target.d) {
        const ancestor = f.x <= x0 + eps && f.x + f.w >= x0 + target.w - eps;
        show(f, ancestor);
        if (ancestor) {
          place(f, 0, 100);
          f.g.classList.add('pf-dim');
        }
      } else if (f.x >= x0 - eps && f.x + f.w <= x0 + target.w + eps) {
        show(f, true);
        f.g.classList.remove('pf-dim');
        place(f, ((f.x - x0) / w) * 100, (f.w / w) * 100);
      } else {
        show(f, false);
      }
    }
    resetEl.style.display = target === all ? 'none' : '';
    fit();
  }
  function search(): void {
    const compiled = compilePattern(pattern, ignoreCase);
    if ('error' in compiled) {
      matchedEl.textContent = compiled.error;
      return;
    }
    const re = compiled.re;
    const hits: Frame[] = [];
    for (const f of frames) {
      const hit = re !== null && f !== all && re.test(f.n);
      if (hit !== f.hit) {
        f.hit = hit;
        if (hit && !fills.has(f)) fills.set(f, fillOf(f));
        f.rect.setAttribute('fill', hit ? HIT : fillOf(f));
        f.g.classList.toggle('pf-hit', hit);
      }
      if (hit) hits.push(f);
    }
    searchEl.textContent = re === null ? 'Search' : 'Reset Search';
    if (re === null) {
      matchedEl.textContent = '';
      return;
    }
    // The matched share counts time once: a hit inside another hit adds nothing.
    hits.sort((a, b) => a.x - b.x || a.d - b.d);
    let end = -1;
    let sum = 0;
    for (const f of hits) {
      if (f.x + f.w <= end + 1e-9) continue;
      sum += dataNumber(f, 't');
      end = f.x + f.w;
    }
    matchedEl.textContent = `Matched: ${pct(sum, dataNumber(all, 't'))}`;
  }
  /** Search clicked again resets the search; Ctrl-F (`fresh`) always asks. */
  function askSearch(fresh: boolean): void {
    if (pattern !== null && pattern !== '' && searchEl.textContent === 'Reset Search' && !fresh) {
      pattern = null;
      search();
      return;
    }
    const answer = askPattern(ignoreCase, pattern);
    if (answer === null) return;
    pattern = answer;
    search();
  }
  function describe(f: Frame): void {
    const where = dataText(f, 'l');
    const [self, total] = [dataNumber(f, 's'), dataNumber(f, 't')];
    const name = f === all ? 'all' : withCalls || where !== '' ? `${f.n} (${where})` : f.n;
    const weights = withCalls
      ? ` \u00b7 calls ${dataNumber(f, 'c')} \u00b7 self ${fmt(self)} \u00b7 total ${fmt(total)}`
      : ` \u00b7 total ${fmt(total)} \u00b7 self ${fmt(self)}`;
    const prefix = nameType === null ? '' : `${nameType} `;
    const shares = `${pct(total, dataNumber(all, 't'))} of all \u00b7 ${pct(total, dataNumber(zoomed, 't'))} of zoomed frame`;
    const note = dataText(f, 'note');
    details.textContent = `${prefix}${name}${weights} \u00b7 ${shares}${note === '' ? '' : ` \u00b7 ${note}`}`;
  }
  /** The frame an event happened in (its <g class="pf-f"> or anything inside it), if any. */
  const frameAt = (e: Event): Frame | undefined => {
    const target = e.target instanceof Element ? e.target.closest('g.pf-f') : null;
    return target === null ? undefined : frameOf.get(target);
  };
  group.addEventListener('mouseover', (e) => {
    const f = frameAt(e);
    if (f !== undefined) describe(f);
  });
  group.addEventListener('mouseout', (e) => {
    if (frameAt(e) !== undefined) details.textContent = ' ';
  });
  group.addEventListener('click', (e) => {
    const f = frameAt(e);
    if (f === undefined) return;
    zoom(f);
    describe(f);
  });
  resetEl.addEventListener('click', () => zoom(all));
  searchEl.addEventListener('click', () => askSearch(false));
  caseEl.addEventListener('click', () => {
    ignoreCase = !ignoreCase;
    caseEl.textContent = ignoreCase ? 'ic' : 'Ic';
    caseEl.classList.toggle('pf-on', ignoreCase);
    search();
  });
  root.addEventListener('mouseenter', () => {
    hot = true;
  });
  root.addEventListener('mouseleave', () => {
    hot = false;
  });
  document.addEventListener('keydown', (e) => {
    if (!isFindKey(e)) return;
    // With several graphs on a page, only the one under the mouse answers.
    if (!hot && document.querySelectorAll('svg .pf-f').length !== root.querySelectorAll('.pf-f').length) return;
    e.preventDefault();
    askSearch(true);
  });
  window.addEventListener('resize', fit);
  resetEl.style.display = 'none';
  fit();
}

const root = ownSvg();
if (root !== null) start(root);
