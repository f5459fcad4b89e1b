import { Float64List, Int32List } from '../../analyze/growable.js';
import type { CallVisitor } from './replay.js';

/**
 * Calls kept from a replay of the timeline, thread after thread, to be visited again without
 * another: five columns shared by every thread (a trace can have 100,000 threads). Holds at most
 * `limit`; past it, nothing more is kept and `complete` turns false (the caller replays instead).
 */
export class CandidateCalls {
  private readonly starts = new Float64List(256);
  private readonly ends = new Float64List(256);
  private readonly depths = new Int32List(256);
  private readonly fns = new Int32List(256);
  private readonly opens = new Float64List(256);
  /** Where each thread's calls begin, in the order beginThread() was called. */
  private readonly threadStarts: number[] = [];
  private over = false;

  constructor(private readonly limit: number) {}

  /** Are all the calls pushed here (none dropped past the limit)? */
  get complete(): boolean {
    return !this.over;
  }

  /** The calls pushed from now on are the next thread's (thread indices count from 0). */
  beginThread(): void {
    this.threadStarts.push(this.starts.length);
  }

  push(start: number, end: number, depth: number, fn: number, open: number): void {
    if (this.over) return;
    if (this.starts.length >= this.limit) {
      this.over = true;
      return;
    }
    this.starts.push(start);
    this.ends.push(end);
    this.depths.push(depth);
    this.fns.push(fn);
    this.opens.push(open);
  }

  /** Visits thread `thread`'s calls in the order they were pushed. */
  forEachOf(thread: number, visit: CallVisitor): void {
    const from = this.threadStarts[thread] ?? 0;
    const to = this.threadStarts[thread + 1] ?? this.starts.length;
    for (let i = from; i < to; i++)
      visit(this.starts.get(i), this.ends.get(i), this.depths.get(i), this.fns.get(i), this.opens.get(i));
  }
}
