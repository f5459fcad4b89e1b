import { Diagnostics, type Warning } from '../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID, type EventBatch } from '../model/event-batch.js';
import { EventKind } from '../model/event-kind.js';
import type { FrameTable } from '../model/frame-table.js';
import type { TraceContext, TraceSummary } from '../parse/read-trace.js';
import type {
  Analysis,
  AuditStats,
  CallCountSeries,
  FunctionStats,
  GcAnalysis,
  GcAttribution,
  GcGenerationStats,
  LineStats,
  SchedulingStats,
  ThreadAnalysis,
} from './analysis.js';
import type { FunctionAccumulator } from './function-stats.js';
import { FunctionTable } from './function-table.js';
import { matchesFunction, type AnalysisFilters } from './filters.js';
import { DurationSketch } from './duration-sketch.js';
import { DurationStore, type DurationList } from './duration-store.js';
import {
  durationTotals,
  nearestRank,
  summarizeDurations,
  summarizeWithTotals,
  type DurationSummary,
} from './percentiles.js';
import { spillBudgetBytes } from './spill-budget.js';
import { summarizeSpilled, type DurationReader } from './spilled-summary.js';
import { SharedThreadMaps, ThreadState, type AnalysisContext, type TimelineSink } from './thread-state.js';
import { compareFunctionKeys, compareText } from '../text/compare.js';

/** How many recently met threads Analyzer.thread finds without a map lookup. */
const RECENT_THREADS = 4;

export interface AnalyzerOptions {
  readonly filters?: AnalysisFilters;
  /** Probe cost per event to subtract (ns), see docs/analyze.md. */
  readonly overheadNs?: number;
  /** How many GC-causing stacks to keep. */
  readonly gcStacks?: number;
  /** Receives every call's opening and closing (for time-ordered outputs such as speedscope). */
  readonly timeline?: TimelineSink;
  /** Keep every call's duration for the percentiles (default true). */
  readonly percentiles?: boolean;
  /** Bytes of durations kept in memory before the rest goes to a temporary file (default: spillBudgetBytes()). */
  readonly spillBudgetBytes?: number;
  /**
   * Also a mergeable sketch of each function's durations (`pyflame merge`, `analyze --mergeable`).
   * Off by default: it is a second pass over every duration, and it doubles a large trace's JSON.
   */
  readonly sketches?: boolean;
}

/**
 * Replays a trace's events (batch by batch, as readTrace delivers them) into per-thread call
 * trees and accumulators; `finish` derives the Analysis. A pure function of the event stream.
 */
export class Analyzer {
  private readonly diagnostics = new Diagnostics();
  private readonly threads = new Map<number, Map<number, ThreadState>>();
  private readonly threadList: ThreadState[] = [];
  private lastPid = NaN;
  private lastTid = NaN;
  private lastThread: ThreadState | undefined;
  /**
   * The threads met most recently (pid, tid, state; undefined for a filtered-out thread), newest
   * first: threads of one process alternate every few events, and two map lookups per switch were
   * a measurable share of the replay.
   */
  private readonly recentPid = new Float64Array(RECENT_THREADS).fill(Number.NaN);
  private readonly recentTid = new Float64Array(RECENT_THREADS).fill(Number.NaN);
  private readonly recentThread: (ThreadState | undefined)[] = new Array(RECENT_THREADS).fill(undefined);
  private context: AnalysisContext | undefined;
  private functions: FunctionTable | undefined;
  private durations: DurationStore | undefined;
  private frames: FrameTable | undefined;
  private traceStart = NaN;
  /** The first event's time on the batches' own clock (what --from/--to count from). */
  private windowStart = NaN;
  private events = 0;
  /** Events that passed the filters, and the first and last of their times. */
  private kept = 0;
  private keptStart = NaN;
  private keptEnd = NaN;
  private dropped = 0;
  /** sched-out / sched-in events read (whether or not their thread ran Python). */
  private schedulerEvents = 0;
  private readonly audit = new Map<number, { count: number; first: number; last: number }>();
  private readonly callCountIntervals: number[] = [];
  private readonly callCounts = new Map<number, number[]>();
  private readonly callCountPids = new Map<number, Set<number>>();
  private readonly importsDone = { value: 0 };
  private readonly filters: AnalysisFilters;
  private readonly overheadNs: number;

