import type { FrameTable } from '../model/frame-table.js';
import { Diagnostics } from '../model/diagnostics.js';
import { stayedRunnable } from '../model/event-kind.js';
import { CallTree } from './call-tree.js';
import type { DurationStore } from './duration-store.js';
import { FunctionAccumulator } from './function-stats.js';
import type { FunctionTable } from './function-table.js';
import { CallStack } from './call-stack.js';
import { Float64List, Int32List } from './growable.js';
import { IntPairMap } from './int-pair-map.js';
import { ThreadIntMap } from './thread-int-map.js';

/** Line numbers can be negative (a C int): shifted into IntPairMap's range. */
const LINE_OFFSET = 1 << 30;

/** What the analyzer shares between threads. */
export interface AnalysisContext {
  readonly frames: FrameTable;
  readonly functions: FunctionTable;
  readonly diagnostics: Diagnostics;
  /** Is function `fn` dropped by --exclude? */
  excluded(fn: number): boolean;
  /** Does function `fn` match --focus? (always true without --focus) */
  focused(fn: number): boolean;
  readonly hasFocus: boolean;
  /** Probe cost to subtract per event (--overhead), ns. */
  readonly overheadNs: number;
  /** Where every call's duration is kept for the percentiles (a replay that only sums keeps none). */
  readonly durations: DurationStore | undefined;
  /** Receives every visible call's opening and closing, in time order per thread (flame charts). */
  readonly timeline?: TimelineSink;
  /** The threads' lookup tables, keyed by thread index first. */
  readonly shared: SharedThreadMaps;
}

/**
 * Lookups every thread needs, held once for all threads, keyed (thread index, id): a hash map
 * costs three typed arrays even when small, and a trace can have 100,000 threads.
 */
export class SharedThreadMaps {
  /** (thread, frame) -> the function (+ 1) of the last activation that returned at that frame. */
  readonly leftAt = new IntPairMap();
  /** (thread, frame) -> returns seen at the frame. */
  readonly returnsAt = new IntPairMap();
  /** (thread, function) -> its slot in the thread's accumulators. */
  readonly statsSlot = new IntPairMap();
  /**
   * (process, frame) -> the function (+ 1) of the last activation of that process that returned at
   * the frame, on any thread: a generator can be resumed on another thread than the one it last
   * yielded on (events are replayed in time order across threads). Read at every entry: a busy
   * process gets a dense array (ProcessMaps.leftAt), so most reads are an index, not a hash.
   */
  readonly leftAtInProcess = new IntPairMap();
  /** By function: can it be a generator (by its name)? Filled as functions return. */
  readonly mayYield: boolean[] = [];
  /** Each process's lookups, by process id. */
  private readonly processes = new Map<number, ProcessMaps>();
  /**
   * By frame: 1 once an activation that may be a generator left there (and `leftAt` remembers
   * it). An entry at any other frame is a new call, not a resume: its function is the frame's
   * own, with no lookup in either map (most entries are at def lines no call ever left at).
   */
  private leftFrames = new Uint8Array(1024);
  /** Calls that were running when the trace began (their return came first), over all threads. */
  callsAtStart = 0;

  /** Notes that an activation left at `frame` (see leftFrames). */
  noteLeftAt(frame: number): void {
    if (frame >= this.leftFrames.length) {
      const bigger = new Uint8Array(Math.max(frame + 1, this.leftFrames.length * 2));
      bigger.set(this.leftFrames);
      this.leftFrames = bigger;
    }
    this.leftFrames[frame] = 1;
  }

  /** Has an activation left at `frame` (so an entry there may be a resume)? */
  someLeftAt(frame: number): boolean {
    return frame < this.leftFrames.length && this.leftFrames[frame] === 1;
  }

  processOf(pid: number): ProcessMaps {
    let maps = this.processes.get(pid);
    if (maps === undefined) {
      const frames: number[] = [];
      const index = this.processes.size;
      maps = { index, frames, leftAt: new ThreadIntMap(this.leftAtInProcess, index, frames) };
      this.processes.set(pid, maps);
    }
    return maps;
  }
}

/** One process's share of SharedThreadMaps. */
export interface ProcessMaps {
  /** Its index in the shared maps' keys. */
  readonly index: number;
  /** Frames with returns in the process (at least every frame `leftAt` holds; may repeat). */
  readonly frames: number[];
  /** Its view of leftAtInProcess (dense once one of its threads is busy). */
  readonly leftAt: ThreadIntMap;
}

