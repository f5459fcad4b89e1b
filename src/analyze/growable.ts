/** A growable Float64Array: amortized O(1) push, 8 bytes an item (durations, times). */
export class Float64List {
  private items: Float64Array;
  length = 0;

  constructor(initialCapacity = 16) {
    this.items = new Float64Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = new Float64Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = value;
  }

  get(index: number): number {
    return this.items[index];
  }

  set(index: number, value: number): void {
    this.items[index] = value;
  }

  /** Adds `delta` to item `index`. */
  add(index: number, delta: number): void {
    this.items[index] += delta;
  }

  /** The items as a view (valid until the next push). */
  view(): Float64Array {
    return this.items.subarray(0, this.length);
  }
}

/** A growable Int32Array. */
export class Int32List {
  private items: Int32Array;
  length = 0;

  constructor(initialCapacity = 16) {
    this.items = new Int32Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = new Int32Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.length++] = value;
  }

  get(index: number): number {
    return this.items[index];
  }

  set(index: number, value: number): void {
    this.items[index] = value;
  }

  view(): Int32Array {
    return this.items.subarray(0, this.length);
  }
}
