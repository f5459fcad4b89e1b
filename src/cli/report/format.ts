import type { Colors } from 'picocolors/types.js';
import { terminalSafe } from '../terminal.js';

/** How the report is drawn: colours (possibly all no-ops) and the line width to fit. */
export interface ReportStyle {
  readonly colors: Colors;
  readonly width: number;
}

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** A duration in ns as `123 ns`, `6.92 µs`, `33.2 ms`, `1.50 s`: three significant digits. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns === 0) return '0 ns';
  // Round first, so 999.7 µs becomes 1.00 ms rather than 1000 µs.
  const rounded = Number(ns.toPrecision(3));
  const [scale, unit] = UNITS.find(([s]) => rounded >= s) ?? UNITS[UNITS.length - 1];
  const value = rounded / scale;
  let text: string;
  if (value >= 1000) text = String(Math.round(value));
  else if (scale === 1 && Number.isInteger(value)) text = String(value);
  else text = value.toPrecision(3);
  return `${text} ${unit}`;
}

/** A duration as formatDuration gives it, without trailing zeros (`50 µs`, `1 ms`, `1.5 ms`): for round values such as bucket edges. */
export function formatDurationShort(ns: number): string {
  return formatDuration(ns).replace(/\.0+ /, ' ').replace(/(\.\d*?)0+ /, '$1 ');
}

/** A count with thousands separators: 1,234,567. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `part` as a share of `whole`: `12.3%`, `<0.1%`; `–` when the whole is 0. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '–';
  return formatShare(part / whole);
}

/** A share (0..1) as a percentage. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p > 0 && p < 0.05) return '<0.1%';
  return `${p >= 999.95 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** A process or thread id (-1: the format does not record it). */
export function formatId(id: number): string {
  return id < 0 ? '?' : String(id);
}

