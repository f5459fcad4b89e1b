type NumberArray = Float64Array | Int32Array;

/**
 * A growable typed array: amortized O(1) push, no boxing (durations, tree columns, ids). A
 * capacity of 0 allocates nothing until the first push (a list many threads never use), and no
 * closure is kept per list: a trace can have 100,000 threads with a dozen lists each.
 */
abstract class GrowableArray<T extends NumberArray> {
  private items: T;
  length = 0;

  constructor(initialCapacity: number) {
    this.items = this.make(initialCapacity);
  }

  protected abstract make(capacity: number): T;

  push(value: number): void {
    if (this.length === this.items.length) {
      const bigger = this.make(Math.max(4, this.items.length * 2));
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
    super(initialCapacity);
  }

  protected make(capacity: number): Float64Array {
    return capacity === 0 ? EMPTY_FLOAT64 : new Float64Array(capacity);
  }
}

/** 4 bytes an item: ids. */
export class Int32List extends GrowableArray<Int32Array> {
  constructor(initialCapacity = 16) {
    super(initialCapacity);
  }

  protected make(capacity: number): Int32Array {
    return capacity === 0 ? EMPTY_INT32 : new Int32Array(capacity);
  }
}

// Shared by every empty list: never written (a push first replaces it).
const EMPTY_FLOAT64 = new Float64Array(0);
const EMPTY_INT32 = new Int32Array(0);
