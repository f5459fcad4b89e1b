import { Float64List, Int32List } from '../../analyze/growable.js';
import type { TimelineSink } from '../../analyze/thread-state.js';

/** One thread's calls as they opened and closed: function (+1 open, -(fn+1) close) and time. */
export class ThreadTimeline {
  /** fn + 1 for an opening, -(fn + 1) for a closing: one column instead of two. */
  // Small to start (they double): a trace can have 100,000 threads of a few calls each.
  readonly events = new Int32List(16);
  readonly at = new Float64List(16);
  /** Calls running since the trace began, outermost first, opened at `startTs`. */
  readonly openAtStart: number[] = [];
  startTs = NaN;
}

/**
 * Records the analysis's timeline in columns (12 bytes a call boundary) for time-ordered outputs:
 * the speedscope evented profiles.
 */
export class TimelineRecorder implements TimelineSink {
  readonly threads: ThreadTimeline[] = [];

  open(thread: number, fn: number, ts: number): void {
    const timeline = this.thread(thread);
    timeline.events.push(fn + 1);
    timeline.at.push(ts);
  }

  close(thread: number, fn: number, ts: number): void {
    const timeline = this.thread(thread);
    timeline.events.push(-(fn + 1));
    timeline.at.push(ts);
  }

  openAtStart(thread: number, fn: number, ts: number): void {
    const timeline = this.thread(thread);
    // The newest such call encloses the ones found before it: it opens first.
    timeline.openAtStart.unshift(fn);
    timeline.startTs = ts;
  }

  private thread(index: number): ThreadTimeline {
    while (this.threads.length <= index) this.threads.push(new ThreadTimeline());
    return this.threads[index];
  }
}