/**
 * Names of functions that cannot be generators (or practically never are): a return at a line of
 * theirs is never a yield, so the next entry at that line is a new call, not a resume. Two lambdas
 * on adjacent lines, the first leaving by an exception on the second's line, would otherwise give
 * the second's calls to the first.
 */
const NEVER_YIELDS = new Set(['<lambda>', '<listcomp>', '<dictcomp>', '<setcomp>', '<module>']);

/**
 * The calls of each thread as they open and close (visible calls only: filters applied). A call
 * found to have been running since the trace began is opened `atStart` (it encloses everything
 * opened before on that thread) and closed in order like any other.
 */
export interface TimelineSink {
  open(thread: number, fn: number, ts: number): void;
  close(thread: number, fn: number, ts: number): void;
  openAtStart(thread: number, fn: number, ts: number): void;
}

/** A GC pause, from gc-start to gc-done on one thread. */
export interface GcPauseRecord {
  readonly generation: number;
  readonly startNs: number;
  readonly durationNs: number;
  readonly collected: number;
  readonly pid: number;
  readonly tid: number;
  /** The call-tree node running when the collection started (thread's tree). */
  readonly node: number;
}

/** An import, from import-find-load start to done. */
export interface ImportRecord {
  readonly module: string;
  readonly startNs: number;
  readonly durationNs: number;
  readonly selfNs: number;
  readonly found: boolean;
  readonly depth: number;
  readonly pid: number;
  readonly tid: number;
  /** Order of completion (what python -X importtime prints in). */
  readonly done: number;
}

// Above this many returns with under 5% as many entries, a thread was recorded without working
// function__entry (CPython 3.11 without the line probe): stop building its tree.
const RETURN_ONLY_MIN_RETURNS = 200;
const RETURN_ONLY_ENTRY_SHARE = 0.05;
/** A thread's lookups get arrays of their own after this many events (then at each doubling). */
const FIRST_RESERVE = 256;

/**
 * One thread's replay of its events: the stack of open calls, its call tree, per-function
 * accumulators, GC pauses and imports. Iterative throughout: a 100,000-deep recursion is just a
 * deep stack in typed arrays.
 */
export class ThreadState {
  readonly tree = new CallTree();
  /**
   * The thread's functions' accumulators, in order of first use, found by function id through
   * `statsSlot`: not an array indexed by function id, whose length (and every walk over it) would
   * follow the trace's function count in each of 100,000 threads.
   */
  private readonly statsList: FunctionAccumulator[] = [];
  private readonly statsFn: number[] = [];
  private readonly statsSlot: ThreadIntMap;
  readonly gcPauses: GcPauseRecord[] = [];
  readonly imports: ImportRecord[] = [];
  /** Lines seen: (file, line + LINE_OFFSET) -> index into lineFile/lineNumber/lineHits/lineNs. */
  // Nothing allocated until a line event comes (most traces have none).
  private readonly lineIndex = new IntPairMap(0);
  readonly lineFile = new Int32List(0);
  readonly lineNumber = new Int32List(0);
  readonly lineHits = new Float64List(0);
  readonly lineNs = new Float64List(0);
  events = 0;
  entries = 0;
  returns = 0;
  firstTs = NaN;
  lastTs = NaN;
  returnOnly = false;
  /** GC time by the call-tree node running when each collection started. */
  readonly gcByNode = new Map<number, { ns: number; count: number }>();
  // By frame (file, function, line), in the shared maps (context.shared), keyed by this thread's
  // index: where the last activation of a function returned (a generator left there; its next
  // entry at that line is a resume of the same function; per thread, as events are ordered within
  // a thread), and how many returns each frame saw. Not arrays indexed by frame: frame ids count
  // the whole trace's frames, and every thread would have its own.
  private readonly leftAt: ThreadIntMap;
  private readonly returnsAt: ThreadIntMap;
  /** The process's lookups (generators move between its threads). */
  private readonly process: ProcessMaps;
  /** Frames with returns on this thread, in order of their first. */
  private readonly returnFrames: number[] = [];
  /** Events at which the maps above get dense room (doubling: memory follows the thread's events). */
  private nextReserve = FIRST_RESERVE;
  /** Repairs of this thread's call stack, reported at the end unless the thread is return-only. */
  private readonly callWarnings = new Diagnostics();

