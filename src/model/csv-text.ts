/** CSV cells of the event log, written and read back (pyflame's own CSV format). */

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Text that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`) starts
 * with one of these (OWASP, "CSV Injection"); `'` is here too so that the mark stays reversible.
 */
const FORMULA_START = /^[=+\-@\t\r']/;

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A name from the trace as a CSV cell no spreadsheet evaluates: one starting like a formula gets a
 * leading `'` (shown by spreadsheets as text, removed again by pyflame's CSV reader) and quotes.
 */
export function csvTextField(value: string): string {
  return FORMULA_START.test(value) ? `"'${value.replace(/"/g, '""')}"` : csvField(value);
}

/** The name a {@link csvTextField} cell holds. */
export function csvTextValue(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}
