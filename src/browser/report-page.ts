// The HTML report page's own script, bundled into the page (src/export/html/report.ts). It sorts
// and filters the function table (from the JSON in #fn-data; every name set as textContent), shows
// the charts' tooltips (data-tip), opens and closes the import tree, and keeps Ctrl-F for the
// browser's own find unless the pointer is over the flame graph (whose script answers Ctrl-F with
// its search). No globals (one IIFE), no requests, no eval. Durations and counts are written as
// the page's static tables write them (one formatter).
import { formatCount, formatDuration } from '../text/units.js';
import { isFindKey } from './search.js';

/** A cell of the function table: text, ns (null: no complete call) or a count. */
type Cell = string | number | null;

/** The function table's data (#fn-data, written by src/export/html/functions.ts). */
interface TableData {
  readonly rows: readonly (readonly Cell[])[];
  /** Above this many rows, only `shown` are drawn until "show all". */
  readonly large: number;
  readonly shown: number;
}

// Up to this many rows are drawn as plain rows; beyond ("show all" on a huge table) only the
// rows in view are, between two spacers, redrawn as the table scrolls: tens of thousands of
// rows would otherwise take the browser tens of seconds to lay out.
const WINDOW_ROWS = 500;
const OVERSCAN = 30;

const byId = <E extends HTMLElement>(id: string): E | null => document.getElementById(id) as E | null;

/** Tooltips for anything with data-tip (chart bars and pauses). */
function tooltips(tip: HTMLElement): void {
  document.addEventListener('mouseover', (e) => {
    const target = e.target as Element | null;
    const el = target !== null && typeof target.closest === 'function' ? target.closest('[data-tip]') : null;
    if (el === null) {
      tip.hidden = true;
      return;
    }
    tip.textContent = el.getAttribute('data-tip');
    tip.hidden = false;
  });
  document.addEventListener('mousemove', (e) => {
    if (tip.hidden) return;
    let x = e.clientX + 14;
    let y = e.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth - 4) x = Math.max(4, e.clientX - tip.offsetWidth - 8);
    if (y + tip.offsetHeight > window.innerHeight - 4) y = Math.max(4, e.clientY - tip.offsetHeight - 8);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  });
}

/** Ctrl-F: the flame graph's search only while the pointer is over it; the browser's find elsewhere. */
function findKey(): void {
  const flame = byId('flame');
  let overFlame = false;
  if (flame !== null) {
    flame.addEventListener('mouseenter', () => {
      overFlame = true;
    });
    flame.addEventListener('mouseleave', () => {
      overFlame = false;
    });
  }
  window.addEventListener(
    'keydown',
    (e) => {
      if (isFindKey(e) && !overFlame) e.stopImmediatePropagation();
    },
    true,
  );
}

/** The import tree's expand / collapse all. */
function importTree(): void {
  const open = byId('imports-open');
  const close = byId('imports-close');
  if (open === null || close === null) return;
  const setOpen = (on: boolean): void => {
    for (const details of Array.from(document.querySelectorAll<HTMLDetailsElement>('#import-tree details')))
      details.open = on;
  };
  open.addEventListener('click', () => setOpen(true));
  close.addEventListener('click', () => setOpen(false));
}