  // The stack, one entry per open call (level 0 is the thread's root).
  private depth = 0;
  private readonly stack = new CallStack();
  private pushed = false;
  /** Level of the outermost open --focus match, or -1. */
  private focusLevel = -1;

  private gcStart = NaN;
  private gcGeneration = 0;
  private gcNode = 0;
  private readonly importModule: string[] = [];
  private readonly importStart: number[] = [];
  private readonly importChildNs: number[] = [];

  /** The thread's name, when the recorder wrote one (thread-name events; the last one wins). */
  name: string | undefined = undefined;

  /** Time off the CPU (sched-out to sched-in), and of it, runnable waiting for a CPU. */
  offCpuNs = 0;
  runQueueNs = 0;
  /** Of offCpuNs, the part inside (visible) Python calls. */
  offCpuInCallsNs = 0;
  switches = 0;
  /** The last sched-out's time (NaN: on the CPU), and whether the thread stayed runnable. */
  private offSince = NaN;
  private offRunnable = false;
  /** Off-CPU time at the root so far: a call found running at the start takes it (partialRoot). */
  private rootOffCpuNs = 0;
  private rootRunQueueNs = 0;
  /** Is level 1 a call found running at the root by its lines (enclosingAtStart)? */
  private beganBefore = false;
  /** Outermost time of a function inside a call found running at the start: `bottom:fn` -> ns. */
  private readonly nestedOutermost = new Map<string, number>();
  /** Provisional functions merged into the ones they turned out to be (mergeAliases). */
  private readonly mergedAway = new Set<number>();

  constructor(
    readonly pid: number,
    readonly tid: number,
    /** The thread's place in the analysis (order of first appearance). */
    readonly index: number,
    private readonly context: AnalysisContext,
    private readonly doneCounter: { value: number },
  ) {
    // A frame gets a leftAt entry only where it returned: returnFrames lists both maps' ids.
    this.process = context.shared.processOf(pid);
    this.leftAt = new ThreadIntMap(context.shared.leftAt, index, this.returnFrames);
    this.returnsAt = new ThreadIntMap(context.shared.returnsAt, index, this.returnFrames);
    this.statsSlot = new ThreadIntMap(context.shared.statsSlot, index, this.statsFn);
    this.pushLevel(this.tree.root, -1, -1, 1, -1, NaN);
  }

  /** Is the thread inside a --focus match now (always, without --focus)? */
  get inFocus(): boolean {
    return !this.context.hasFocus || this.focusLevel >= 0;
  }

  /** Every event of the thread passes here first. */
  touch(ts: number): void {
    if (this.events === 0) this.firstTs = ts;
    if (++this.events === this.nextReserve) this.reserve();
    this.lastTs = ts;
    this.stack.ownEvents[this.depth] += 1;
  }

  entry(frame: number, ts: number): void {
    this.entries++;
    if (this.returnOnly) return;
    const context = this.context;
    const pair = context.frames.fn(frame);
    // A generator resumes at the line its last activation left at: same function as that one.
    const fn = this.functionAt(frame);
    // A new call (not a resume) shows the function's def line: calls found running when the trace
    // began are named by it (FunctionTable.enteredAbove).
    context.functions.noteEntered(fn, frame);
    const parentLevel = this.depth;
    this.pauseLine(parentLevel, ts);
    let visible = 1;
    let node: number;
    const owner = this.stack.visible[parentLevel] === 1 ? parentLevel : this.stack.owner[parentLevel];
    if (context.hasFocus && this.focusLevel < 0) {
      if (context.focused(fn) && !context.excluded(fn)) {
        this.focusLevel = parentLevel + 1;
        node = this.tree.child(this.tree.root, fn);
      } else {
        visible = 0;
        node = this.stack.node[parentLevel];
      }
    } else if (context.excluded(fn)) {
      visible = 0;
      node = this.stack.node[parentLevel];
    } else if (this.stack.lastCalleeFn[owner] === fn) {
      node = this.stack.lastCalleeNode[owner];
    } else {
      node = this.tree.child(this.stack.node[owner], fn);
      this.stack.lastCalleeFn[owner] = fn;
      this.stack.lastCalleeNode[owner] = node;
    }
    this.pushLevel(node, pair, fn, visible, owner, ts);
    if (visible === 1) {
      this.tree.calls.add(node, 1);
      const slot = this.slotOf(fn);
      this.stack.slot[this.depth] = slot;
      const stats = this.statsList[slot];
      stats.calls++;
      stats.active++;
      context.timeline?.open(this.index, fn, ts);
    }
  }

