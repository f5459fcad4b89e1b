// Fitting text into a width: counting, cutting and shortening paths. Give these terminal-safe
// or otherwise escaped text only where the comments say so.

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

/** The first `max` characters (code points) of `text`, ending in `..` when cut (a flame graph's label, as flamegraph.pl cuts them); '' below 3. */
export function truncateLabel(text: string, max: number): string {
  if (max < 3) return '';
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 2).join('')}..`;
}
