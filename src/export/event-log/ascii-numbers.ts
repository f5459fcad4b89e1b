/**
 * Numbers written as ASCII digits straight into a byte buffer, exactly as `String(value)` prints
 * them: the event-log writers print millions of numbers, and a string per number (then encoded
 * again as UTF-8) was most of their cost. Each function returns the position after what it wrote;
 * the caller has made room (MAX_NUMBER_BYTES for one number).
 */

const ZERO = 48;
const BILLION = 1e9;

/** The most bytes `String(number)` takes (e.g. "-1.2345678901234567e-308" is 24). */
export const MAX_NUMBER_BYTES = 25;

/** Writes `String(value)`. */
export function writeNumber(buf: Uint8Array, pos: number, value: number): number {
  if (value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value)) return writeWhole(buf, pos, value);
  return writeAscii(buf, pos, String(value));
}

/** Writes a whole number 0 <= value <= 2^53 - 1 (-0 as "0", as String does). */
export function writeWhole(buf: Uint8Array, pos: number, value: number): number {
  if (value < BILLION) return writeBelowBillion(buf, pos, value | 0);
  // Below 2^53 the billions part is below 10^7, and each part fits int32 arithmetic.
  const high = Math.floor(value / BILLION);
  const low = value - high * BILLION;
  return writeNineDigits(buf, writeBelowBillion(buf, pos, high), low);
}

/** Writes 0 <= n < 10^9, without leading zeros. */
export function writeBelowBillion(buf: Uint8Array, pos: number, n: number): number {
  const end = pos + digitCount(n);
  let at = end;
  do {
    const next = (n / 10) | 0;
    buf[--at] = ZERO + n - next * 10;
    n = next;
  } while (n !== 0);
  return end;
}

/** "00".."99": two digits per division (a timestamp's nanoseconds are nine digits on every row). */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : ((i >> 1) / 10) | 0));

/** Writes 0 <= n < 10^9 as exactly nine digits (leading zeros kept). */
export function writeNineDigits(buf: Uint8Array, pos: number, n: number): number {
  let rest = n | 0;
  for (let at = pos + 7; at > pos; at -= 2) {
    const next = (rest / 100) | 0;
    const pair = (rest - next * 100) << 1;
    buf[at] = DIGIT_PAIRS[pair];
    buf[at + 1] = DIGIT_PAIRS[pair + 1];
    rest = next;
  }
  buf[pos] = ZERO + rest;
  return pos + 9;
}

function digitCount(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : 9;
}

/** Writes a string of ASCII characters (digits, signs, exponents: what String(number) prints). */
export function writeAscii(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos + i] = text.charCodeAt(i);
  return pos + text.length;
}

/**
 * Writes the exact absolute timestamp `seconds * 10^9 + nanos + relativeNs` (a TimeBase's base in
 * parts plus an event's relative ns), as TimeBase.absolute prints it, without a BigInt even for
 * epoch-sized clocks (beyond 2^53); returns -1, writing nothing, when the value is not a whole
 * number >= 0 within the range this handles (the caller then prints TimeBase.absolute's string).
 */
export function writeAbsoluteNs(
  buf: Uint8Array,
  pos: number,
  seconds: number,
  nanos: number,
  relativeNs: number,
): number {
  const total = nanos + relativeNs;
  if (!(Math.abs(total) <= Number.MAX_SAFE_INTEGER) || !Number.isInteger(total)) return -1;
  let carry = Math.floor(total / BILLION);
  let ns = total - carry * BILLION;
  // The division may round across a whole second for large totals: correct it exactly.
  if (ns < 0) {
    carry--;
    ns += BILLION;
  } else if (ns >= BILLION) {
    carry++;
    ns -= BILLION;
  }
  const wholeSeconds = seconds + carry;
  if (wholeSeconds < 0 || wholeSeconds > Number.MAX_SAFE_INTEGER) return -1;
  if (wholeSeconds === 0) return writeBelowBillion(buf, pos, ns);
  return writeNineDigits(buf, writeWhole(buf, pos, wholeSeconds), ns);
}
