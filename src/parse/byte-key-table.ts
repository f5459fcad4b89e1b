/**
 * A hash table from byte strings to integers that looks keys up straight from the input buffer,
 * without making a JS string per lookup. Keys are copied into one arena when added; a lookup
 * compares whole keys, so hash collisions never merge two keys.
 */
export class ByteKeyTable {
  private slots = new Int32Array(1024).fill(-1);
  private mask = 1023;
  // Keys start at multiples of 4, so that a lookup compares them as 32-bit words.
  private arena = new Uint8Array(1 << 16);
  private arenaWords = new Int32Array(this.arena.buffer);
  private arenaUsed = 0;
  private hashes = new Uint32Array(256);
  private offsets = new Uint32Array(256);
  private lengths = new Uint32Array(256);
  private values = new Int32Array(256);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value stored for the key view[start, end) with hash `hash`, or -1. */
  get(view: DataView, start: number, end: number, hash: number): number {
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot];
      if (entry < 0) return -1;
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.sameKey(entry, view, start, length))
        return this.values[entry];
    }
  }

  /** Stores `value` for a key that get() did not find. */
  add(bytes: Uint8Array, start: number, end: number, hash: number, value: number): void {
    const length = end - start;
    if (this.count * 2 >= this.slots.length) this.growSlots();
    if (this.count === this.values.length) this.growEntries();
    while (this.arenaUsed + length + 4 > this.arena.length) {
      const arena = new Uint8Array(this.arena.length * 2);
      arena.set(this.arena);
      this.arena = arena;
      this.arenaWords = new Int32Array(arena.buffer);
    }
    const entry = this.count++;
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    this.hashes[entry] = hash;
    this.offsets[entry] = this.arenaUsed;
    this.lengths[entry] = length;
    this.values[entry] = value;
    this.arenaUsed += (length + 3) & ~3;
    this.place(entry);
  }

  private sameKey(entry: number, view: DataView, start: number, length: number): boolean {
    const words = this.arenaWords;
    const offset = this.offsets[entry];
    let w = offset >> 2;
    let i = 0;
    for (; i + 4 <= length; i += 4, w++) if (words[w] !== view.getInt32(start + i, true)) return false;
    const arena = this.arena;
    for (; i < length; i++) if (arena[offset + i] !== view.getUint8(start + i)) return false;
    return true;
  }

  private place(entry: number): void {
    let slot = this.hashes[entry] & this.mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry;
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) this.place(entry);
  }

  private growEntries(): void {
    const grow = <T extends Uint32Array | Int32Array>(array: T, make: (n: number) => T): T => {
      const bigger = make(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.hashes = grow(this.hashes, (n) => new Uint32Array(n));
    this.offsets = grow(this.offsets, (n) => new Uint32Array(n));
    this.lengths = grow(this.lengths, (n) => new Uint32Array(n));
    this.values = grow(this.values, (n) => new Int32Array(n));
  }
}
