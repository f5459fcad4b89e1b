import type { TimelineRecorder } from '../speedscope/timeline-recorder.js';

/** One call as the timeline shows it: times in ns from the analysis's origin, depth 0 outermost. */
export type CallVisitor = (startNs: number, endNs: number, depth: number, fn: number, openIndex: number) => void;

/**
 * Replays one thread's recorded timeline and hands every call to `visit` when it closes (so in
 * post-order), with the index of its opening (calls in order of their openings are in pre-order).
 * Calls running when the trace began open at the thread's first event; the analysis closes
 * calls still open at the end, and anything left open all the same (a thread that turned
 * return-only) closes at `endNs`. Iterative: the stack is an array, however deep the recursion.
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
  const fns: number[] = [];
  const starts: number[] = [];
  const opens: number[] = [];
  let opened = 0;
  const startTs = timeline.startTs - originNs;
  for (const fn of timeline.openAtStart) {
    fns.push(fn);
    starts.push(startTs);
    opens.push(opened++);
  }
  // Read back a piece at a time: a long trace's timeline may be in a temporary file.
  for (const { events, at } of recorder.pieces(thread)) {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event > 0) {
        fns.push(event - 1);
        starts.push(at[i] - originNs);
        opens.push(opened++);
      } else if (fns.length > 0) {
        const depth = fns.length - 1;
        visit(starts.pop()!, at[i] - originNs, depth, fns.pop()!, opens.pop()!);
      }
    }
  }
  while (fns.length > 0) {
    const depth = fns.length - 1;
    const start = starts.pop()!;
    visit(start, Math.max(start, endNs), depth, fns.pop()!, opens.pop()!);
  }
  return opened;
}