  return(frame: number, ts: number): void {
    this.returns++;
    const context = this.context;
    const pair = context.frames.fn(frame);
    // Returns by frame, from the first: what a return-only thread reports in the end.
    if (this.returnsAt.add(frame, 1) === 1) {
      this.returnFrames.push(frame);
      this.process.frames.push(frame);
    }
    if (this.returnOnly) return;
    if (this.returns >= RETURN_ONLY_MIN_RETURNS && this.entries < this.returns * RETURN_ONLY_ENTRY_SHARE) {
      this.becomeReturnOnly();
      return;
    }
    if (this.depth === 0) {
      this.partialRoot(frame, ts);
      return;
    }
    let level = this.depth;
    while (level > 0 && this.stack.pair[level] !== pair) level--;
    if (level === 0) {
      this.callWarnings.warn(
        'unmatched-return',
        'a return matched no open call (events lost?) and was dropped',
        undefined,
      );
      return;
    }
    if (level < this.depth) {
      this.callWarnings.warn(
        'unwound-calls',
        'calls left open under a returning caller (their returns were lost) were closed at its return, as partial',
        undefined,
        this.depth - level,
      );
      while (this.depth > level) this.close(ts, true);
    }
    // Remember where it left: if it is a generator, its next entry there is a resume, on this
    // thread or another of the process.
    const left = this.stack.fn[level];
    if (this.mayYield(left)) {
      this.leftAt.set(frame, left + 1);
      this.process.leftAt.set(frame, left + 1);
      this.context.shared.noteLeftAt(frame);
    }
    if (this.stack.visible[level] === 1) this.statsList[this.stack.slot[level]].returns++;
    this.close(ts, false);
    this.resumeLine(this.depth, ts);
  }

  /**
   * The scheduler switched the thread out. No Python event can come on this thread until it is
   * switched in again, so the stack stays as it is: the time off the CPU is self time of the call
   * on top (or of no call, at the root).
   */
  offCpu(ts: number, prevState: number): void {
    this.switches++;
    this.offSince = ts;
    this.offRunnable = stayedRunnable(prevState);
  }

  /** The thread is back on a CPU: the time since its sched-out goes to the call on top. */
  onCpu(ts: number): void {
    const since = this.offSince;
    // Switched in without a sched-out seen (the trace or the window began while it was off): unknown.
    if (Number.isNaN(since)) return;
    this.offSince = NaN;
    const ns = Math.max(0, ts - since);
    const runQueueNs = this.offRunnable ? ns : 0;
    this.offCpuNs += ns;
    this.runQueueNs += runQueueNs;
    if (this.returnOnly) return;
    const top = this.depth;
    const level = this.stack.visible[top] === 1 ? top : this.stack.owner[top];
    if (level <= 0) {
      this.rootOffCpuNs += ns;
      this.rootRunQueueNs += runQueueNs;
      return;
    }
    this.offCpuInCallsNs += ns;
    const stats = this.statsList[this.stack.slot[level]];
    stats.offCpuNs += ns;
    stats.runQueueNs += runQueueNs;
  }

  /** A line event: hit count, and the time until the frame's next line goes to this one. */
  line(frame: number, ts: number): void {
    // A line with no call open on the thread runs in a frame entered before the trace began
    // (every --pid recording): that frame is a call running since the start, named by it.
    if (this.depth === 0 && !this.returnOnly) this.enclosingAtStart(frame);
    const frames = this.context.frames;
    const file = frames.fileId(frame);
    const number = frames.line(frame);
    let key = this.lineIndex.get(file, number + LINE_OFFSET);
    if (key < 0) {
      key = this.lineHits.length;
      this.lineIndex.set(file, number + LINE_OFFSET, key);
      this.lineFile.push(file);
      this.lineNumber.push(number);
      this.lineHits.push(0);
      this.lineNs.push(0);
    }
    this.lineHits.add(key, 1);
    const level = this.depth;
    this.pauseLine(level, ts);
    this.stack.lineKey[level] = key;
    this.stack.lineStart[level] = ts;
  }