  constructor(private readonly options: AnalyzerOptions = {}) {
    this.filters = options.filters ?? {};
    this.overheadNs = options.overheadNs ?? 0;
  }

  /**
   * Takes one batch of events (pass as readTrace's onBatch). With `clock`, the times measured are
   * clock[i] instead of batch.ts[i] (the recording's raw or error clock: see recording-clock.ts),
   * while the window still selects by batch.ts, so that every clock sees the same events.
   */
  push(batch: EventBatch, trace: TraceContext, clock?: Float64Array): void {
    const context = this.context ?? this.start(trace);
    const { kind, ts, pid, tid, frame, value, name } = batch;
    const { fromNs, toNs } = this.filters;
    const windowed = fromNs !== undefined || toNs !== undefined;
    for (let i = 0; i < batch.length; i++) {
      // --from/--to select by the batch's times; the figures are measured on `clock` when given.
      const w = ts[i];
      const t = clock === undefined ? w : clock[i];
      if (this.events++ === 0) {
        this.windowStart = w;
        this.traceStart = t;
      }
      if (
        windowed &&
        ((fromNs !== undefined && w - this.windowStart < fromNs) || (toNs !== undefined && w - this.windowStart > toNs))
      )
        continue;
      const k = kind[i];
      if (k === EventKind.Dropped) {
        this.dropped += value[i];
        continue;
      }
      if (k === EventKind.CallCount) {
        // --pid applies to counts too (their PID column); they have no thread.
        if (this.filters.pids === undefined || this.filters.pids.includes(pid[i]))
          this.callCount(frame[i], value[i], t, pid[i]);
        continue;
      }
      if (k === EventKind.OffCpu || k === EventKind.OnCpu) {
        this.schedulerEvents++;
        // Only threads that ran Python: a switch says nothing before the thread's first event
        // (bpftrace -c's child switches hundreds of times before it runs Python at all), and is
        // not a probe firing of its own (no --overhead for it).
        const known = this.knownThread(pid[i], tid[i]);
        if (known !== undefined) {
          if (k === EventKind.OffCpu) known.offCpu(t, value[i]);
          else known.onCpu(t);
        }
        continue;
      }
      // Firings the recorder did not write: only their cost counts (recording cost).
      if (k === EventKind.Unwritten) continue;
      const thread = this.thread(pid[i], tid[i], context);
      if (thread === undefined) continue;
      if (k === EventKind.ThreadName) {
        // A name, not a probe firing: no time, no --overhead.
        if (name[i] !== NO_REF) thread.name = this.frames!.strings.get(name[i]);
        continue;
      }
      if (this.kept++ === 0) this.keptStart = t;
      this.keptEnd = t;
      thread.touch(t);
      if (k === EventKind.Audit && thread.inFocus) this.auditEvent(name[i], t);
      switch (k) {
        case EventKind.Entry:
          thread.entry(frame[i], t);
          break;
        case EventKind.Return:
          thread.return(frame[i], t);
          break;
        case EventKind.Line:
          thread.line(frame[i], t);
          break;
        case EventKind.GcStart:
          thread.gcStartEvent(value[i], t);
          break;
        case EventKind.GcDone:
          thread.gcDoneEvent(value[i], t);
          break;
        case EventKind.ImportStart:
          thread.importStartEvent(this.frames!.strings.get(name[i]), t);
          break;
        case EventKind.ImportDone:
          thread.importDoneEvent(this.frames!.strings.get(name[i]), value[i] !== 0, t);
          break;
      }
    }
  }