/** The function table: sort by any column, filter by name or file:line, show all. */
function functionTable(dataEl: HTMLElement): void {
  const data = JSON.parse(dataEl.textContent ?? '') as TableData;
  const rows = data.rows;
  const table = byId<HTMLTableElement>('fn-table')!;
  const body = table.tBodies[0];
  const head = table.tHead!;
  const heads = Array.from(head.rows[0].cells);
  const kinds = heads.map((th) => th.getAttribute('data-kind'));
  const filterEl = byId<HTMLInputElement>('fn-filter')!;
  const statusEl = byId('fn-status')!;
  const allEl = byId<HTMLButtonElement>('fn-all')!;
  const order = rows.map((_, i) => i);
  let sortCol = -1;
  let descending = false;
  let showAll = false;
  let needle = '';
  // Rows whose name or file:line contains the needle, ignoring case.
  const lower = rows.map((r) => `${r[0]}\u0000${r[1]}`.toLowerCase());

  function compare(col: number, desc: boolean): (a: number, b: number) => number {
    return (a, b) => {
      const x = rows[a][col];
      const y = rows[b][col];
      // No complete call (null) sorts last both ways.
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        return a - b;
      }
      const c = x < y ? -1 : x > y ? 1 : 0;
      return (desc ? -c : c) || a - b;
    };
  }
  const scroller = table.parentNode as HTMLElement;
  let visible = order;
  let limit = 0;
  let rowHeight = 0;
  let drawn = '';
  let pending = false;
  function cellText(kind: string | null, cell: Cell): string {
    if (kind === 'ns') return formatDuration(cell as number);
    if (kind === 'count') return formatCount(cell as number);
    return cell === null ? '' : String(cell);
  }
  function rowElement(index: number, titled: boolean): HTMLTableRowElement {
    const row = rows[index];
    const tr = document.createElement('tr');
    for (let c = 0; c < row.length; c++) {
      const td = document.createElement('td');
      td.className = kinds[c] === 'text' ? 'l' : 'r';
      td.textContent = cellText(kinds[c], row[c]);
      // Windowed rows are one line each (cut with an ellipsis): the whole text on hover.
      if (titled && kinds[c] === 'text') td.title = String(row[c]);
      tr.appendChild(td);
    }
    return tr;
  }
  function spacer(height: number): HTMLTableRowElement {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    tr.className = 'spacer';
    td.colSpan = kinds.length;
    td.style.height = `${height}px`;
    tr.appendChild(td);
    return tr;
  }
  function draw(): void {
    pending = false;
    const fragment = document.createDocumentFragment();
    let from = 0;
    let to = limit;
    const windowed = limit > WINDOW_ROWS;
    table.classList.toggle('windowed', windowed);
    if (windowed) {
      if (rowHeight === 0) {
        body.textContent = '';
        body.appendChild(rowElement(visible[0], true));
        rowHeight = body.rows[0].getBoundingClientRect().height || 22;
      }
      const top = Math.max(0, scroller.scrollTop - head.offsetHeight);
      from = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
      to = Math.min(limit, from + Math.ceil(scroller.clientHeight / rowHeight) + 2 * OVERSCAN);
      const key = `${from}:${to}`;
      if (key === drawn) return;
      drawn = key;
      fragment.appendChild(spacer(from * rowHeight));
    }
    for (let v = from; v < to; v++) fragment.appendChild(rowElement(visible[v], windowed));
    if (windowed) fragment.appendChild(spacer((limit - to) * rowHeight));
    body.textContent = '';
    body.appendChild(fragment);
  }
  function redraw(): void {
    if (limit <= WINDOW_ROWS || pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  }
  scroller.addEventListener('scroll', redraw);
  // A taller window shows more rows: draw them.
  window.addEventListener('resize', () => {
    drawn = '';
    redraw();
  });
  function render(): void {
    visible = needle === '' ? order : order.filter((i) => lower[i].indexOf(needle) >= 0);
    limit = visible.length > data.large && !showAll ? data.shown : visible.length;
    drawn = '';
    draw();
    statusEl.textContent =
      limit < visible.length
        ? `showing the first ${formatCount(limit)} of ${formatCount(visible.length)} functions`
        : `${formatCount(visible.length)} of ${formatCount(rows.length)} functions`;
    allEl.hidden = limit === visible.length;
    allEl.textContent = `show all ${formatCount(visible.length)}`;
  }
  function sortBy(col: number): void {
    // A first click sorts names A to Z and numbers largest first; the next click reverses.
    descending = col === sortCol ? !descending : kinds[col] !== 'text';
    sortCol = col;
    order.sort(compare(col, descending));
    heads.forEach((th, i) => {
      th.setAttribute('aria-sort', i === col ? (descending ? 'descending' : 'ascending') : 'none');
    });
    render();
  }
  heads.forEach((th, i) => {
    th.addEventListener('click', () => sortBy(i));
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sortBy(i);
      }
    });
  });
  filterEl.addEventListener('input', () => {
    needle = filterEl.value.toLowerCase();
    render();
  });
  allEl.addEventListener('click', () => {
    showAll = true;
    render();
  });
  // The analysis' order is by self time, largest first: say so on the header.
  heads[3].setAttribute('aria-sort', 'descending');
  sortCol = 3;
  descending = true;
  render();
}

const tip = byId('tip');
if (tip !== null) tooltips(tip);
findKey();
importTree();
const dataEl = byId('fn-data');
if (dataEl !== null) functionTable(dataEl);
