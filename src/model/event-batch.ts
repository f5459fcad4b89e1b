import { ColumnViews } from './column-views.js';
import type { EventKind } from './event-kind.js';

/**
 * Events per batch: large enough to amortize per-batch work (a few microseconds a batch), small
 * enough to keep memory flat, and to keep the two threads' pipeline short: the analysis starts
 * once the reorder window and one batch have been parsed, and ends a few batches after the
 * parse. 65,536 before: the analysis of a 447 MiB trace ended ~70-120 ms later.
 */
export const DEFAULT_BATCH_SIZE = 16384;

/** Bytes of one event in the columns: five doubles, two int32s and a byte. */
const BYTES_PER_EVENT = 5 * 8 + 2 * 4 + 1;

/** "Not given by this format" for pid and tid. */
export const UNKNOWN_ID = -1;
/** "This event has no frame / name". */
export const NO_REF = -1;

/** The columns of a run of events (what crosses threads). */
export interface EventColumns {
  readonly length: number;
  readonly kind: Uint8Array;
  readonly ts: Float64Array;
  readonly pid: Float64Array;
  readonly tid: Float64Array;
  readonly frame: Int32Array;
  readonly value: Float64Array;
  readonly name: Int32Array;
  readonly srcLine: Float64Array;
}

/**
 * A run of normalized events in columnar form: event i is (kind[i], ts[i], pid[i], ...).
 * Parsers never build one object per event; consumers read the columns directly.
 */
export class EventBatch implements EventColumns {
  length = 0;
  readonly kind: Uint8Array;
  /** Nanoseconds relative to the log's time base (see TimeBase); exact while |ts| < 2^53. */
  readonly ts: Float64Array;
  readonly pid: Float64Array;
  readonly tid: Float64Array;
  /** Frame id (FrameTable) or NO_REF. */
  readonly frame: Int32Array;
  /** Generation, collected objects, found flag, call count or dropped count; 0 when not used. */
  readonly value: Float64Array;
  /** String id (module, audit event, tracer message) or NO_REF. */
  readonly name: Int32Array;
  /** 1-based line of the input the event came from, for diagnostics. */
  readonly srcLine: Float64Array;

  constructor(readonly capacity: number = DEFAULT_BATCH_SIZE) {
    this.kind = new Uint8Array(capacity);
    this.ts = new Float64Array(capacity);
    this.pid = new Float64Array(capacity);
    this.tid = new Float64Array(capacity);
    this.frame = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.name = new Int32Array(capacity);
    this.srcLine = new Float64Array(capacity);
  }

  /** A batch of the first `length` events of existing columns, e.g. received from another thread. */
  static wrap(columns: EventColumns): EventBatch {
    const { length, kind, ts, pid, tid, frame, value, name, srcLine } = columns;
    const batch = Object.create(EventBatch.prototype) as EventBatch;
    Object.assign(batch, { length, capacity: length, kind, ts, pid, tid, frame, value, name, srcLine });
    return batch;
  }

  /** The bytes a shared batch (EventBatch.shared) of `capacity` events takes. */
  static bytesFor(capacity: number): number {
    return capacity * BYTES_PER_EVENT;
  }

  /**
   * An empty batch whose columns are views of one shared buffer (made when not given): two
   * threads can then pass it back and forth by its place in a pool, without a copy or a
   * transfer (each transfer is an allocation, and their churn kept both threads' collectors busy).
   */
  static shared(capacity: number, buffer = new SharedArrayBuffer(EventBatch.bytesFor(capacity))): EventBatch {
    const columns = new ColumnViews(buffer, capacity);
    const ts = columns.floats();
    const pid = columns.floats();
    const tid = columns.floats();
    const value = columns.floats();
    const srcLine = columns.floats();
    const frame = columns.ints();
    const name = columns.ints();
    const kind = columns.bytes();
    const batch = Object.create(EventBatch.prototype) as EventBatch;
    Object.assign(batch, { length: 0, capacity, kind, ts, pid, tid, frame, value, name, srcLine });
    return batch;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  /** Appends an event; the caller checks `full` first. */
  push(
    kind: EventKind,
    ts: number,
    pid: number,
    tid: number,
    frame: number,
    value: number,
    name: number,
    srcLine: number,
  ): void {
    const i = this.length++;
    this.kind[i] = kind;
    this.ts[i] = ts;
    this.pid[i] = pid;
    this.tid[i] = tid;
    this.frame[i] = frame;
    this.value[i] = value;
    this.name[i] = name;
    this.srcLine[i] = srcLine;
  }

  /** Appends event `i` of `from`. */
  copyFrom(from: EventBatch, i: number): void {
    this.push(
      from.kind[i] as EventKind,
      from.ts[i],
      from.pid[i],
      from.tid[i],
      from.frame[i],
      from.value[i],
      from.name[i],
      from.srcLine[i],
    );
  }
}