  /** Derives the analysis once every batch has been pushed. */
  finish(summary: TraceSummary): Analysis {
    if (this.context === undefined) this.start(summary);
    for (const thread of this.threadList) thread.finish();
    const functions = this.functions!;
    // Calls found running at the start were named by a line that may not be their def line; now
    // that every def line is known, those that turned out to be a function entered later join it.
    const aliases = functions.resolveProvisional();
    if (aliases.size > 0) for (const thread of this.threadList) thread.mergeAliases(aliases);
    const start = this.events === 0 ? 0 : this.traceStart;
    // What the analysis covers: the whole trace, or what --from/--to/--pid/--tid kept of it.
    const durationNs = this.kept === 0 ? 0 : this.keptEnd - this.keptStart;
    const summarize = this.summarizer();
    // Merged first: a thread's summary reorders its durations (the selection), and the merged
    // mean adds them up in recorded order, as a spilled store reads them back.
    const merged = mergeFunctions(this.threadList, functions, summarize, this.options.sketches === true);
    const threads = this.threadList.map((thread) => this.threadAnalysis(thread, start, summarize));
    this.durations?.close();
    const gc = this.gcAnalysis(durationNs);
    const imports = this.threadList.flatMap((thread) =>
      thread.imports.map((record) => ({ ...record, startNs: record.startNs - start })),
    );
    imports.sort((a, b) => a.startNs - b.startNs || a.depth - b.depth);
    const threadEvents = this.threadList.reduce((sum, thread) => sum + thread.events, 0);
    const threadWallNs = threads.reduce((sum, thread) => sum + (thread.endNs - thread.startNs), 0);
    return {
      source: { path: summary.source, format: summary.format },
      metadata: summary.metadata,
      startAbsoluteNs: summary.time.absolute(start),
      originNs: start,
      durationNs,
      events: summary.events,
      droppedEvents: this.dropped,
      callsAtStart: this.context?.shared.callsAtStart ?? 0,
      scheduling: this.schedulerEvents === 0 ? undefined : schedulingStats(this.threadList),
      functionTable: functions,
      threads,
      functions: merged,
      gc,
      imports,
      lines: this.lineStats(),
      audit: this.auditStats(start),
      callCounts: this.callCountIntervals.length === 0 ? undefined : this.callCountSeries(start),
      recordingCost: undefined,
      overhead: {
        perEventNs: this.overheadNs,
        events: threadEvents,
        estimatedShare: threadWallNs > 0 ? Math.min(1, (this.overheadNs * threadEvents) / threadWallNs) : 0,
      },
      warnings: [...summary.warnings, ...this.diagnostics.list()] as Warning[],
    };
  }

  /** Gives back the durations' temporary file, if any (finish does; this is for a failed read). */
  dispose(): void {
    this.durations?.close();
  }

  private start(trace: TraceContext): AnalysisContext {
    this.frames = trace.frames;
    const functions = new FunctionTable(trace.frames);
    this.functions = functions;
    const { focus, exclude } = this.filters;
    const cache = (pattern: RegExp | undefined) => {
      const known: (boolean | undefined)[] = [];
      return (fn: number): boolean => {
        if (pattern === undefined) return false;
        let hit = known[fn];
        if (hit === undefined) {
          hit = matchesFunction(pattern, functions.file(fn), functions.name(fn));
          known[fn] = hit;
        }
        return hit;
      };
    };
    const focused = cache(focus);
    if (this.options.percentiles !== false)
      this.durations = new DurationStore(this.options.spillBudgetBytes ?? spillBudgetBytes());
    this.context = {
      frames: trace.frames,
      functions,
      diagnostics: this.diagnostics,
      excluded: cache(exclude),
      focused: focus === undefined ? () => true : focused,
      hasFocus: focus !== undefined,
      overheadNs: this.overheadNs,
      durations: this.durations,
      timeline: this.options.timeline,
      shared: new SharedThreadMaps(),
    };
    return this.context;
  }

