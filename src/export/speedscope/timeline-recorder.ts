import { Int32List } from '../../analyze/growable.js';
import { DEFAULT_TIMELINE_SPILL_BUDGET_BYTES, spillBudgetBytes } from '../../analyze/spill-budget.js';
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

/**
 * What a thread's boundaries hold, kept as they are recorded, so that the speedscope writer need
 * not read the whole timeline once more before writing it (its frames come first in the file).
 */
export interface ThreadTimelineSummary {
  /** Every function with a boundary on the thread, in order of its first. */
  readonly firstUses: readonly number[];
  /** Boundaries on the thread, spilled or not. */
  readonly count: number;
  /** The earliest and latest boundary times (Infinity and -Infinity for none). */
  readonly leastTs: number;
  readonly mostTs: number;
  /** Is every boundary time a whole number within 2^53 (Number.isSafeInteger)? */
  readonly wholeTs: boolean;
}

/**
 * Threads whose summary is kept (their index below this): a bit each in the recorder's
 * function-by-function record of which threads used it. A trace with more threads than this has
 * its later threads read again by the speedscope writer, as before.
 */
const SUMMARIZED_THREADS = 31;

/** A thread's first columns hold this many boundaries; each next pair twice as many, up to CHUNK. */
const FIRST_CHUNK = 16;
/** The most boundaries a pair of columns holds (768 KiB): a busy thread's columns are this size. */
const CHUNK = 1 << 16;

/**
 * A pair of columns, filled from the start: `events[i]` is fn + 1 (opening) or -(fn + 1)
 * (closing) at `at[i]`.
 */
class Chunk {
  readonly events: Int32Array;
  readonly at: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.events = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
  }
}

/** One thread's calls as they opened and closed: function (+1 open, -(fn+1) close) and time. */
export class ThreadTimeline {
  /**
   * The boundaries not (yet) spilled, in order: full chunks, then `current`. Not one pair of
   * columns doubling as it grows, which copied everything recorded so far into fresh memory at
   * each doubling. Threads start small: a trace can have 100,000 threads of a few calls each.
   */
  readonly full: Chunk[] = [];
  current: Chunk | undefined;
  /** Boundaries in `full` and `current`. */
  inMemory = 0;
  /** Calls running since the trace began, outermost first, opened at `startTs`. */
  readonly openAtStart: number[] = [];
  startTs = NaN;
  /** Spilled chunks, in order: byte offsets in the recorder's file, and their boundaries. */
  offsets: number[] | undefined;
  counts: number[] | undefined;
  /** Its bit in the recorder's `usedBy` (0: no summary kept, see SUMMARIZED_THREADS). */
  readonly bit: number;
  /** With a bit: the functions in order of their first boundary here. */
  readonly firstUses: number[] = [];
  leastTs = Infinity;
  mostTs = -Infinity;
  wholeTs = true;

  constructor(index: number) {
    this.bit = index < SUMMARIZED_THREADS ? 1 << index : 0;
  }
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
  /**
   * Full-size chunks freed by spills, taken before new ones are made: memory the process has
   * already touched (fresh pages cost more than the writes into them). At most half a budget of
   * them: with what is in memory (at most the budget, then half of it after a flush), about the
   * 2 x 12 bytes a boundary the budget allows.
   */
  private readonly pool: Chunk[] = [];
  private readonly poolChunks: number;
  /** By function: the summarized threads (a bit each) with a boundary of it. */
  private readonly usedBy = new Int32List(1024);

  constructor(budgetBytes: number = spillBudgetBytes(process.env, DEFAULT_TIMELINE_SPILL_BUDGET_BYTES)) {
    // Twice the bytes of a boundary, as when the columns doubled: the budget's meaning is kept.
    this.budget = Math.max(1, Math.floor(budgetBytes / (2 * BOUNDARY_BYTES)));
    this.flushAt = this.budget;
    this.poolChunks = Math.floor(this.budget / 2 / CHUNK);
  }

  open(thread: number, fn: number, ts: number): void {
    this.push(this.thread(thread), fn, fn + 1, ts);
  }

  close(thread: number, fn: number, ts: number): void {
    this.push(this.thread(thread), fn, -(fn + 1), ts);
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
    for (const chunk of chunksOf(timeline))
      if (chunk.length > 0)
        yield { events: chunk.events.subarray(0, chunk.length), at: chunk.at.subarray(0, chunk.length) };
  }

  /** Gives the temporary file back (the outputs that read the timeline are written). */
  dispose(): void {
    this.file?.close();
  }

