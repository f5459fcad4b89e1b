import type { TimelineRecorder } from '../speedscope/timeline-recorder.js';

/** One call as the timeline shows it: times in ns from the analysis's origin, depth 0 outermost. */
export type CallVisitor = (startNs: number, endNs: number, depth: number, fn: number, openIndex: number) => void;

/**
 * Replays one thread's recorded timeline and hands every call to `visit` when it closes (so in
 * post-order), with the index of its opening (calls in order of their openings are in pre-order).
 * Calls running when the trace began open at the thread's first event; the analysis closes
 * calls still open at the end, and anything left open all the same (a thread that turned
 * return-only) closes at `endNs`. Iterative: the stack is in arrays, however deep the recursion.
 * Returns the number of calls.
 */
export function replayTimeline(
  recorder: TimelineRecorder,
  thread: number,
  originNs: number,
  endNs: number,
  visit: CallVisitor,
): number {
  const timeline = recorder.threads[thread];
  if (timeline === undefined) return 0;
  // The open calls, innermost last, in typed columns (grown by doubling): the replay visits
  // millions of calls, and plain arrays' push and pop cost more than the rest of it.
  let fns = new Int32Array(64);
  let starts = new Float64Array(64);
  let opens = new Float64Array(64);
  let depth = 0;
  const grow = () => {
    const size = fns.length * 2;
    const grownFns = new Int32Array(size);
    const grownStarts = new Float64Array(size);
    const grownOpens = new Float64Array(size);
    grownFns.set(fns);
    grownStarts.set(starts);
    grownOpens.set(opens);
    fns = grownFns;
    starts = grownStarts;
    opens = grownOpens;
  };
  let opened = 0;
  const startTs = timeline.startTs - originNs;
  for (const fn of timeline.openAtStart) {
    if (depth === fns.length) grow();
    fns[depth] = fn;
    starts[depth] = startTs;
    opens[depth++] = opened++;
  }
  // Read back a piece at a time: a long trace's timeline may be in a temporary file.
  for (const { events, at } of recorder.pieces(thread)) {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event > 0) {
        if (depth === fns.length) grow();
        fns[depth] = event - 1;
        starts[depth] = at[i] - originNs;
        opens[depth++] = opened++;
      } else if (depth > 0) {
        depth--;
        visit(starts[depth], at[i] - originNs, depth, fns[depth], opens[depth]);
      }
    }
  }
  while (depth > 0) {
    depth--;
    const start = starts[depth];
    visit(start, Math.max(start, endNs), depth, fns[depth], opens[depth]);
  }
  return opened;
}