  gcStartEvent(generation: number, ts: number): void {
    if (!Number.isNaN(this.gcStart))
      this.context.diagnostics.warn('unmatched-gc', 'a gc-start without its gc-done was dropped');
    this.gcStart = ts;
    this.gcGeneration = generation;
    // A hidden level carries the node of the visible call it runs under.
    this.gcNode = this.stack.node[this.depth];
  }

  gcDoneEvent(collected: number, ts: number): void {
    if (Number.isNaN(this.gcStart)) {
      this.context.diagnostics.warn('unmatched-gc', 'a gc-done without its gc-start was dropped');
      return;
    }
    const durationNs = ts - this.gcStart;
    const inFocus = !this.context.hasFocus || this.focusLevel >= 0;
    if (inFocus) {
      this.gcPauses.push({
        generation: this.gcGeneration,
        startNs: this.gcStart,
        durationNs,
        collected,
        pid: this.pid,
        tid: this.tid,
        node: this.gcNode,
      });
      const byNode = this.gcByNode.get(this.gcNode);
      if (byNode === undefined) this.gcByNode.set(this.gcNode, { ns: durationNs, count: 1 });
      else {
        byNode.ns += durationNs;
        byNode.count++;
      }
    }
    this.gcStart = NaN;
  }

  importStartEvent(module: string, ts: number): void {
    this.importModule.push(module);
    this.importStart.push(ts);
    this.importChildNs.push(0);
  }

  importDoneEvent(module: string, found: boolean, ts: number): void {
    let level = this.importModule.length - 1;
    while (level >= 0 && this.importModule[level] !== module) level--;
    if (level < 0) {
      this.context.diagnostics.warn('unmatched-import', 'an import-done matched no open import and was dropped');
      return;
    }
    if (level < this.importModule.length - 1) {
      this.context.diagnostics.warn(
        'unmatched-import',
        'imports left open under a finished one were dropped',
        undefined,
        this.importModule.length - 1 - level,
      );
      this.importModule.length = this.importStart.length = this.importChildNs.length = level + 1;
    }
    const durationNs = ts - this.importStart[level];
    this.imports.push({
      module,
      startNs: this.importStart[level],
      durationNs,
      selfNs: durationNs - this.importChildNs[level],
      found,
      depth: level,
      pid: this.pid,
      tid: this.tid,
      done: this.doneCounter.value++,
    });
    this.importModule.pop();
    this.importStart.pop();
    this.importChildNs.pop();
    if (level > 0) this.importChildNs[level - 1] += durationNs;
  }

  /** End of the trace: close what is still open at the thread's last timestamp, as partial. */
  finish(): void {
    if (this.returnOnly) {
      this.countReturnsOnly();
    } else {
      // Repairs of the call stack are only news where the trace had its entries.
      for (const warning of this.callWarnings.list())
        this.context.diagnostics.warn(warning.code, warning.message, undefined, warning.count, warning.unit);
      if (this.depth > 0) {
        this.context.diagnostics.warn(
          'open-at-end',
          "calls still open at the end of the trace (or of --to) were closed at their thread's last event, as partial",
          undefined,
          this.depth,
        );
        while (this.depth > 0) this.close(this.lastTs, true);
      }
    }
    if (this.importModule.length > 0) {
      this.context.diagnostics.warn(
        'unmatched-import',
        'imports still open when the trace ended were dropped',
        undefined,
        this.importModule.length,
      );
    }
    if (!Number.isNaN(this.gcStart))
      this.context.diagnostics.warn('unmatched-gc', 'a gc-start without its gc-done was dropped');
  }

  /** Root-level time: the sum of the durations of the activations with nothing below them. */
  rootTotalNs(): number {
    return this.stack.childNs[0];
  }

  statsOf(fn: number): FunctionAccumulator {
    return this.statsList[this.slotOf(fn)];
  }

  /** The slot of `fn`'s accumulators in statsList, made when new. */
  private slotOf(fn: number): number {
    const statsSlot = this.statsSlot;
    const slot = statsSlot.get(fn);
    // A slot from before countReturnsOnly started the list anew may point elsewhere: checked.
    if (slot >= 0 && slot < this.statsFn.length && this.statsFn[slot] === fn) return slot;
    const made = this.statsList.length;
    statsSlot.set(fn, made);
    this.statsList.push(new FunctionAccumulator());
    this.statsFn.push(fn);
    return made;
  }