  /**
   * What thread `index`'s boundaries hold (see ThreadTimelineSummary), or undefined when no
   * summary was kept for it (a thread past SUMMARIZED_THREADS: read its pieces instead).
   */
  summary(index: number): ThreadTimelineSummary | undefined {
    const timeline = this.threads[index];
    if (timeline === undefined) return { firstUses: [], count: 0, leastTs: Infinity, mostTs: -Infinity, wholeTs: true };
    if (timeline.bit === 0) return undefined;
    const { firstUses, inMemory, counts, leastTs, mostTs, wholeTs } = timeline;
    const count = (counts ?? []).reduce((sum, spilled) => sum + spilled, inMemory);
    return { firstUses, count, leastTs, mostTs, wholeTs };
  }

  private push(timeline: ThreadTimeline, fn: number, event: number, ts: number): void {
    const bit = timeline.bit;
    if (bit !== 0) {
      const usedBy = this.usedBy;
      while (usedBy.length <= fn) usedBy.push(0);
      const users = usedBy.get(fn);
      if ((users & bit) === 0) {
        usedBy.set(fn, users | bit);
        timeline.firstUses.push(fn);
      }
    }
    if (ts < timeline.leastTs) timeline.leastTs = ts;
    if (ts > timeline.mostTs) timeline.mostTs = ts;
    if (timeline.wholeTs && !Number.isSafeInteger(ts)) timeline.wholeTs = false;
    let chunk = timeline.current;
    if (chunk === undefined || chunk.length === chunk.events.length) chunk = this.nextChunk(timeline);
    chunk.events[chunk.length] = event;
    chunk.at[chunk.length++] = ts;
    timeline.inMemory++;
    if (++this.inMemory > this.flushAt) {
      this.flush();
      // When small threads alone stay over the budget, the next try comes half a budget later.
      this.flushAt = Math.max(this.budget, this.inMemory + Math.ceil(this.budget / 2));
    }
  }

  /** Room for `timeline`'s next boundaries: a chunk twice the last one's size, up to CHUNK. */
  private nextChunk(timeline: ThreadTimeline): Chunk {
    const last = timeline.current;
    if (last === undefined) this.holding.add(timeline);
    else timeline.full.push(last);
    const capacity = last === undefined ? FIRST_CHUNK : Math.min(CHUNK, last.events.length * 2);
    const chunk = capacity === CHUNK && this.pool.length > 0 ? this.pool.pop()! : new Chunk(capacity);
    chunk.length = 0;
    timeline.current = chunk;
    return chunk;
  }

  /**
   * Moves the threads holding the most to the file until at most half the budget stays in memory.
   * Small ones stay, even over the budget: spilling 100,000 threads' few boundaries again at every
   * flush cost far more time and memory than it freed (the review of issue 16).
   */
  private flush(): void {
    const threads = [...this.holding].sort((a, b) => b.inMemory - a.inMemory);
    for (const timeline of threads) {
      if (this.inMemory <= this.budget / 2 || timeline.inMemory < SMALLEST_CHUNK) break;
      this.spill(timeline);
    }
  }

  /** Writes `timeline`'s boundaries in memory as one chunk of the file: the functions, then the times. */
  private spill(timeline: ThreadTimeline): void {
    const count = timeline.inMemory;
    if (count === 0) return;
    const file = (this.file ??= new SpillFile());
    const chunks = chunksOf(timeline);
    let offset = -1;
    for (const chunk of chunks) {
      const at = file.append(new Uint8Array(chunk.events.buffer, 0, chunk.length * 4));
      if (offset < 0) offset = at;
    }
    for (const chunk of chunks) file.append(new Uint8Array(chunk.at.buffer, 0, chunk.length * 8));
    (timeline.offsets ??= []).push(offset);
    (timeline.counts ??= []).push(count);
    this.inMemory -= count;
    for (const chunk of chunks)
      if (chunk.events.length === CHUNK && this.pool.length < this.poolChunks) this.pool.push(chunk);
    timeline.full.length = 0;
    timeline.current = undefined;
    timeline.inMemory = 0;
    this.holding.delete(timeline);
  }

  private thread(index: number): ThreadTimeline {
    while (this.threads.length <= index) this.threads.push(new ThreadTimeline(this.threads.length));
    return this.threads[index];
  }
}

/** A thread's chunks in memory, in order (a list of its own: spill() empties the thread's). */
function chunksOf(timeline: ThreadTimeline): Chunk[] {
  return timeline.current === undefined ? [...timeline.full] : [...timeline.full, timeline.current];
}

function maxOf(values: readonly number[]): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}
