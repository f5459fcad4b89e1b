/**
 * Text made safe for XML 1.0 (element content and attribute values): characters XML forbids (C0
 * controls but tab/newline/return, U+FFFE/U+FFFF, lone surrogates) and C1 controls and bidi
 * overrides become U+FFFD; tab, newline and return become spaces; & < > " ' become entities.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\t\n\r]/g, ' ')
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The first `max` characters (code points) of `text`, ending in `..` when cut; '' below 3. */
export function truncateLabel(text: string, max: number): string {
  if (max < 3) return '';
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 2).join('')}..`;
}
