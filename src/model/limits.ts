// The ranges of the numbers a trace may hold (docs/damage.md, "Limits and out-of-range values").
// Past them a number cannot be held exactly (pids, counts and time spans are doubles downstream)
// or would overflow (a 300-digit timestamp is Infinity): such an event is refused as damage, a
// counted `out-of-range` warning, never rounded, wrapped or passed on.

/** pid and tid: exact in a double up to 2^53 - 1 (Linux ids have 32 bits; macOS thread ids 64, counted from boot). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Source line numbers: CPython's probes print a C int. */
export const MIN_LINE = -2147483648;
export const MAX_LINE = 2147483647;

/** GC generations and collected counts, import found flags, call and drop counts: |value| at most. */
export const MAX_VALUE = Number.MAX_SAFE_INTEGER;

/**
 * Timestamps are at most 2^63 - 1 ns (292 years: a signed 64-bit clock, the widest the tracers
 * print), held as seconds and nanoseconds, each below 2^53.
 */
export const MAX_TIMESTAMP_SECONDS = 9223372036;
export const MAX_TIMESTAMP_NANOS = 854775807;

/** An event is at most 2^53 - 1 ns (104 days) before or after the trace's first: exact as a double. */
export const MAX_SPAN_NS = Number.MAX_SAFE_INTEGER;

/** The warning code of a refused number. */
export const OUT_OF_RANGE = 'out-of-range';

/** How each limit is stated in `out-of-range` warnings. */
export const ID_LIMIT = 'is more than 2^53 - 1 (9007199254740991)';
export const LINE_LIMIT = 'is not a C int (-2147483648 to 2147483647)';
export const VALUE_LIMIT = 'is more than 2^53 - 1 (9007199254740991) in size';

/** Digits quoted in a message: enough to tell the number, not the whole of a hostile one. */
const QUOTED_DIGITS = 40;

/** `text` for a message, cut to its first 40 characters. */
export function quoteNumber(text: string): string {
  return text.length > QUOTED_DIGITS ? `${text.slice(0, QUOTED_DIGITS)}… (${text.length} characters)` : text;
}

/** Is `value` (parsed from digits, so possibly rounded or Infinity) a pid/tid pyflame holds? */
export function idInRange(value: number): boolean {
  return value <= MAX_ID;
}

export function lineInRange(value: number): boolean {
  return value >= MIN_LINE && value <= MAX_LINE;
}

export function valueInRange(value: number): boolean {
  return value >= -MAX_VALUE && value <= MAX_VALUE;
}