  /** The thread's state if it has had an event that made one (see thread()), else undefined. */
  private knownThread(pid: number, tid: number): ThreadState | undefined {
    return this.threads.get(pid)?.get(tid);
  }

  private thread(pid: number, tid: number, context: AnalysisContext): ThreadState | undefined {
    if (pid === this.lastPid && tid === this.lastTid) return this.lastThread;
    const recentPid = this.recentPid;
    const recentTid = this.recentTid;
    let thread: ThreadState | undefined;
    let found = RECENT_THREADS - 1;
    for (let i = 0; i < RECENT_THREADS; i++) {
      if (recentPid[i] === pid && recentTid[i] === tid) {
        found = i;
        break;
      }
    }
    if (recentPid[found] === pid && recentTid[found] === tid) thread = this.recentThread[found];
    else thread = this.lookUpThread(pid, tid, context);
    // Move to the front (the oldest falls off when it was not found).
    for (let i = found; i > 0; i--) {
      recentPid[i] = recentPid[i - 1];
      recentTid[i] = recentTid[i - 1];
      this.recentThread[i] = this.recentThread[i - 1];
    }
    recentPid[0] = pid;
    recentTid[0] = tid;
    this.recentThread[0] = thread;
    this.lastPid = pid;
    this.lastTid = tid;
    this.lastThread = thread;
    return thread;
  }

  /** The thread's state (made on its first event), or undefined when the filters leave it out. */
  private lookUpThread(pid: number, tid: number, context: AnalysisContext): ThreadState | undefined {
    const { pids, tids } = this.filters;
    let thread: ThreadState | undefined;
    if ((pids === undefined || pids.includes(pid)) && (tids === undefined || tids.includes(tid))) {
      let byTid = this.threads.get(pid);
      if (byTid === undefined) {
        byTid = new Map();
        this.threads.set(pid, byTid);
      }
      thread = byTid.get(tid);
      if (thread === undefined) {
        thread = new ThreadState(pid, tid, this.threadList.length, context, this.importsDone);
        byTid.set(tid, thread);
        this.threadList.push(thread);
      }
    }
    return thread;
  }

  private auditEvent(name: number, ts: number): void {
    if (name === NO_REF) return;
    const known = this.audit.get(name);
    if (known === undefined) this.audit.set(name, { count: 1, first: ts, last: ts });
    else {
      known.count++;
      known.last = ts;
    }
  }

  private callCountSeries(start: number): CallCountSeries {
    const sorted = (pids: Iterable<number>) => [...pids].sort((a, b) => a - b);
    const pidsByFunction = new Map([...this.callCountPids].map(([fn, pids]) => [fn, sorted(pids)] as const));
    const processes = sorted(new Set([...this.callCountPids.values()].flatMap((pids) => [...pids])));
    return {
      intervalsNs: this.callCountIntervals.map((t) => t - start),
      byFunction: this.callCounts,
      pidsByFunction,
      processes,
    };
  }

  private callCount(frame: number, count: number, ts: number, pid: number): void {
    if (this.callCountIntervals[this.callCountIntervals.length - 1] !== ts) this.callCountIntervals.push(ts);
    const interval = this.callCountIntervals.length - 1;
    const fn = this.functions!.intern(frame, this.frames!.line(frame));
    let series = this.callCounts.get(fn);
    if (series === undefined) {
      series = [];
      this.callCounts.set(fn, series);
    }
    while (series.length <= interval) series.push(0);
    series[interval] += count;
    if (pid !== UNKNOWN_ID) {
      let pids = this.callCountPids.get(fn);
      if (pids === undefined) this.callCountPids.set(fn, (pids = new Set()));
      pids.add(pid);
    }
  }

