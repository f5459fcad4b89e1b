/**
 * Hashing frame keys (`file<sep>function<sep>line`) four bytes at a time, as the hot parsers scan
 * them. On this kind of machine a JavaScript byte loop costs about as much per byte as a word
 * operation costs per four, so the fast loops find separators and the line end with SWAR tests
 * on 32-bit words (read through a DataView) and hash whole words.
 *
 * The hash is defined so that the scanning and the non-scanning versions agree: from the key's
 * first byte, each 4-byte word that lies inside the key and holds no separator is hashed as one
 * word; the key's other bytes are hashed one by one.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const NEWLINES = 0x0a0a0a0a;

/** A word with `byte` in each of its four bytes. */
export function repeatByte(byte: number): number {
  return Math.imul(byte, ONES);
}

/** Does the 32-bit word hold a zero byte? (the classic SWAR test) */
function hasZeroByte(word: number): boolean {
  return ((word - ONES) & ~word & HIGHS) !== 0;
}

/** A DataView over a whole buffer. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The key hash of bytes[start, end) (see the module comment); `separator` is the separator byte. */
export function hashKey(view: DataView, bytes: Uint8Array, start: number, end: number, separator: number, separators: number): number {
  let hash = FNV_OFFSET;
  let i = start;
  while (i < end) {
    if (i + 4 <= end) {
      const word = view.getInt32(i, true);
      if (!hasZeroByte(word ^ separators)) {
        hash = Math.imul(hash ^ word, FNV_PRIME);
        i += 4;
        continue;
      }
    }
    const stop = i + 4 < end ? i + 4 : end;
    for (; i < stop; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  }
  return (hash ^ (end - start)) >>> 0;
}

/** What scanKey found: the hash and where the last two separators are. */
export interface KeyScan {
  hash: number;
  /** The last separator before the line end (before the line number), or -1. */
  lastSeparator: number;
  /** The one before it (before the function name), or -1. */
  previousSeparator: number;
}

/**
 * A one-test filter for "this word may hold the separator or a newline": bytes whose masked value
 * equals the pattern. It may also let other bytes through (those words are then read byte by
 * byte), never miss one.
 */
export interface StopBytes {
  readonly mask: number;
  readonly pattern: number;
}

/** The stop-byte filter for a separator and the newline: the bits in which they agree. */
export function stopBytes(separator: number): StopBytes {
  const mask = ~(separator ^ 10) & 0xff;
  return { mask: repeatByte(mask), pattern: repeatByte(10 & mask) };
}

/**
 * Scans a key from `start` to the end of its line: returns the index of the newline (or -1 if
 * there is none before `limit`), and fills `out` with the key's hash (as hashKey would compute it
 * for bytes[start, newline)) and its last two separators.
 */
export function scanKey(view: DataView, bytes: Uint8Array, start: number, limit: number, separator: number, separators: number, stop: StopBytes, out: KeyScan): number {
  const mask = stop.mask;
  const pattern = stop.pattern;
  let hash = FNV_OFFSET;
  let last = -1;
  let previous = -1;
  let i = start;
  for (;;) {
    if (i + 4 <= limit) {
      const word = view.getInt32(i, true);
      if (!hasZeroByte((word & mask) ^ pattern)) {
        hash = Math.imul(hash ^ word, FNV_PRIME);
        i += 4;
        continue;
      }
    }
    // A word that may hold a separator or the newline (or the last bytes): byte by byte. Hashed
    // words must hold no separator, as in hashKey.
    if (i + 4 <= limit) {
      const word = view.getInt32(i, true);
      if (!hasZeroByte(word ^ separators) && !hasZeroByte(word ^ NEWLINES)) {
        hash = Math.imul(hash ^ word, FNV_PRIME);
        i += 4;
        continue;
      }
    }
    const stop = i + 4 < limit ? i + 4 : limit;
    if (i >= stop) return -1;
    for (; i < stop; i++) {
      const c = bytes[i];
      if (c === 10) {
        out.hash = (hash ^ (i - start)) >>> 0;
        out.lastSeparator = last;
        out.previousSeparator = previous;
        return i;
      }
      if (c === separator) {
        previous = last;
        last = i;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
  }
}
