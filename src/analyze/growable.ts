type NumberArray = Float64Array | Int32Array;

/** A growable typed array: amortized O(1) push, no boxing (durations, tree columns, ids). */
class GrowableArray<T extends NumberArray> {
  private items: T;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => T,
    initialCapacity: number,
  ) {
    this.items = make(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = this.make(this.items.length * 2);
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
  view(): T {
    return this.items.subarray(0, this.length) as T;
  }
}

/** 8 bytes an item: times and counts as exact doubles. */
export class Float64List extends GrowableArray<Float64Array> {
  constructor(initialCapacity = 16) {
    super((n) => new Float64Array(n), initialCapacity);
  }
}

/** 4 bytes an item: ids. */
export class Int32List extends GrowableArray<Int32Array> {
  constructor(initialCapacity = 16) {
    super((n) => new Int32Array(n), initialCapacity);
  }
}
