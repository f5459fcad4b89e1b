import type { StringTable } from '../../model/string-table.js';

const encoder = new TextEncoder();

/**
 * Every string of a trace's StringTable encoded once, as its cell in an output (CSV-quoted, or a
 * JSON string), in UTF-8 bytes: names repeat on every event, so a writer copies these bytes
 * instead of quoting and encoding a string per row. The bytes of all strings sit in one growing
 * array (memory about the size of the names themselves, not an object per name): string `id` is
 * `bytes[offsets[id], offsets[id + 1])`.
 */
export class EncodedStrings {
  bytes: Uint8Array = new Uint8Array(1 << 16);
  view: DataView = viewOf(this.bytes);
  offsets = new Uint32Array(1024);
  /** Strings encoded so far (ids 0 .. count - 1). */
  count = 0;
  /** The longest encoded string so far, in bytes (for room checks). */
  longest = 0;

  constructor(private readonly encode: (value: string) => string) {}

  /** Encodes the strings interned since the last call: afterwards every id below strings.size is here. */
  update(strings: StringTable): void {
    for (let id = this.count; id < strings.size; id++) this.add(this.encode(strings.get(id)));
  }

  private add(cell: string): void {
    const start = this.offsets[this.count];
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (start + cell.length * 3 > this.bytes.length) {
      this.bytes = grown(this.bytes, start + cell.length * 3);
      this.view = viewOf(this.bytes);
    }
    const { written } = encoder.encodeInto(cell, this.bytes.subarray(start));
    if (this.count + 2 > this.offsets.length) {
      const offsets = new Uint32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.offsets[++this.count] = start + written;
    if (written > this.longest) this.longest = written;
  }
}

function grown(bytes: Uint8Array, needed: number): Uint8Array {
  let size = bytes.length * 2;
  while (size < needed) size *= 2;
  const copy = new Uint8Array(size);
  copy.set(bytes);
  return copy;
}

/**
 * Copies `from[start, end)` to `to` at `pos` (each with a DataView over the same bytes); returns
 * the position after it. Four bytes at a time through the views: a row is mostly copied names,
 * and a byte loop was most of the writers' time.
 */
export function copyBytes(
  from: Uint8Array,
  fromView: DataView,
  start: number,
  end: number,
  to: Uint8Array,
  toView: DataView,
  pos: number,
): number {
  let i = start;
  for (; i + 4 <= end; i += 4, pos += 4) toView.setInt32(pos, fromView.getInt32(i));
  for (; i < end; i++) to[pos++] = from[i];
  return pos;
}

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
