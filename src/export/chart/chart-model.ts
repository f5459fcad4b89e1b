import type { Analysis } from '../../analyze/analysis.js';
import { threadLabel } from '../thread-label.js';
import type { GcPauseRecord, ImportRecord } from '../../analyze/thread-state.js';
import { Float64List } from '../../analyze/growable.js';
import type { TimelineRecorder } from '../speedscope/timeline-recorder.js';
import { longest } from './longest.js';
import { CandidateCalls } from './candidate-calls.js';
import { type CallVisitor, replayTimeline } from './replay.js';

/** Calls kept from the first replay to pick from without a second (8 MB at most). */
export const MAX_CANDIDATES = 1 << 18;
/** At most this many call rectangles are drawn: the width threshold is raised to stay under it. */
export const MAX_DRAWN_CALLS = 20_000;
/** Levels drawn per thread (0 = outermost calls); deeper calls are counted, not drawn. */
export const MAX_DRAWN_DEPTH = 128;
/** At most this many thread lanes are drawn: the busiest (most time in drawn outermost calls). */
export const MAX_DRAWN_LANES = 500;
/** At most this many GC pauses are drawn: the longest ones. */
export const MAX_DRAWN_GC_PAUSES = 5_000;
/** At most this many imports are drawn (the longest), in at most this many rows of nesting. */
export const MAX_DRAWN_IMPORTS = 2_000;
export const MAX_IMPORT_ROWS = 16;

export interface ChartOptions {
  /** Calls narrower than this percentage of the drawn time span are hidden (default 0.1). */
  readonly minWidthPercent?: number;
  readonly maxCalls?: number;
  readonly maxDepth?: number;
  readonly maxLanes?: number;
  readonly maxGcPauses?: number;
  readonly maxImports?: number;
  readonly maxImportRows?: number;
  /** Calls kept from the first replay to pick from without a second (default MAX_CANDIDATES). */
  readonly maxCandidates?: number;
}

/** A drawn call: ns from the analysis's origin; `parent` indexes the lane's calls (-1 at depth 0). */
export interface ChartCall {
  readonly startNs: number;
  readonly endNs: number;
  readonly depth: number;
  readonly fn: number;
  readonly parent: number;
}

export interface ChartLane {
  readonly pid: number;
  readonly tid: number;
  readonly label: string;
  readonly startNs: number;
  readonly endNs: number;
  /** Every call of the thread's timeline. */
  readonly calls: number;
  /** The drawn ones, in pre-order (by opening). */
  readonly drawn: readonly ChartCall[];
  /** Rows drawn: 1 + the deepest drawn depth. */
  readonly rows: number;
  /** Levels of calls wide enough to draw that lie below the depth cap. */
  readonly cutLevels: number;
}

export interface ChartModel {
  /** The drawn time span (ns from the origin): every thread and GC pause lies within. */
  readonly startNs: number;
  readonly endNs: number;
  /** Threads with something drawn, in the analysis's order (first appearance). */
  readonly lanes: readonly ChartLane[];
  /** Threads whose calls were all too narrow (or that made none). */
  readonly emptyThreads: number;
  /** Threads with calls to draw, left out as past the lane cap (maxLanes), and their calls. */
  readonly hiddenLanes: number;
  readonly hiddenLaneCalls: number;
  readonly maxLanes: number;
  readonly totalCalls: number;
  readonly drawnCalls: number;
  /** Hidden as narrower than the threshold, and as deeper than the depth cap (wide enough). */
  readonly hiddenNarrow: number;
  readonly hiddenDeep: number;
  /** What --minwidth asked for, and the threshold used (higher when the cap required it). */
  readonly requestedMinNs: number;
  readonly minNs: number;
  readonly maxCalls: number;
  readonly maxDepth: number;
  readonly maxImports: number;
  readonly maxImportRows: number;
  readonly gcPauses: readonly GcPauseRecord[];
  readonly hiddenGcPauses: number;
  /** Imports drawn (by start), the rows they take (1 + the deepest), and those left out. */
  readonly imports: readonly ImportRecord[];
  readonly importRows: number;
  readonly hiddenImports: number;
}

/**
 * Picks what a flame chart draws from the analysis and its timeline. A call is drawn when it is
 * at least `minNs` long and above the depth cap; since a call is never shorter than a call inside
 * it, every drawn call's caller is drawn too. `minNs` is --minwidth of the span, raised to the
 * smallest duration that keeps the drawn calls within the cap. The timeline is replayed once,
 * keeping the calls long enough to matter in columns (millions of calls never become objects),
 * or twice when those are too many to keep.
 */