  /**
   * Summarizes the durations of one accumulator (a thread's function, summarized in place) or of
   * several (a function's over the threads, in thread order): from memory, or, when the store
   * spilled, from its file with the same results. With `sketch`, every duration read for the
   * summary is added to it too, once (`--mergeable`): not read a second time for the sketch.
   */
  private summarizer(): Summarizer {
    const store = this.durations;
    if (store === undefined) return () => undefined;
    store.finish();
    const budget = store.budgetCount;
    // The lists' durations in recorded order; on the first pass also into the sketch (a summary
    // of more than the budget reads them several times).
    const reader = (lists: readonly DurationList[], sketch: DurationSketch | undefined): DurationReader => {
      let sketching = sketch !== undefined;
      return (visit) => {
        const into = sketching
          ? (piece: Float64Array) => {
              sketch!.addAll(piece);
              visit(piece);
            }
          : visit;
        sketching = false;
        for (const list of lists) store.read(list, into);
      };
    };
    // A thread's list, once summarized (in place: it may be reordered, nothing reads it again).
    const single = new Map<DurationList, DurationSummary | undefined>();
    let gathered = new Float64Array(0);
    const summarizeOne = (list: DurationList, sketch: DurationSketch | undefined) => {
      if (single.has(list)) {
        // A sketch counts values whatever their order.
        if (sketch !== undefined) reader([list], sketch)(() => {});
        return single.get(list);
      }
      let summary: DurationSummary | undefined;
      if (store.spilled) summary = summarizeSpilled(reader([list], sketch), list.length, budget);
      else {
        sketch?.addAll(list.memory.view());
        summary = summarizeDurations(list.memory.view());
      }
      single.set(list, summary);
      return summary;
    };
    return (lists, sketch) => {
      // A function called on one thread only has the same durations merged as on its thread: its
      // summary is made once (every function of a single-threaded trace).
      if (lists.length === 1) return summarizeOne(lists[0], sketch);
      let count = 0;
      for (const list of lists) count += list.length;
      if (store.spilled && count > budget) return summarizeSpilled(reader(lists, sketch), count, budget);
      // A function over several threads, within the budget: its durations gathered once, in thread
      // order, serve its threads' summaries too (each over its own part, before the whole is
      // selected in), instead of each thread's being read (from the file, when spilled) again.
      // One buffer for every such function, made larger when one needs more (exactly: memory
      // stays within the largest function's durations): nothing keeps it past its summaries, and
      // a fresh array each (21 MB in all for the benchmark trace) cost new pages every time.
      if (gathered.length < count) gathered = new Float64Array(count);
      const durations = gathered.subarray(0, count);
      let at = 0;
      reader(
        lists,
        sketch,
      )((piece) => {
        durations.set(piece, at);
        at += piece.length;
      });
      const totals = durationTotals(durations);
      at = 0;
      for (const list of lists) {
        single.set(list, summarizeDurations(durations.subarray(at, at + list.length)));
        at += list.length;
      }
      return count === 0 ? undefined : summarizeWithTotals(durations, totals);
    };
  }

  private threadAnalysis(thread: ThreadState, start: number, summarize: Summarizer): ThreadAnalysis {
    const functions = this.functions!;
    const threadFunctions: FunctionStats[] = [];
    for (const { fn, stats } of thread.functionStats())
      threadFunctions.push(functionStats(fn, functions, stats, summarize([stats.durations])));
    threadFunctions.sort(bySelfTime);
    return {
      pid: thread.pid,
      tid: thread.tid,
      events: thread.events,
      startNs: thread.firstTs - start,
      endNs: thread.lastTs - start,
      entries: thread.entries,
      returns: thread.returns,
      returnOnly: thread.returnOnly,
      tree: thread.tree,
      rootTotalNs: thread.rootTotalNs(),
      functions: threadFunctions,
      gcByNode: thread.gcByNode,
      offCpuNs: thread.offCpuNs,
      runQueueNs: thread.runQueueNs,
      name: thread.name,
    };
  }

