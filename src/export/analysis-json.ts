import type { Analysis, FunctionStats } from '../analyze/analysis.js';
import { stackOf } from '../analyze/analyzer.js';
import { durationHistogram } from '../analyze/gc-histogram.js';
import { UNKNOWN_ID } from '../model/event-batch.js';
import { buildFlameTree } from './svg/flame-tree.js';
import { compareFunctionKeys } from '../text/compare.js';

/**
 * The version of the `--json` document (schema/analysis-v2.schema.json). 2 added the recording
 * cost: each function's selfNsRaw/totalNsRaw/selfNsError/totalNsError, the trace's
 * durationNsRaw/durationNsError/recordingCost. Optional fields added since, within 2: each
 * function's durationSketch, and what `pyflame merge` writes (merge, threads' run, imports'
 * count, gc.byGeneration's durationSketch).
 */
export const ANALYSIS_SCHEMA_VERSION = 2;

const id = (value: number): number | null => (value === UNKNOWN_ID ? null : value);

/** A function's figures; with the on/off-CPU split of its self time when the trace has it. */
function functionJson(stats: FunctionStats, scheduled: boolean, estimated: boolean): Record<string, unknown> {
  const d = stats.durations;
  const cpu = scheduled
    ? {
        selfOnCpuNs: Math.max(0, stats.selfNs - stats.offCpuNs),
        selfOffCpuNs: stats.offCpuNs,
        selfRunQueueNs: stats.runQueueNs,
      }
    : {};
  return {
    name: stats.name,
    file: stats.file,
    line: stats.line,
    calls: stats.calls,
    returns: stats.returns,
    totalNs: stats.totalNs,
    selfNs: stats.selfNs,
    // As recorded, and the uncertainty: from the recording's stated cost; nothing taken out, the
    // same figures and 0; --overhead's estimate states no uncertainty (null).
    selfNsRaw: estimated ? null : (stats.raw?.selfNs ?? stats.selfNs),
    totalNsRaw: estimated ? null : (stats.raw?.totalNs ?? stats.totalNs),
    selfNsError: estimated ? null : Math.round(stats.error?.selfNs ?? 0),
    totalNsError: estimated ? null : Math.round(stats.error?.totalNs ?? 0),
    ...cpu,
    partial: stats.partial,
    completed: d?.count ?? 0,
    minNs: d?.minNs ?? null,
    maxNs: d?.maxNs ?? null,
    meanNs: d?.meanNs ?? null,
    p50Ns: d?.p50Ns ?? null,
    p95Ns: d?.p95Ns ?? null,
    p99Ns: d?.p99Ns ?? null,
    // What `pyflame merge` adds up across runs (the percentiles of one run stay exact, above). Only
    // the merged functions have one (AnalyzerOptions.sketches), not a thread's own.
    ...(stats.sketch !== undefined ? { durationSketch: stats.sketch.toJson() } : {}),
  };
}

/**
 * The `--json` document of an analysis: plain data with integer nanoseconds, times relative to the
 * trace's start, arrays in a deterministic order (same trace, same bytes).
 */
export function analysisToJson(analysis: Analysis): Record<string, unknown> {
  const functions = analysis.functionTable;
  const frame = (fn: number) => ({ name: functions.name(fn), file: functions.file(fn), line: functions.line(fn) });
  const scheduled = analysis.scheduling !== undefined;
  const estimated = analysis.overhead.perEventNs > 0;
  const toJson = (stats: FunctionStats) => functionJson(stats, scheduled, estimated);
  const cost = analysis.recordingCost;
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    source: { path: analysis.source.path, format: analysis.source.format },
    trace: {
      startAbsoluteNs: analysis.startAbsoluteNs,
      durationNs: analysis.durationNs,
      durationNsRaw: estimated ? null : (cost?.durationNsRaw ?? analysis.durationNs),
      durationNsError: estimated ? null : Math.round(cost?.durationNsError ?? 0),
      recordingCost:
        cost === undefined ? null : { stated: cost.stated, removedNs: cost.durationNsRaw - analysis.durationNs },
      events: analysis.events,
      droppedEvents: analysis.droppedEvents,
      callsRunningAtStart: analysis.callsAtStart,
      ...(scheduled ? { scheduling: analysis.scheduling } : {}),
      metadata: analysis.metadata,
    },
    threads: analysis.threads.map((thread) => ({
      pid: id(thread.pid),
      tid: id(thread.tid),
      ...(thread.name === undefined ? {} : { name: thread.name }),
      events: thread.events,
      startNs: thread.startNs,
      endNs: thread.endNs,
      entries: thread.entries,
      returns: thread.returns,
      returnOnly: thread.returnOnly,
      rootTotalNs: thread.rootTotalNs,
      ...(scheduled ? { offCpuNs: thread.offCpuNs, runQueueNs: thread.runQueueNs } : {}),
      functions: thread.functions.map(toJson),
    })),
    functions: analysis.functions.map(toJson),
    callTree: callTreeJson(analysis),
    gc: {
      pauses: analysis.gc.pauses.map((pause) => ({
        generation: pause.generation,
        startNs: pause.startNs,
        durationNs: pause.durationNs,
        collected: pause.collected,
        pid: id(pause.pid),
        tid: id(pause.tid),
      })),
      byGeneration: analysis.gc.byGeneration,
      totalPauseNs: analysis.gc.totalPauseNs,
      wallShare: analysis.gc.wallShare,
      histogram: durationHistogram(analysis.gc.pauses.map((pause) => pause.durationNs)),
      attribution: analysis.gc.attribution.map((cause) => ({
        stack: cause.stack.map(frame),
        pid: id(cause.pid),
        tid: id(cause.tid),
        count: cause.count,
        totalNs: cause.totalNs,
      })),
    },
    imports: analysis.imports.map((record) => ({
      module: record.module,
      startNs: record.startNs,
      durationNs: record.durationNs,
      selfNs: record.selfNs,
      found: record.found,
      depth: record.depth,
      pid: id(record.pid),
      tid: id(record.tid),
    })),
    lines: analysis.lines,
    audit: analysis.audit,
    callCounts:
      analysis.callCounts === undefined
        ? null
        : {
            intervalsNs: analysis.callCounts.intervalsNs,
            processes: analysis.callCounts.processes,
            functions: [...analysis.callCounts.byFunction]
              .map(([fn, counts]) => ({
                ...frame(fn),
                pids: analysis.callCounts!.pidsByFunction.get(fn) ?? [],
                counts: analysis.callCounts!.intervalsNs.map((_, i) => counts[i] ?? 0),
              }))
              .sort((a, b) => sum(b.counts) - sum(a.counts) || compareFunctionKeys(a, b)),
          },
    overhead: analysis.overhead,
    warnings: analysis.warnings.map((w) => ({
      code: w.code,
      message: w.message,
      count: w.count,
      unit: w.unit,
      lines: w.lines,
    })),
  };
}

