import type { TimelineRecorder } from '../speedscope/timeline-recorder.js';

/** One call as the timeline shows it: times in ns from the analysis's origin, depth 0 outermost. */
export type CallVisitor = (startNs: number, endNs: number, depth: number, fn: number, openIndex: number) => void;

/**
 * Replays one thread's recorded timeline and hands every call at least `minNs` long to `visit`
 * when it closes (so in post-order), with the index of its opening (calls in order of their
 * openings are in pre-order). Calls running when the trace began open at the thread's first
 * event; the analysis closes calls still open at the end, and anything left open all the same (a
 * thread that turned return-only) closes at `endNs`. Iterative: the stack is in typed arrays,
 * however deep the recursion; the shorter calls (most of millions) cost no call of `visit`.
 * Returns the number of calls.
 */
export function replayTimeline(
  recorder: TimelineRecorder,
  thread: number,
  originNs: number,
  endNs: number,
  minNs: number,
  visit: CallVisitor,
): number {
  const timeline = recorder.threads[thread];
  if (timeline === undefined) return 0;
  const stack = new OpenCalls();
  let opened = 0;
  const startTs = timeline.startTs - originNs;
  for (const fn of timeline.openAtStart) stack.open(fn, startTs, opened++);
  // Read back a piece at a time: a long trace's timeline may be in a temporary file.
  for (const { events, at } of recorder.pieces(thread)) {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event > 0) {
        if (stack.depth === stack.fns.length) stack.grow();
        const d = stack.depth++;
        stack.fns[d] = event - 1;
        stack.starts[d] = at[i] - originNs;
        stack.opens[d] = opened++;
      } else if (stack.depth > 0) {
        const d = --stack.depth;
        const start = stack.starts[d];
        const end = at[i] - originNs;
        // Not `>= minNs`: a NaN duration is visited, as it always was.
        if (!(end - start < minNs)) visit(start, end, d, stack.fns[d], stack.opens[d]);
      }
    }
  }
  while (stack.depth > 0) {
    const d = --stack.depth;
    const start = stack.starts[d];
    const end = Math.max(start, endNs);
    if (!(end - start < minNs)) visit(start, end, d, stack.fns[d], stack.opens[d]);
  }
  return opened;
}

/** The calls open during a replay, innermost last, in columns that double as it deepens. */
class OpenCalls {
  fns = new Int32Array(64);
  starts = new Float64Array(64);
  /** Index of each call's opening (a float: a long trace opens more than 2^31 calls). */
  opens = new Float64Array(64);
  depth = 0;

  open(fn: number, start: number, open: number): void {
    if (this.depth === this.fns.length) this.grow();
    this.fns[this.depth] = fn;
    this.starts[this.depth] = start;
    this.opens[this.depth++] = open;
  }

  grow(): void {
    const size = this.fns.length * 2;
    const fns = new Int32Array(size);
    fns.set(this.fns);
    const starts = new Float64Array(size);
    starts.set(this.starts);
    const opens = new Float64Array(size);
    opens.set(this.opens);
    this.fns = fns;
    this.starts = starts;
    this.opens = opens;
  }
}