/** Characters as a terminal shows them (code points; good enough for the report's text). */
export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Cuts text to `max` characters, ending with `…` when cut. */
export function truncateEnd(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** Cuts text to `max` characters from the left, starting with `…` when cut. */
export function truncateStart(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  return `…${chars.slice(chars.length - (max - 1)).join('')}`;
}

/**
 * A path cut from the left to `max` characters, at a `/` when that costs at most a few more
 * characters (`…/encodings/__init__.py:0` rather than `…b>/encodings/__init__.py:0`).
 */
export function truncatePath(path: string, max: number): string {
  const cut = truncateStart(path, max);
  if (cut === path) return path;
  const slash = cut.indexOf('/', 1);
  if (slash > 0 && slash <= 6 && slash < cut.length - 1) return `…${cut.slice(slash)}`;
  return cut;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

const STDLIB = /^(.*[\\/])?lib(?:64)?[\\/]python\d+(?:\.\d+)?t?[\\/](.*)$/i;
const SITE = /^(.*[\\/])?(?:site|dist)-packages[\\/](.*)$/i;
const INIT = /^__(init|main)__\.py$/;

/**
 * A source file shortened for a table: site-packages and standard-library files keep a short
 * prefix and their path inside it (`<site>/requests/api.py`, `<stdlib>/json/decoder.py`); other
 * files keep their basename (`threads.py`), or `package/__init__.py` for a package's init.
 * Frozen modules keep their last dotted name (`<frozen importlib._bootstrap>` → `<frozen _bootstrap>`);
 * other `<...>` names stay as they are. Give it the raw name (escaped backslashes would read as
 * separators) and make the result terminal-safe.
 */
export function shortenFile(file: string): string {
  if (file === '') return '?';
  const frozen = /^<frozen (?:[\w.]*\.)?([^.\s>]+)>$/.exec(file);
  if (frozen !== null) return `<frozen ${frozen[1]}>`;
  if (file.startsWith('<') && file.endsWith('>')) return file;
  const site = SITE.exec(file);
  if (site !== null) return `<site>/${site[2]}`;
  const stdlib = STDLIB.exec(file);
  if (stdlib !== null) return `<stdlib>/${stdlib[2]}`;
  const parts = file.split(/[\\/]/).filter((part) => part !== '');
  const base = parts[parts.length - 1] ?? file;
  if (INIT.test(base) && parts.length >= 2) return `${parts[parts.length - 2]}/${base}`;
  return base;
}

/**
 * `name (file:line)` fitted to `max` characters. What a reader needs most goes last: the file is
 * cut first, from the left (`is_prime (…ads.py:13)`, then `is_prime (…:13)`); only then the name,
 * at its end, still with its line (`very_long_na… (…:13)`).
 */
export function functionLabel(name: string, file: string, line: number, max = Infinity): string {
  const safeName = terminalSafe(name);
  const safeFile = terminalSafe(shortenFile(file));
  const lineText = `:${line}`;
  const full = `${safeName} (${safeFile}${lineText})`;
  if (textWidth(full) <= max) return full;
  const nameWidth = textWidth(safeName);
  // `name (` + `)` around the file and the line.
  const fileRoom = max - nameWidth - 3 - textWidth(lineText);
  if (fileRoom >= 1) return `${safeName} (${truncatePath(safeFile, fileRoom)}${lineText})`;
  const nameRoom = max - 3 - 1 - textWidth(lineText);
  if (nameRoom >= 4) return `${truncateEnd(safeName, nameRoom)} (…${lineText})`;
  return truncateEnd(full, max);
}

export interface Column {
  readonly header: string;
  readonly align: 'left' | 'right';
  /** The last column may be cut to fit the width (its cells are fitted by `fit`). */
  readonly fit?: (row: number, max: number) => string;
}

/**
 * A table: a dim header line and rows, columns two spaces apart, indented by two. Cells are plain
 * (terminal-safe) text; the last column fills what the width leaves (at least 12 characters).
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style: ReportStyle, indent = 2): string[] {
  const widths = columns.map((column, c) => Math.max(textWidth(column.header), ...rows.map((row) => textWidth(row[c] ?? ''))));
  const last = columns.length - 1;
  const fixed = indent + widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const room = Math.max(12, style.width - fixed);
  const fitted = rows.map((row, r) => {
    const column = columns[last];
    const cell = column.fit !== undefined ? column.fit(r, room) : row[last];
    return [...row.slice(0, last), truncateEnd(cell, room)];
  });
  if (columns[last].align === 'left') widths[last] = Math.min(room, Math.max(textWidth(columns[last].header), ...fitted.map((row) => textWidth(row[last]))));
  const line = (cells: readonly string[]) =>
    (' '.repeat(indent) + cells.map((cell, c) => (c === last && columns[c].align === 'left' ? cell : pad(cell, widths[c], columns[c].align))).join('  ')).trimEnd();
  const header = line(columns.map((column) => column.header));
  return [style.colors.dim(header), ...fitted.map(line)];
}

/** A section heading. */
export function heading(text: string, style: ReportStyle): string {
  return style.colors.bold(text);
}

/** Word-wraps `text` to `width`, continuation lines indented by `hang` spaces; words longer than a line are cut. */
export function wrap(text: string, width: number, hang: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    const prefix = out.length === 0 ? 0 : hang;
    if (prefix + textWidth(candidate) <= width || line === '') {
      line = candidate;
    } else {
      out.push(line);
      line = word;
    }
  }
  out.push(line);
  return out.flatMap((piece, i) => {
    const prefix = i === 0 ? '' : ' '.repeat(hang);
    const room = Math.max(10, width - prefix.length);
    const chars = Array.from(piece);
    const chunks: string[] = [];
    for (let at = 0; at < chars.length || at === 0; at += room) chunks.push(prefix + chars.slice(at, at + room).join(''));
    return chunks;
  });
}

/** A dim remark under a section, indented by two and wrapped to the width. */
export function note(text: string, style: ReportStyle): string[] {
  return wrap(text, style.width - 2, 0).map((line) => style.colors.dim(`  ${line}`));
}