  private gcAnalysis(durationNs: number): GcAnalysis {
    const start = this.traceStart;
    const pauses = this.threadList.flatMap((thread) =>
      thread.gcPauses.map((pause) => ({ ...pause, startNs: pause.startNs - start })),
    );
    pauses.sort((a, b) => a.startNs - b.startNs || a.tid - b.tid);
    const generations = [...new Set(pauses.map((pause) => pause.generation))].sort((a, b) => a - b);
    const byGeneration: GcGenerationStats[] = generations.map((generation) => {
      const durations = Float64Array.from(
        pauses.filter((pause) => pause.generation === generation).map((pause) => pause.durationNs),
      ).sort();
      return {
        generation,
        count: durations.length,
        totalNs: durations.reduce((sum, d) => sum + d, 0),
        maxNs: durations[durations.length - 1],
        p50Ns: nearestRank(durations, 50),
        p95Ns: nearestRank(durations, 95),
        p99Ns: nearestRank(durations, 99),
      };
    });
    const totalPauseNs = pauses.reduce((sum, pause) => sum + pause.durationNs, 0);
    return {
      pauses,
      byGeneration,
      totalPauseNs,
      wallShare: durationNs > 0 ? totalPauseNs / durationNs : 0,
      attribution: this.gcAttribution(this.options.gcStacks ?? 20),
    };
  }

  /**
   * The `keep` stacks GC time was spent under most. A stack is made only for the candidates (the
   * first `keep` by time and count, and those tied with the last of them): one per node would be
   * quadratic in a deep recursion that collects at every level.
   */
  private gcAttribution(keep: number): GcAttribution[] {
    const all: { thread: ThreadState; node: number; count: number; totalNs: number }[] = [];
    for (const thread of this.threadList) {
      for (const [node, { ns, count }] of thread.gcByNode) all.push({ thread, node, count, totalNs: ns });
    }
    all.sort((a, b) => b.totalNs - a.totalNs || b.count - a.count);
    let end = Math.min(keep, all.length);
    if (end > 0) {
      const last = all[end - 1];
      while (end < all.length && all[end].totalNs === last.totalNs && all[end].count === last.count) end++;
    }
    const attribution: GcAttribution[] = all.slice(0, end).map(({ thread, node, count, totalNs }) => ({
      stack: stackOf(thread, node),
      pid: thread.pid,
      tid: thread.tid,
      count,
      totalNs,
    }));
    attribution.sort((a, b) => b.totalNs - a.totalNs || b.count - a.count || compareStacks(a.stack, b.stack));
    return attribution.slice(0, keep);
  }

  private lineStats(): LineStats[] {
    const byLine = new Map<string, { file: string; line: number; hits: number; selfNs: number }>();
    const strings = this.frames!.strings;
    for (const thread of this.threadList) {
      for (let i = 0; i < thread.lineHits.length; i++) {
        const file = strings.get(thread.lineFile.get(i));
        const line = thread.lineNumber.get(i);
        const key = `${line}\0${file}`;
        const known = byLine.get(key);
        if (known === undefined)
          byLine.set(key, { file, line, hits: thread.lineHits.get(i), selfNs: thread.lineNs.get(i) });
        else {
          known.hits += thread.lineHits.get(i);
          known.selfNs += thread.lineNs.get(i);
        }
      }
    }
    const lines: LineStats[] = [...byLine.values()];
    lines.sort(
      (a, b) =>
        b.selfNs - a.selfNs || b.hits - a.hits || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line),
    );
    return lines;
  }

  private auditStats(start: number): AuditStats[] {
    const strings = this.frames!.strings;
    const audit = [...this.audit].map(([name, { count, first, last }]) => ({
      event: strings.get(name),
      count,
      firstNs: first - start,
      lastNs: last - start,
    }));
    audit.sort((a, b) => b.count - a.count || compareText(a.event, b.event));
    return audit;
  }
}