export function chartModel(analysis: Analysis, timeline: TimelineRecorder, options: ChartOptions = {}): ChartModel {
  const maxCalls = options.maxCalls ?? MAX_DRAWN_CALLS;
  const maxDepth = options.maxDepth ?? MAX_DRAWN_DEPTH;
  const origin = analysis.originNs;
  const threads = analysis.threads;
  let startNs =
    threads.length === 0 ? 0 : threads.reduce((min, t) => Math.min(min, t.startNs), Number.POSITIVE_INFINITY);
  let endNs =
    threads.length === 0
      ? analysis.durationNs
      : threads.reduce((max, t) => Math.max(max, t.endNs), Number.NEGATIVE_INFINITY);
  for (const pause of analysis.gc.pauses) {
    startNs = Math.min(startNs, pause.startNs);
    endNs = Math.max(endNs, pause.startNs + pause.durationNs);
  }
  const requestedMinNs = ((endNs - startNs) * (options.minWidthPercent ?? 0.1)) / 100;

  // One replay when it can: the calls at least requestedMinNs long (every call the chart may draw
  // or count as too deep) are kept as candidates, unless there are too many (a --minwidth of 0
  // makes every call one): then a second replay picks them again at the threshold.
  const durations = new Float64List(1024);
  const candidates = new CandidateCalls(options.maxCandidates ?? MAX_CANDIDATES);
  const callsOf: number[] = [];
  threads.forEach((thread, index) => {
    candidates.beginThread();
    const calls = replayTimeline(
      timeline,
      index,
      origin,
      thread.endNs,
      requestedMinNs,
      (start, end, depth, fn, open) => {
        if (depth < maxDepth) durations.push(end - start);
        candidates.push(start, end, depth, fn, open);
      },
    );
    callsOf.push(calls);
  });
  const totalCalls = callsOf.reduce((sum, calls) => sum + calls, 0);
  const minNs = cappedThreshold(durations.view(), requestedMinNs, maxCalls);

  let hiddenDeep = 0;
  let emptyThreads = 0;
  const lanes: ChartLane[] = [];
  threads.forEach((thread, index) => {
    const kept: { call: Omit<ChartCall, 'parent'>; open: number }[] = [];
    let deepest = -1;
    const pick: CallVisitor = (start, end, depth, fn, open) => {
      if (end - start < minNs) return;
      if (depth >= maxDepth) {
        hiddenDeep++;
        deepest = Math.max(deepest, depth);
      } else kept.push({ call: { startNs: start, endNs: end, depth, fn }, open });
    };
    if (candidates.complete) candidates.forEachOf(index, pick);
    else replayTimeline(timeline, index, origin, thread.endNs, minNs, pick);
    const calls = callsOf[index];
    if (kept.length === 0) {
      emptyThreads++;
      return;
    }
    kept.sort((a, b) => a.open - b.open);
    const drawn: ChartCall[] = [];
    // In pre-order, a call's caller is the last call seen one level up.
    const lastAt: number[] = [];
    let rows = 0;
    for (const { call } of kept) {
      lastAt[call.depth] = drawn.length;
      drawn.push({ ...call, parent: call.depth === 0 ? -1 : lastAt[call.depth - 1] });
      rows = Math.max(rows, call.depth + 1);
    }
    const cutLevels = deepest < 0 ? 0 : deepest + 1 - maxDepth;
    lanes.push({
      pid: thread.pid,
      tid: thread.tid,
      label: threadLabel(thread.pid, thread.tid, thread.name),
      startNs: thread.startNs,
      endNs: thread.endNs,
      calls,
      drawn,
      rows,
      cutLevels,
    });
  });
  const maxLanes = options.maxLanes ?? MAX_DRAWN_LANES;
  const shown = busiestLanes(lanes, maxLanes);
  const hiddenLaneCalls =
    lanes.reduce((sum, lane) => sum + lane.drawn.length, 0) - shown.reduce((sum, lane) => sum + lane.drawn.length, 0);
  const drawnCalls = shown.reduce((sum, lane) => sum + lane.drawn.length, 0);
  const gc = longest(analysis.gc.pauses, options.maxGcPauses ?? MAX_DRAWN_GC_PAUSES, (pause) => pause.durationNs);
  // Imports as long as the calls drawn, in the top rows; an import lasts at least as long as
  // those inside it, so the enclosing imports of a drawn one are drawn too.
  const maxImportRows = options.maxImportRows ?? MAX_IMPORT_ROWS;
  const importsLong = analysis.imports.filter((record) => record.durationNs >= minNs && record.depth < maxImportRows);
  const imports = longest(importsLong, options.maxImports ?? MAX_DRAWN_IMPORTS, (record) => record.durationNs);
  return {
    startNs,
    endNs,
    lanes: shown,
    emptyThreads,
    hiddenLanes: lanes.length - shown.length,
    hiddenLaneCalls,
    maxLanes,
    totalCalls,
    drawnCalls,
    hiddenNarrow: totalCalls - drawnCalls - hiddenDeep - hiddenLaneCalls,
    hiddenDeep,
    requestedMinNs,
    minNs,
    maxCalls,
    maxDepth,
    maxImports: options.maxImports ?? MAX_DRAWN_IMPORTS,
    maxImportRows,
    gcPauses: gc,
    hiddenGcPauses: analysis.gc.pauses.length - gc.length,
    imports,
    importRows: imports.reduce((rows, record) => Math.max(rows, record.depth + 1), 0),
    hiddenImports: analysis.imports.length - imports.length,
  };
}

/**
 * At most `max` lanes, in their own order: those with the most time in drawn outermost calls
 * (ties: the earlier thread). A lane per thread would make a chart of 100,000 threads
 * millions of pixels tall.
 */
function busiestLanes(lanes: ChartLane[], max: number): ChartLane[] {
  if (lanes.length <= max) return lanes;
  const busy = lanes.map((lane) =>
    lane.drawn.reduce((sum, call) => (call.depth === 0 ? sum + (call.endNs - call.startNs) : sum), 0),
  );
  const kept = lanes
    .map((_, index) => index)
    .sort((a, b) => busy[b] - busy[a] || a - b)
    .slice(0, max)
    .sort((a, b) => a - b);
  return kept.map((index) => lanes[index]);
}

/**
 * The smallest threshold at or above `requested` that keeps at most `cap` of `durations` (those
 * already at least `requested`): the (cap+1)-th longest is excluded with all its equals.
 */
export function cappedThreshold(durations: Float64Array, requested: number, cap: number): number {
  if (durations.length <= cap) return requested;
  const sorted = Float64Array.from(durations).sort();
  const excluded = sorted[sorted.length - 1 - cap];
  let i = sorted.length - cap;
  while (i < sorted.length && sorted[i] <= excluded) i++;
  return i < sorted.length ? sorted[i] : Number.POSITIVE_INFINITY;
}

export { threadLabel };
