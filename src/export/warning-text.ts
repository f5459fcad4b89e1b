import type { Warning } from '../model/diagnostics.js';

// How a warning is told, the same on stderr, in the terminal report and on the HTML page.

/** Where a warning was seen: `lines 3, 9, …` (`…` when it was seen on more lines than kept), '' when no line is known. */
export function warningLines(warning: Warning): string {
  if (warning.lines.length === 0) return '';
  const more = warning.occurrences > warning.lines.length ? ', …' : '';
  return `line${warning.lines.length > 1 ? 's' : ''} ${warning.lines.join(', ')}${more}`;
}

/** How often: `once`, or the count (as `format` writes it) and its unit: `12 times`, `3 calls`. */
export function warningCount(warning: Warning, format: (count: number) => string = String): string {
  return warning.count === 1 && warning.unit === 'times' ? 'once' : `${format(warning.count)} ${warning.unit}`;
}
