// Names in a trace are untrusted: a function may be called `</script><script>alert(1)`. Every
// name passes visibleText (so what the page shows is what the trace holds, control characters
// included, as escapes) and then the escaper for where it lands: element text, an attribute
// value, or JSON inside a <script> element.

// C0/C1 controls, bidi overrides and marks, U+2028/2029, noncharacters U+FFFE/U+FFFF, and lone
// surrogates (halves of no pair).
const INVISIBLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text with control, bidi and unpaired-surrogate characters as visible `\xNN` / `\uNNNN`
 * escapes, as the terminal report shows them: nothing in a name can hide or reorder what follows.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute value (after visibleText). */
export function html(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/**
 * JSON safe inside a <script> element: `<`, `>` and `&` as \u escapes so no `</script>` or
 * `<!--` can end or confuse the element, U+2028/2029 escaped for old JavaScript parsers.
 * JSON.stringify already writes lone surrogates as \u escapes.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