/** The function ids from the root down to `node` in a thread's tree. */
export function stackOf(thread: { tree: ThreadState['tree'] }, node: number): number[] {
  const tree = thread.tree;
  const stack: number[] = [];
  for (let n = node; n >= 0 && tree.func.get(n) >= 0; n = tree.parent.get(n)) stack.push(tree.func.get(n));
  return stack.reverse();
}

function compareStacks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The threads' time on and off the CPU, summed. */
function schedulingStats(threads: readonly ThreadState[]): SchedulingStats {
  const sum = { switches: 0, offCpuNs: 0, offCpuInCallsNs: 0, runQueueNs: 0 };
  for (const thread of threads) {
    sum.switches += thread.switches;
    sum.offCpuNs += thread.offCpuNs;
    sum.offCpuInCallsNs += thread.offCpuInCallsNs;
    sum.runQueueNs += thread.runQueueNs;
  }
  return sum;
}

type Summed = Pick<
  FunctionAccumulator,
  'calls' | 'returns' | 'totalNs' | 'selfNs' | 'offCpuNs' | 'runQueueNs' | 'partial'
>;

function functionStats(
  fn: number,
  functions: FunctionTable,
  stats: Summed,
  durations: FunctionStats['durations'],
): FunctionStats {
  return {
    fn,
    name: functions.name(fn),
    file: functions.file(fn),
    line: functions.line(fn),
    calls: stats.calls,
    returns: stats.returns,
    totalNs: stats.totalNs,
    selfNs: stats.selfNs,
    offCpuNs: stats.offCpuNs,
    runQueueNs: stats.runQueueNs,
    partial: stats.partial,
    durations,
  };
}

/**
 * A summary of accumulators' durations: one list is a thread's (it may be reordered, and its
 * summary is kept for when it is asked again), several are a function's over the threads (copied).
 */
type Summarizer = (lists: readonly DurationList[], sketch?: DurationSketch) => DurationSummary | undefined;

/** Merges per-thread accumulators of each function; percentiles over all its complete calls. */
function mergeFunctions(
  threads: readonly ThreadState[],
  functions: FunctionTable,
  summarize: Summarizer,
  sketches: boolean,
): FunctionStats[] {
  // Each function's accumulators, in thread order: one pass over the threads' own functions
  // (not every function of the trace asked of every thread).
  const partsOf: (FunctionAccumulator[] | undefined)[] = new Array(functions.size);
  for (const thread of threads) {
    for (const { fn, stats } of thread.functionStats()) (partsOf[fn] ??= []).push(stats);
  }
  const merged: FunctionStats[] = [];
  for (let fn = 0; fn < functions.size; fn++) {
    const parts = partsOf[fn];
    if (parts === undefined) continue;
    const sum: Summed = { calls: 0, returns: 0, totalNs: 0, selfNs: 0, offCpuNs: 0, runQueueNs: 0, partial: 0 };
    for (const part of parts) {
      sum.calls += part.calls;
      sum.returns += part.returns;
      sum.totalNs += part.totalNs;
      sum.selfNs += part.selfNs;
      sum.offCpuNs += part.offCpuNs;
      sum.runQueueNs += part.runQueueNs;
      sum.partial += part.partial;
    }
    const lists = parts.map((part) => part.durations);
    const sketch = sketches ? new DurationSketch() : undefined;
    const stats = functionStats(fn, functions, sum, summarize(lists, sketch));
    merged.push(sketch === undefined || sketch.count === 0 ? stats : { ...stats, sketch });
  }
  merged.sort(bySelfTime);
  return merged;
}

function bySelfTime(a: FunctionStats, b: FunctionStats): number {
  return b.selfNs - a.selfNs || b.totalNs - a.totalNs || compareFunctionKeys(a, b);
}
