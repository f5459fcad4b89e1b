import { ColumnViews } from '../model/column-views.js';

/** Small: every thread has a stack, and most are shallow (it doubles as needed). */
const INITIAL_LEVELS = 4;

/**
 * A thread's stack of open calls as parallel typed arrays (one slot per depth, growing by
 * doubling): entering and leaving a call allocates nothing.
 */
export class CallStack {
  /** Call-tree node of the call (hidden calls carry the node of the visible call they run under). */
  node!: Int32Array;
  /** (file, function) pair, on which returns are matched. */
  pair!: Int32Array;
  /** Function identity. */
  fn!: Int32Array;
  /** 1 when the call is in the tree (not excluded, in focus). */
  visible!: Int32Array;
  /** The level whose self time this call's duration is taken from (nearest visible below). */
  owner!: Int32Array;
  start!: Float64Array;
  /** Time spent in visible calls made under this one (for its self time). */
  childNs!: Float64Array;
  /** Events that fired while this call was on top, and inside its callees (--overhead). */
  ownEvents!: Float64Array;
  innerEvents!: Float64Array;
  /** The line running in this call (index into the thread's line table, -1 none) and since when. */
  lineKey!: Int32Array;
  /** The call's function's slot in the thread's accumulators (no lookup when it closes). */
  slot!: Int32Array;
  lineStart!: Float64Array;
  /**
   * The function and call-tree node of the last call entered from this level: a loop calls the
   * same callee again and again, and this spares the tree's hash lookup (-1: none yet).
   */
  lastCalleeFn!: Int32Array;
  lastCalleeNode!: Int32Array;

  constructor() {
    this.allocate(INITIAL_LEVELS);
  }

  /** Makes room for level `level`. */
  ensure(level: number): void {
    // The check alone, at every call: small enough to be inlined where it is called.
    if (level >= this.node.length) this.grow();
  }

  private grow(): void {
    const old = { ...this };
    this.allocate(this.node.length * 2);
    for (const key of Object.keys(old) as (keyof CallStack)[])
      (this[key] as Int32Array | Float64Array).set(old[key] as Int32Array & Float64Array);
  }

  /**
   * Every column as a view of one buffer: one allocation per stack instead of eleven (every
   * thread has a stack, and a trace can have 100,000 threads).
   */
  private allocate(levels: number): void {
    const columns = new ColumnViews(new ArrayBuffer(levels * (FLOAT_COLUMNS * 8 + INT_COLUMNS * 4)), levels);
    this.start = columns.floats();
    this.childNs = columns.floats();
    this.ownEvents = columns.floats();
    this.innerEvents = columns.floats();
    this.lineStart = columns.floats();
    this.node = columns.ints();
    this.pair = columns.ints();
    this.fn = columns.ints();
    this.visible = columns.ints();
    this.owner = columns.ints();
    this.lineKey = columns.ints();
    this.slot = columns.ints();
    this.lastCalleeFn = columns.ints();
    this.lastCalleeNode = columns.ints();
  }
}

const FLOAT_COLUMNS = 5;
const INT_COLUMNS = 9;