  /** Each function the thread used and its accumulators, by function id. */
  functionStats(): { fn: number; stats: FunctionAccumulator }[] {
    return this.statsFn
      .map((fn, i) => ({ fn, stats: this.statsList[i] }))
      .filter(({ fn }) => !this.mergedAway.has(fn))
      .sort((a, b) => a.fn - b.fn);
  }

  /**
   * The function of a call found running at the start, by `frame` (its return or first line):
   * a generator's that left at that frame before (a resume); else the nearest def line at or
   * above it among the calls entered so far; else the frame's own
   * line, provisionally: if a def line shows up later, the end of the trace merges the two
   * (FunctionTable.resolveProvisional, mergeAliases).
   */
  private runningAtStart(frame: number): number {
    const context = this.context;
    // A generator that left here before: its resume.
    if (this.leftAt.get(frame) > 0 || this.process.leftAt.get(frame) > 0) return this.functionAt(frame);
    const functions = context.functions;
    const known = functions.enteredAbove(frame);
    if (known !== undefined) return known;
    const fn = this.functionAt(frame);
    functions.noteProvisional(fn, frame);
    return fn;
  }

  /**
   * After the trace: the provisional functions that turned out to be others (`aliases`) become
   * them on this thread: in the call tree, and their accumulators added to the others'. A call of
   * the real function that ran inside the provisional one (open at the root, found by its lines)
   * was counted as outermost for it: its time, already in the provisional call's, comes off.
   */
  mergeAliases(aliases: ReadonlyMap<number, number>): void {
    const tree = this.tree;
    for (let node = 0; node < tree.size; node++) {
      const target = aliases.get(tree.func.get(node));
      if (target !== undefined) tree.func.set(node, target);
    }
    for (let slot = 0; slot < this.statsFn.length; slot++) {
      const fn = this.statsFn[slot];
      const target = aliases.get(fn);
      if (target === undefined) continue;
      const from = this.statsList[slot];
      const into = this.statsList[this.slotOf(target)];
      into.calls += from.calls;
      into.returns += from.returns;
      into.totalNs += from.totalNs - (this.nestedOutermost.get(`${fn}:${target}`) ?? 0);
      into.selfNs += from.selfNs;
      into.offCpuNs += from.offCpuNs;
      into.runQueueNs += from.runQueueNs;
      into.partial += from.partial;
      this.context.durations?.append(into.durations, from.durations);
      this.mergedAway.add(fn);
    }
  }

  /**
   * A busy thread's lookups by frame and function become array indexing: room for the ids known
   * so far (and some to come), at most one slot per event the thread has had.
   */
  private reserve(): void {
    this.nextReserve *= 2;
    const { frames, functions } = this.context;
    this.leftAt.reserve(Math.min(this.events, frames.size * 2 + 64));
    // Its process's too (a no-op when another of its threads made room already).
    this.process.leftAt.reserve(Math.min(this.events, frames.size * 2 + 64));
    this.returnsAt.reserve(Math.min(this.events, frames.size * 2 + 64));
    this.statsSlot.reserve(Math.min(this.events, functions.size * 2 + 64));
  }

  /** The function an entry (or a return seen without its entry) at `frame` belongs to. */
  private functionAt(frame: number): number {
    if (!this.context.shared.someLeftAt(frame)) return this.context.functions.ofFrame(frame);
    const resumed = this.leftAt.get(frame);
    if (resumed > 0) return resumed - 1;
    const elsewhere = this.process.leftAt.get(frame);
    return elsewhere > 0 ? elsewhere - 1 : this.context.functions.ofFrame(frame);
  }

  /** Can function `fn` be a generator (see NEVER_YIELDS)? Cached per function. */
  private mayYield(fn: number): boolean {
    if (fn < 0) return true;
    const cache = this.context.shared.mayYield;
    let known = cache[fn];
    if (known === undefined) known = cache[fn] = !NEVER_YIELDS.has(this.context.functions.name(fn));
    return known;
  }

