import type { Colors } from 'picocolors/types.js';
import { textWidth, truncateEnd } from '../../text/fit.js';

// The terminal report's layout: tables fitted to the terminal's width, headings and notes.

/** How the report is drawn: colours (possibly all no-ops) and the line width to fit. */
export interface ReportStyle {
  readonly colors: Colors;
  readonly width: number;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'left' ? text + fill : fill + text;
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
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  style: ReportStyle,
  indent = 2,
): string[] {
  const widths = columns.map((column, c) =>
    Math.max(textWidth(column.header), ...rows.map((row) => textWidth(row[c] ?? ''))),
  );
  const last = columns.length - 1;
  const fixed = indent + widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const room = Math.max(12, style.width - fixed);
  const fitted = rows.map((row, r) => {
    const column = columns[last];
    const cell = column.fit !== undefined ? column.fit(r, room) : row[last];
    return [...row.slice(0, last), truncateEnd(cell, room)];
  });
  if (columns[last].align === 'left')
    widths[last] = Math.min(
      room,
      Math.max(textWidth(columns[last].header), ...fitted.map((row) => textWidth(row[last]))),
    );
  const line = (cells: readonly string[]) =>
    (
      ' '.repeat(indent) +
      cells
        .map((cell, c) => (c === last && columns[c].align === 'left' ? cell : pad(cell, widths[c], columns[c].align)))
        .join('  ')
    ).trimEnd();
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
    for (let at = 0; at < chars.length || at === 0; at += room)
      chunks.push(prefix + chars.slice(at, at + room).join(''));
    return chunks;
  });
}

/** A dim remark under a section, indented by two and wrapped to the width. */
export function note(text: string, style: ReportStyle): string[] {
  return wrap(text, style.width - 2, 0).map((line) => style.colors.dim(`  ${line}`));
}
