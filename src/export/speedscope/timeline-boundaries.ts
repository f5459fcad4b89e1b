import type { ThreadTimelineSummary, TimelineRecorder } from './timeline-recorder.js';

// The one place the speedscope writer reads how the call timeline is stored: in memory, or past
// the spill budget partly in a temporary file (timeline-recorder.ts). The writer sees a thread's
// boundaries as chunks of the two columns, in time order.

/** A run of one thread's call boundaries: `events[i]` is fn + 1 (opening) or -(fn + 1) (closing) at `at[i]`. */
export interface BoundaryChunk {
  readonly events: Int32Array;
  readonly at: Float64Array;
}

/** Calls running when the thread's part of the trace began, outermost first, all opened at `startTs`. */
export interface ThreadStart {
  readonly openAtStart: readonly number[];
  readonly startTs: number;
}

const NOTHING_OPEN: ThreadStart = { openAtStart: [], startTs: Number.NaN };

/** How many threads have a timeline (thread indices are the analysis's). */
export function timelineThreadCount(timeline: TimelineRecorder): number {
  return timeline.threads.length;
}

/** The calls thread `thread` was already inside when the trace began. */
export function threadStart(timeline: TimelineRecorder, thread: number): ThreadStart {
  return timeline.threads[thread] ?? NOTHING_OPEN;
}

/**
 * Hands `visit` every call boundary of `thread` in time order, chunk by chunk (the recorder's
 * pieces: a chunk is valid only until `visit` returns). `visit` may be async: it is awaited
 * between chunks, never per event.
 */
export async function forEachBoundaryChunk(
  timeline: TimelineRecorder,
  thread: number,
  visit: (chunk: BoundaryChunk) => void | Promise<void>,
): Promise<void> {
  for (const piece of timeline.pieces(thread)) await visit(piece);
}

/**
 * What thread `thread`'s boundaries hold (functions in order of first use, count, time range),
 * kept as they were recorded; undefined when not kept (then read them with forEachBoundaryChunk).
 */
export function threadSummary(timeline: TimelineRecorder, thread: number): ThreadTimelineSummary | undefined {
  return timeline.summary(thread);
}