/**
 * The threads' call trees merged by call path, as columns (one entry per path; `parent` -1 for a
 * root call, else an earlier entry; `function` indexes `functions`): what `pyflame diff` compares
 * path by path when it is given this document instead of the trace.
 */
function callTreeJson(analysis: Analysis): Record<string, number[]> {
  const tree = buildFlameTree(analysis);
  const indexOf = new Map(analysis.functions.map((stats, index) => [stats.fn, index]));
  return callTreeColumns(
    tree.size,
    tree.children[0],
    (node) => tree.children[node],
    (node) => ({
      parent: tree.parent[node] === 0 ? -1 : tree.parent[node],
      function: indexOf.get(tree.frame[node]) ?? -1,
      calls: tree.calls[node],
      selfNs: tree.self[node],
      totalNs: tree.total[node],
    }),
  );
}

/** A call tree's node as the `callTree` columns hold it; `parent` is a node id, -1 at a root. */
export interface CallTreeNode {
  readonly parent: number;
  readonly function: number;
  readonly calls: number;
  readonly selfNs: number;
  readonly totalNs: number;
}

/**
 * The `callTree` columns of a tree of `size` node ids: the nodes in pre-order (parents before
 * their children, `roots` and each `children(node)` in the order given), each parent as its row.
 * Iterative: paths can be 100,000 deep. Shared by analyze's document and pyflame merge's.
 */
export function callTreeColumns(
  size: number,
  roots: readonly number[],
  children: (node: number) => readonly number[],
  nodeAt: (node: number) => CallTreeNode,
): Record<string, number[]> {
  const rowOf = new Int32Array(size).fill(-1);
  const columns = {
    parent: [] as number[],
    function: [] as number[],
    calls: [] as number[],
    selfNs: [] as number[],
    totalNs: [] as number[],
  };
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = nodeAt(id);
    rowOf[id] = columns.parent.length;
    columns.parent.push(node.parent === -1 ? -1 : rowOf[node.parent]);
    columns.function.push(node.function);
    columns.calls.push(node.calls);
    columns.selfNs.push(node.selfNs);
    columns.totalNs.push(node.totalNs);
    const below = children(id);
    for (let i = below.length - 1; i >= 0; i--) stack.push(below[i]);
  }
  return columns;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The `--json` document as text (two-space indentation, trailing newline). */
export function analysisJsonText(analysis: Analysis): string {
  return analysisDocumentText(analysisToJson(analysis));
}

/**
 * An analysis document as text: two-space indentation, a trailing newline, and each duration
 * sketch's [index, count] pair on one line (indented, each would take four: the sketches would
 * double a document's size).
 */
export function analysisDocumentText(document: Record<string, unknown>): string {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  // No sketch, nothing to fold: the pattern's scan of a document of megabytes is not free.
  if (!text.includes('"bins": [')) return text;
  return text.replace(/( *)"bins": \[\n([\s\S]*?)\n\1\]/g, (_, indent: string, body: string) => {
    const pairs = body.replace(/\[\n\s*(-?\d+),\n\s*(\d+)\n\s*\]/g, '[$1, $2]');
    return `${indent}"bins": [\n${pairs}\n${indent}]`;
  });
}

export { stackOf };
