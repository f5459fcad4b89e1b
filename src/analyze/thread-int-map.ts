import type { IntPairMap } from './int-pair-map.js';

const EMPTY = new Int32Array(0);

/**
 * One thread's map from ids (frames, functions) to non-negative integers. A thread starts with
 * none of its own memory: its entries live in a map shared by all threads, keyed (thread, id),
 * so 100,000 short threads cost nothing each. A busy thread is given a dense array for the ids
 * below a capacity that grows with its own events (see `reserve`), where a lookup is an index
 * instead of a hash: memory follows the thread's events, never the threads times the ids.
 */
export class ThreadIntMap {
  /** value + 1 by id, 0 when absent, for ids below its length. */
  private dense = EMPTY;

  constructor(
    private readonly shared: IntPairMap,
    private readonly thread: number,
    /** The owner's list of every id it has put in (at least), to move into `dense` when it grows. */
    private readonly ids: readonly number[],
  ) {}

  /** The value for `id`, or -1. */
  get(id: number): number {
    const dense = this.dense;
    return id < dense.length ? dense[id] - 1 : this.shared.get(this.thread, id);
  }

  set(id: number, value: number): void {
    const dense = this.dense;
    if (id < dense.length) {
      dense[id] = value + 1;
      return;
    }
    this.shared.set(this.thread, id, value);
  }

  /** Adds `delta` to the value for `id` (0 when absent) and returns the sum. */
  add(id: number, delta: number): number {
    const dense = this.dense;
    if (id < dense.length) {
      const was = dense[id];
      dense[id] = (was === 0 ? 1 : was) + delta;
      return dense[id] - 1;
    }
    return this.shared.add(this.thread, id, delta);
  }

  /** Gives ids below `capacity` a dense slot (moving what the shared map holds for them). */
  reserve(capacity: number): void {
    const old = this.dense;
    if (capacity <= old.length) return;
    const dense = new Int32Array(capacity);
    dense.set(old);
    for (const id of this.ids) {
      if (id >= old.length && id < capacity) {
        const value = this.shared.get(this.thread, id);
        if (value >= 0) dense[id] = value + 1;
      }
    }
    this.dense = dense;
  }
}
