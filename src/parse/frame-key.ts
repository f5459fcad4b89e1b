/**
 * Hashing frame keys (`file<sep>function<sep>line`) straight from the input bytes, four bytes at a
 * time: in JavaScript a byte loop costs about as much per byte as a word operation per four.
 * Every whole 4-byte word of the key is hashed as one word, the last (length mod 4) bytes one by
 * one, and the length is mixed in.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The DataView of the buffer lines come from, made once per buffer (one per input chunk). */
export class ViewCache {
  private bytes: Uint8Array | undefined;
  private view: DataView | undefined;

  of(bytes: Uint8Array): DataView {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view!;
  }
}

/** The key hash of bytes[start, end) (see the module comment). */
export function hashKey(view: DataView, bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), FNV_PRIME);
  for (; i < end; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  return (hash ^ (end - start)) >>> 0;
}
