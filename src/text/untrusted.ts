// Names in a trace are untrusted: a function may be called `</script><script>alert(1)` or hold
// terminal escape sequences. One policy for all of them: visibleText first (what every view shows
// is what the trace holds, invisible characters included, as escapes), then the escaper for where
// the text lands: a terminal, HTML, XML (SVG), Markdown, or JSON inside a <script> element.

// C0/C1 controls, bidi overrides and marks, U+2028/2029, noncharacters U+FFFE/U+FFFF, and lone
// surrogates (halves of no pair).
const INVISIBLE =
  /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text with control, bidi and unpaired-surrogate characters as visible `\xNN` / `\uNNNN`
 * escapes: nothing in a name can move the cursor, recolour or retitle a terminal, or hide or
 * reorder what follows.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Text safe to print on a terminal (visibleText: terminals need nothing more). */
export const terminalText = visibleText;

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute value. */
export function htmlText(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]);
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Text for XML 1.0 element content or a quoted attribute value (SVG). After visibleText it holds
 * none of the characters XML forbids (controls, U+FFFE/U+FFFF, lone surrogates).
 */
export function xmlText(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (char) => XML_ENTITIES[char]);
}

/**
 * Text made inert in GitHub Markdown: HTML special characters as entities, Markdown punctuation
 * (including the table's `|`, and `@` so a name cannot mention anyone in a pull-request comment)
 * backslashed.
 */
export function markdownText(text: string): string {
  return visibleText(text)
    .replace(/[\\`*_{}[\]()#+\-.!|~:@]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JSON safe inside a <script> element: `<`, `>` and `&` as \u escapes so no `</script>` or
 * `<!--` can end or confuse the element, U+2028/2029 escaped for old JavaScript parsers.
 * JSON.stringify already writes lone surrogates as \u escapes.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