  /**
   * A return-only thread: its call statistics mean nothing (there were no calls to pair); what it
   * has is how often each function returned, counted from the first event.
   */
  private countReturnsOnly(): void {
    this.statsList.length = 0;
    this.statsFn.length = 0;
    this.tree.calls.view().fill(0);
    for (const frame of [...this.returnFrames].sort((a, b) => a - b)) {
      const count = this.returnsAt.get(frame);
      if (count > 0) this.statsOf(this.functionAt(frame)).returns += count;
    }
  }

  private becomeReturnOnly(): void {
    this.returnOnly = true;
    this.context.diagnostics.warn(
      'return-only',
      'this trace has returns but almost no function entries: CPython 3.11 fires function__entry only when the line probe is attached too (attach it, as probes/pyflame.bt does; see docs/recording.md). Only per-function return counts are reported',
    );
  }

  /**
   * A return with nothing open: the call was running before the trace began. It becomes the root
   * of everything this thread did so far, from the thread's first event to now.
   */
  private partialRoot(frame: number, ts: number): void {
    const context = this.context;
    context.shared.callsAtStart++;
    // Named by its def line when a call of the same function was entered before (the return line
    // alone would make a second row for it); else by the line it returned at.
    const fn = this.runningAtStart(frame);
    // It returned here: if it is a generator, its next entry here is a resume (as for any return).
    if (this.mayYield(fn)) {
      this.leftAt.set(frame, fn + 1);
      this.process.leftAt.set(frame, fn + 1);
      context.shared.noteLeftAt(frame);
    }
    if (!this.shownAtStart(fn)) return;
    this.statsOf(fn).returns++;
    const durationNs = this.corrected(ts - this.firstTs, this.stack.innerEvents[0] + this.stack.ownEvents[0]);
    const tree = this.tree;
    const old = tree.root;
    tree.adoptRoot(fn);
    tree.totalNs.add(old, durationNs);
    tree.selfNs.add(old, durationNs - this.stack.childNs[0]);
    tree.partial.add(old, 1);
    const stats = this.statsOf(fn);
    // Every earlier call of this function on this thread ran inside this one (it encloses all the
    // thread did so far), so on this thread its total is now this call's time.
    stats.totalNs = durationNs;
    stats.selfNs += durationNs - this.stack.childNs[0];
    stats.partial++;
    this.takeRootOffCpu(stats);
    const timeline = context.timeline;
    if (timeline !== undefined) {
      timeline.openAtStart(this.index, fn, this.firstTs);
      timeline.close(this.index, fn, ts);
    }
    this.stack.node[0] = tree.root;
    this.stack.lastCalleeFn[0] = -1;
    this.stack.childNs[0] = durationNs;
    this.stack.innerEvents[0] += this.stack.ownEvents[0];
    this.stack.ownEvents[0] = 0;
  }

  /**
   * A frame found running at the root by its line events: a call running since before the trace,
   * still open. Like partialRoot, it encloses everything the thread did so far (the old root
   * becomes its node), but it stays on the stack, as level 1 under a new root, until its return
   * (or the trace's end) closes it as partial. A function that never returns (a server's loop)
   * appears this way; one seen entered elsewhere is named by its def line.
   */
  private enclosingAtStart(frame: number): void {
    const context = this.context;
    const fn = this.runningAtStart(frame);
    // Counted once it is shown: a hidden one stays at the root, and its next line would come here again.
    if (!this.shownAtStart(fn)) return;
    context.shared.callsAtStart++;
    const stack = this.stack;
    const tree = this.tree;
    const old = tree.root;
    tree.adoptRoot(fn);
    // Level 1, its call since the thread's first event, takes over the root's figures so far;
    // level 0 starts again under the new root.
    this.pushLevel(old, context.frames.fn(frame), fn, 1, 0, this.firstTs);
    stack.childNs[1] = stack.childNs[0];
    stack.ownEvents[1] = stack.ownEvents[0];
    stack.innerEvents[1] = stack.innerEvents[0];
    stack.node[0] = tree.root;
    stack.lastCalleeFn[0] = -1;
    stack.childNs[0] = 0;
    stack.ownEvents[0] = 0;
    stack.innerEvents[0] = 0;
    const slot = this.slotOf(fn);
    stack.slot[1] = slot;
    const stats = this.statsList[slot];
    stats.active++;
    this.beganBefore = true;
    // With --focus, a focused function found running makes what runs inside it in focus.
    if (context.hasFocus) this.focusLevel = 1;
    this.takeRootOffCpu(stats);
    context.timeline?.openAtStart(this.index, fn, this.firstTs);
  }

