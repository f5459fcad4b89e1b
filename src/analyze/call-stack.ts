/**
 * A thread's stack of open calls as parallel typed arrays (one slot per depth, growing by
 * doubling): entering and leaving a call allocates nothing.
 */
export class CallStack {
  /** Call-tree node of the call (hidden calls carry the node of the visible call they run under). */
  node = new Int32Array(64);
  /** (file, function) pair, on which returns are matched. */
  pair = new Int32Array(64);
  /** Function identity. */
  fn = new Int32Array(64);
  /** 1 when the call is in the tree (not excluded, in focus). */
  visible = new Int32Array(64);
  /** The level whose self time this call's duration is taken from (nearest visible below). */
  owner = new Int32Array(64);
  start = new Float64Array(64);
  /** Time spent in visible calls made under this one (for its self time). */
  childNs = new Float64Array(64);
  /** Events that fired while this call was on top, and inside its callees (--overhead). */
  ownEvents = new Float64Array(64);
  innerEvents = new Float64Array(64);
  /** The line running in this call (index into the thread's line table, -1 none) and since when. */
  lineKey = new Int32Array(64);
  lineStart = new Float64Array(64);

  /** Makes room for level `level`. */
  ensure(level: number): void {
    if (level < this.node.length) return;
    const size = this.node.length * 2;
    const grow = <T extends Int32Array | Float64Array>(array: T): T => {
      const bigger = new (array.constructor as new (n: number) => T)(size);
      bigger.set(array);
      return bigger;
    };
    this.node = grow(this.node);
    this.pair = grow(this.pair);
    this.fn = grow(this.fn);
    this.visible = grow(this.visible);
    this.owner = grow(this.owner);
    this.start = grow(this.start);
    this.childNs = grow(this.childNs);
    this.ownEvents = grow(this.ownEvents);
    this.innerEvents = grow(this.innerEvents);
    this.lineKey = grow(this.lineKey);
    this.lineStart = grow(this.lineStart);
  }
}
