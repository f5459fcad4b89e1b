/**
 * Hashing frame keys (`file<sep>function<sep>line`) four bytes at a time, as the hot parsers scan
 * them. On this kind of machine a JavaScript byte loop costs about as much per byte as a word
 * operation costs per four, so the fast loops find separators and the line end with SWAR tests on
 * 32-bit words (read through a DataView) and hash whole words.
 *
 * The hash of a key: from its first byte, every whole 4-byte word is hashed as one word, the last
 * (length mod 4) bytes one by one, and the length is mixed in. hashKey computes it for a known
 * range; scanKey computes the same while it looks for the end of the line.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const NEWLINE = 10;

/** A word with `byte` in each of its four bytes. */
export function repeatByte(byte: number): number {
  return Math.imul(byte, ONES);
}

/** Does the 32-bit word hold a zero byte? (the classic SWAR test; exact as a yes/no) */
function hasZeroByte(word: number): boolean {
  return ((word - ONES) & ~word & HIGHS) !== 0;
}

/** A DataView over a whole buffer. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The key hash of bytes[start, end) (see the module comment). */
export function hashKey(view: DataView, bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), FNV_PRIME);
  for (; i < end; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
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
 * equals the pattern. It may also let other bytes through (those words are then looked at byte by
 * byte), never miss one.
 */
export interface StopBytes {
  readonly separator: number;
  readonly mask: number;
  readonly pattern: number;
}

/** The stop-byte filter for a separator and the newline: the bits in which they agree. */
export function stopBytes(separator: number): StopBytes {
  const mask = ~(separator ^ NEWLINE) & 0xff;
  return { separator, mask: repeatByte(mask), pattern: repeatByte(NEWLINE & mask) };
}

/**
 * Scans a key from `start` to the end of its line: returns the index of the newline (or -1 if
 * there is none before `limit`), and fills `out` with hashKey(bytes[start, newline)) and the
 * key's last two separators.
 */
export function scanKey(view: DataView, bytes: Uint8Array, start: number, limit: number, stop: StopBytes, out: KeyScan): number {
  const { separator, mask, pattern } = stop;
  let hash = FNV_OFFSET;
  let last = -1;
  let previous = -1;
  let i = start;
  for (; i + 4 <= limit; i += 4) {
    const word = view.getInt32(i, true);
    if (hasZeroByte((word & mask) ^ pattern)) {
      // The word may hold a separator or the newline: look at its bytes.
      for (let j = i; j < i + 4; j++) {
        const c = bytes[j];
        if (c === NEWLINE) return finish(bytes, hash, start, i, j, last, previous, out);
        if (c === separator) {
          previous = last;
          last = j;
        }
      }
    }
    hash = Math.imul(hash ^ word, FNV_PRIME);
  }
  for (let j = i; j < limit; j++) {
    const c = bytes[j];
    if (c === NEWLINE) return finish(bytes, hash, start, i, j, last, previous, out);
    if (c === separator) {
      previous = last;
      last = j;
    }
  }
  return -1;
}

/** Hashes the key's last bytes [from, newline) one by one and reports. */
function finish(bytes: Uint8Array, hash: number, start: number, from: number, newline: number, last: number, previous: number, out: KeyScan): number {
  for (let k = from; k < newline; k++) hash = Math.imul(hash ^ bytes[k], FNV_PRIME);
  out.hash = (hash ^ (newline - start)) >>> 0;
  out.lastSeparator = last;
  out.previousSeparator = previous;
  return newline;
}
