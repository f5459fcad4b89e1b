import { Float64List, Int32List } from '../../analyze/growable.js';
import { spillBudgetBytes } from '../../analyze/spill-budget.js';
import type { TimelineSink } from '../../analyze/thread-state.js';
import { SpillFile } from '../../io/spill-file.js';

/** Bytes a call boundary takes: its function (4) and time (8). */
const BOUNDARY_BYTES = 12;
/** Threads with fewer boundaries than this stay in memory when the others are spilled. */
const SMALLEST_CHUNK = 64;
/** Boundaries read back from the file at once (12 MB). */
const PIECE = 1 << 20;

/** Some of a thread's call boundaries, in time order (valid until the next piece is read). */
export interface TimelinePiece {
  /** fn + 1 for an opening, -(fn + 1) for a closing. */
  readonly events: Int32Array;
  readonly at: Float64Array;
}

/** One thread's calls as they opened and closed: function (+1 open, -(fn+1) close) and time. */
export class ThreadTimeline {
  /** The boundaries not (yet) spilled: fn + 1 for an opening, -(fn + 1) for a closing. */
  // Small to start (they double): a trace can have 100,000 threads of a few calls each.
  events = new Int32List(16);
  at = new Float64List(16);
  /** Calls running since the trace began, outermost first, opened at `startTs`. */
  readonly openAtStart: number[] = [];
  startTs = NaN;
  /** Spilled chunks, in order: byte offsets in the recorder's file, and their boundaries. */
  offsets: number[] | undefined;
  counts: number[] | undefined;
}

/**
 * Records the analysis's timeline in columns (12 bytes a call boundary) for time-ordered outputs:
 * the speedscope evented profiles and the flame chart. Up to `budgetBytes` stay in memory; past
 * that, the threads holding the most are moved to a temporary file (spill-file.ts), each as one
 * chunk, so memory stays flat however long the trace. Read back with pieces(), in time order.
 */
export class TimelineRecorder implements TimelineSink {
  readonly threads: ThreadTimeline[] = [];
  private readonly budget: number;
  private inMemory = 0;
  /** Boundaries in memory at which the next flush comes (see push). */
  private flushAt: number;
  private readonly holding = new Set<ThreadTimeline>();
  private file: SpillFile | undefined;

  constructor(budgetBytes: number = spillBudgetBytes()) {
    // Twice the bytes of a boundary: the columns double as they grow, so they may take twice what they hold.
    this.budget = Math.max(1, Math.floor(budgetBytes / (2 * BOUNDARY_BYTES)));
    this.flushAt = this.budget;
  }

  open(thread: number, fn: number, ts: number): void {
    this.push(this.thread(thread), fn + 1, ts);
  }

  close(thread: number, fn: number, ts: number): void {
    this.push(this.thread(thread), -(fn + 1), ts);
  }

  openAtStart(thread: number, fn: number, ts: number): void {
    const timeline = this.thread(thread);
    // The newest such call encloses the ones found before it: it opens first.
    timeline.openAtStart.unshift(fn);
    timeline.startTs = ts;
  }

  /** Has anything gone to the temporary file? */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  /** Thread `index`'s call boundaries in time order, a piece at a time (nothing for an unknown thread). */
  *pieces(index: number): Generator<TimelinePiece> {
    const timeline = this.threads[index];
    if (timeline === undefined) return;
    if (timeline.offsets !== undefined) {
      const file = this.file!;
      const most = Math.min(PIECE, maxOf(timeline.counts!));
      const events = new Int32Array(most);
      const at = new Float64Array(most);
      for (let c = 0; c < timeline.offsets.length; c++) {
        const offset = timeline.offsets[c];
        const count = timeline.counts![c];
        for (let done = 0; done < count; done += most) {
          const n = Math.min(most, count - done);
          file.read(new Uint8Array(events.buffer, 0, n * 4), offset + done * 4);
          file.read(new Uint8Array(at.buffer, 0, n * 8), offset + count * 4 + done * 8);
          yield { events: events.subarray(0, n), at: at.subarray(0, n) };
        }
      }
    }
    if (timeline.events.length > 0) yield { events: timeline.events.view(), at: timeline.at.view() };
  }

  /** Gives the temporary file back (the outputs that read the timeline are written). */
  dispose(): void {
    this.file?.close();
  }

  private push(timeline: ThreadTimeline, event: number, ts: number): void {
    if (timeline.events.length === 0) this.holding.add(timeline);
    timeline.events.push(event);
    timeline.at.push(ts);
    if (++this.inMemory > this.flushAt) {
      this.flush();
      // When small threads alone stay over the budget, the next try comes half a budget later.
      this.flushAt = Math.max(this.budget, this.inMemory + Math.ceil(this.budget / 2));
    }
  }

  /**
   * Moves the threads holding the most to the file until at most half the budget stays in memory.
   * Small ones stay, even over the budget: spilling 100,000 threads' few boundaries again at every
   * flush cost far more time and memory than it freed (the review of issue 16).
   */
  private flush(): void {
    const threads = [...this.holding].sort((a, b) => b.events.length - a.events.length);
    for (const timeline of threads) {
      if (this.inMemory <= this.budget / 2 || timeline.events.length < SMALLEST_CHUNK) break;
      this.spill(timeline);
    }
  }

  /** Writes `timeline`'s boundaries in memory as one chunk: the functions, then the times. */
  private spill(timeline: ThreadTimeline): void {
    const events = timeline.events.view();
    const at = timeline.at.view();
    if (events.length === 0) return;
    this.file ??= new SpillFile();
    const offset = this.file.append(new Uint8Array(events.buffer, events.byteOffset, events.byteLength));
    this.file.append(new Uint8Array(at.buffer, at.byteOffset, at.byteLength));
    (timeline.offsets ??= []).push(offset);
    (timeline.counts ??= []).push(events.length);
    this.inMemory -= events.length;
    // Fresh small columns: the old ones' capacity would otherwise stay taken.
    timeline.events = new Int32List(16);
    timeline.at = new Float64List(16);
    this.holding.delete(timeline);
  }

  private thread(index: number): ThreadTimeline {
    while (this.threads.length <= index) this.threads.push(new ThreadTimeline());
    return this.threads[index];
  }
}

function maxOf(values: readonly number[]): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}
