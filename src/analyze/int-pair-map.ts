/**
 * A hash map from pairs of non-negative 32-bit integers to non-negative integers, in typed arrays:
 * no key object, no boxed number per lookup (a JS Map keyed by `a * 2^32 + b` allocates one for
 * each), which matters at tens of millions of lookups.
 */
export class IntPairMap {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  /**
   * `capacity`: slots to start with (a power of two), or 0 to allocate nothing before the first
   * set (the maps every thread has, most of which stay empty).
   */
  constructor(capacity = 1024) {
    this.keysA = capacity === 0 ? EMPTY : new Int32Array(capacity).fill(-1);
    this.keysB = capacity === 0 ? EMPTY : new Int32Array(capacity);
    this.values = capacity === 0 ? EMPTY : new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value for (a, b), or -1. */
  get(a: number, b: number): number {
    if (this.count === 0) return -1;
    const mask = this.mask;
    for (let slot = hashPair(a, b) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keysA[slot];
      if (key === -1) return -1;
      if (key === a && this.keysB[slot] === b) return this.values[slot];
    }
  }

  /** Sets the value for (a, b) (a and b at least 0). */
  set(a: number, b: number, value: number): void {
    if ((this.count + 1) * 2 > this.keysA.length) this.grow();
    const mask = this.mask;
    for (let slot = hashPair(a, b) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keysA[slot];
      if (key === -1) {
        this.keysA[slot] = a;
        this.keysB[slot] = b;
        this.values[slot] = value;
        this.count++;
        return;
      }
      if (key === a && this.keysB[slot] === b) {
        this.values[slot] = value;
        return;
      }
    }
  }

  /** Adds `delta` to the value for (a, b) (0 when absent) and returns the sum: one probe, not two. */
  add(a: number, b: number, delta: number): number {
    if ((this.count + 1) * 2 > this.keysA.length) this.grow();
    const mask = this.mask;
    for (let slot = hashPair(a, b) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keysA[slot];
      if (key === -1) {
        this.keysA[slot] = a;
        this.keysB[slot] = b;
        this.values[slot] = delta;
        this.count++;
        return delta;
      }
      if (key === a && this.keysB[slot] === b) return (this.values[slot] += delta);
    }
  }

  private grow(): void {
    const { keysA, keysB, values } = this;
    const capacity = Math.max(16, keysA.length * 2);
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let slot = 0; slot < keysA.length; slot++)
      if (keysA[slot] !== -1) this.set(keysA[slot], keysB[slot], values[slot]);
  }
}

/** The empty map's arrays (shared: the first set replaces them). */
const EMPTY = new Int32Array(0);

function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
