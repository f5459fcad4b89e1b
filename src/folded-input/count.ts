const DIGIT_0 = 48;
const DIGIT_9 = 57;
// A number as folded files write it: integer, decimal (`1.5`, `.5`), optionally an exponent
// (`2e3`) or a sign; `nan` and `inf` are read too, so the reader can call them bad counts.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:nan|inf|infinity)$/i;

/**
 * The count at bytes[start, end): a number (possibly negative or not finite, for the caller to
 * judge), or undefined when the field is not a number at all. Plain digits, nearly every count,
 * are read without making a string.
 */
export function parseCount(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start <= 15) {
    let value = 0;
    let i = start;
    for (; i < end; i++) {
      const byte = bytes[i];
      if (byte < DIGIT_0 || byte > DIGIT_9) break;
      value = value * 10 + (byte - DIGIT_0);
    }
    if (i === end) return value;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  if (!NUMBER.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^[+-]/, '');
  if (lower === 'nan') return NaN;
  if (lower.startsWith('inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}
