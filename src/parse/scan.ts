// Allocation-free scanners over a range of bytes, for the hot parsers.

/** Index of the first byte in [start, end) that is not an ASCII digit. */
export function skipDigits(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = bytes[i];
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/**
 * The value of the ASCII digits [start, end) (the caller has checked them), exact up to 15 digits.
 * Four digits at a time: the per-digit multiply-add chain is what makes digit loops slow.
 */
export function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let i = start;
  for (; i + 4 <= end; i += 4)
    value = value * 10000 + (bytes[i] * 1000 + bytes[i + 1] * 100 + bytes[i + 2] * 10 + bytes[i + 3] - 53328);
  for (; i < end; i++) value = value * 10 + (bytes[i] - 48);
  return value;
}

/** The non-negative integer in [start, end), or -1 if the range is empty or not all digits. */
export function parseUint(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** The integer (optionally negative) in [start, end), or NaN. */
export function parseInt10(bytes: Uint8Array, start: number, end: number): number {
  if (end > start && bytes[start] === 45) {
    const value = parseUint(bytes, start + 1, end);
    return value < 0 ? NaN : -value;
  }
  const value = parseUint(bytes, start, end);
  return value < 0 ? NaN : value;
}

/** Index of the first byte `code` in [start, end), or -1. */
export function indexOfByte(bytes: Uint8Array, code: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === code) return i;
  return -1;
}

/** Index of the last byte `code` in [start, end), or -1. */
export function lastIndexOfByte(bytes: Uint8Array, code: number, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (bytes[i] === code) return i;
  return -1;
}

/** Does bytes[start, ...) begin with the ASCII text `ascii`? */
export function startsWithAscii(bytes: Uint8Array, start: number, end: number, ascii: string): boolean {
  if (end - start < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[start + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** The bytes [start, end) as a latin1 string (one char per byte): for parsers off the hot path. */
export function latin1(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, end);
}