  /** Is a call of `fn` found running at the start shown (not excluded, in --focus)? */
  private shownAtStart(fn: number): boolean {
    const context = this.context;
    return !context.excluded(fn) && (!context.hasFocus || context.focused(fn));
  }

  /** A call found running at the start encloses the root's time so far: its off-CPU time too. */
  private takeRootOffCpu(stats: FunctionAccumulator): void {
    stats.offCpuNs += this.rootOffCpuNs;
    stats.runQueueNs += this.rootRunQueueNs;
    this.offCpuInCallsNs += this.rootOffCpuNs;
    this.rootOffCpuNs = 0;
    this.rootRunQueueNs = 0;
  }

  private pushLevel(node: number, pair: number, fn: number, visible: number, owner: number, ts: number): void {
    const level = this.pushed ? ++this.depth : 0;
    this.pushed = true;
    const stack = this.stack;
    stack.ensure(level);
    stack.node[level] = node;
    stack.pair[level] = pair;
    stack.fn[level] = fn;
    stack.visible[level] = visible;
    stack.owner[level] = owner;
    stack.start[level] = ts;
    stack.childNs[level] = 0;
    stack.ownEvents[level] = 0;
    stack.innerEvents[level] = 0;
    stack.lineKey[level] = -1;
    stack.lineStart[level] = NaN;
    stack.lastCalleeFn[level] = -1;
  }

  /** Pops the top call at `ts`. */
  private close(ts: number, partial: boolean): void {
    const level = this.depth;
    // Level 1 found running by its lines began before the trace: never a whole call.
    if (level === 1 && this.beganBefore) {
      partial = true;
      this.beganBefore = false;
    }
    this.pauseLine(level, ts);
    const events = this.stack.ownEvents[level] + this.stack.innerEvents[level];
    const durationNs = this.corrected(ts - this.stack.start[level], events);
    const owner = this.stack.owner[level];
    if (this.stack.visible[level] === 1) {
      const node = this.stack.node[level];
      const fn = this.stack.fn[level];
      const selfNs = durationNs - this.stack.childNs[level];
      const tree = this.tree;
      tree.totalNs.add(node, durationNs);
      tree.selfNs.add(node, selfNs);
      const stats = this.statsList[this.stack.slot[level]];
      stats.selfNs += selfNs;
      if (--stats.active === 0) {
        stats.totalNs += durationNs;
        // Outermost for its function, but inside a call of the same (file, name) found running
        // at the start: if that one turns out to be this function, this time is counted twice.
        if (this.beganBefore && level > 1 && this.stack.pair[level] === this.stack.pair[1]) {
          const key = `${this.stack.fn[1]}:${fn}`;
          this.nestedOutermost.set(key, (this.nestedOutermost.get(key) ?? 0) + durationNs);
        }
      }
      if (partial) {
        tree.partial.add(node, 1);
        stats.partial++;
      } else {
        this.context.durations?.push(stats.durations, durationNs);
      }
      this.stack.childNs[Math.max(owner, 0)] += durationNs;
      this.context.timeline?.close(this.index, fn, ts);
    }
    if (this.focusLevel === level) this.focusLevel = -1;
    this.depth--;
    this.stack.innerEvents[this.depth] += events;
  }

  /** Inclusive time minus the probe cost of `events` events (--overhead). */
  private corrected(durationNs: number, events: number): number {
    const overhead = this.context.overheadNs;
    return overhead === 0 ? durationNs : Math.max(0, durationNs - overhead * events);
  }

  /** A call starts in `level`'s frame: the current line's time stops. */
  private pauseLine(level: number, ts: number): void {
    const key = this.stack.lineKey[level];
    if (key < 0) return;
    const startTs = this.stack.lineStart[level];
    if (!Number.isNaN(startTs)) this.lineNs.add(key, ts - startTs);
    this.stack.lineStart[level] = NaN;
  }

  /** Back in `level`'s frame: its current line's time runs again. */
  private resumeLine(level: number, ts: number): void {
    if (this.stack.lineKey[level] >= 0) this.stack.lineStart[level] = ts;
  }
}
