import type { Warning } from '../model/diagnostics.js';
import type { CallTree } from './call-tree.js';
import type { FunctionTable } from './function-table.js';
import type { DurationSketch } from './duration-sketch.js';
import type { DurationSummary } from './percentiles.js';
import type { GcPauseRecord, ImportRecord } from './thread-state.js';

/** One function's statistics (all times in integer ns; percentiles over complete calls). */
export interface FunctionStats {
  readonly fn: number;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly calls: number;
  readonly returns: number;
  readonly totalNs: number;
  readonly selfNs: number;
  /**
   * Of the self time, how long the thread was off the CPU while this function was its running
   * Python frame (blocked, or runnable waiting for a CPU: runQueueNs). 0 unless the trace has the
   * scheduler's switches (Analysis.scheduling).
   */
  readonly offCpuNs: number;
  /** Of offCpuNs, how long the thread was runnable but had no CPU (preempted). */
  readonly runQueueNs: number;
  readonly partial: number;
  /** Undefined when no call was seen whole. */
  readonly durations: DurationSummary | undefined;
  /**
   * The complete calls' durations as a mergeable sketch (percentiles within its relative error):
   * on the functions merged over threads (Analysis.functions) only.
   */
  readonly sketch?: DurationSketch;
  /** With the recording's cost taken out (Analysis.recordingCost): the times as recorded. */
  readonly raw?: TimePair;
  /** With the recording's cost taken out: the half-width of the corrected times' uncertainty. */
  readonly error?: TimePair;
}

/** Self and total time of one function (ns). */
export interface TimePair {
  readonly selfNs: number;
  readonly totalNs: number;
}

/**
 * The recording's stated cost (its `# pyflame-cost` line), taken out of every time of the
 * analysis: what was removed, and how sure that is.
 */
export interface RecordingCostAnalysis {
  /** The cost line's fields as written (recorder, python, per-kind COST,ERR,BEFORE, ...). */
  readonly stated: Readonly<Record<string, string>>;
  /** The analysed span as recorded, and the half-width of the corrected span's uncertainty. */
  readonly durationNsRaw: number;
  readonly durationNsError: number;
}

export interface ThreadAnalysis {
  readonly pid: number;
  readonly tid: number;
  readonly events: number;
  /** ns from the trace's start. */
  readonly startNs: number;
  readonly endNs: number;
  readonly entries: number;
  readonly returns: number;
  readonly returnOnly: boolean;
  readonly tree: CallTree;
  /** Sum of the durations of root-level calls (= the sum of self times on this thread). */
  readonly rootTotalNs: number;
  readonly functions: FunctionStats[];
  /** GC time by the call-tree node running when each collection started. */
  readonly gcByNode: ReadonlyMap<number, { ns: number; count: number }>;
  /** The thread's name (threading.Thread.name), when the recorder wrote it (the in-process one does). */
  readonly name: string | undefined;
  /** Time off the CPU (see Analysis.scheduling; 0 without it), and of that, waiting for a CPU. */
  readonly offCpuNs: number;
  readonly runQueueNs: number;
}

/**
 * What the scheduler's switches of the traced threads say (traces recorded with them: pyflame
 * record with bpftrace): the wall-clock times split into on and off the CPU.
 */
export interface SchedulingStats {
  /** sched-out events of the analysed threads. */
  readonly switches: number;
  /** Off-CPU time of the analysed threads, in total and inside Python calls. */
  readonly offCpuNs: number;
  readonly offCpuInCallsNs: number;
  /** Of offCpuNs, time runnable but waiting for a CPU (preempted), not blocked. */
  readonly runQueueNs: number;
}

export interface GcGenerationStats {
  readonly generation: number;
  readonly count: number;
  readonly totalNs: number;
  readonly maxNs: number;
  readonly p50Ns: number;
  readonly p95Ns: number;
  readonly p99Ns: number;
}

/** Python stacks running when collections started, by the GC time they caused. */
export interface GcAttribution {
  readonly stack: readonly number[];
  readonly pid: number;
  readonly tid: number;
  readonly count: number;
  readonly totalNs: number;
}

export interface GcAnalysis {
  readonly pauses: readonly GcPauseRecord[];
  readonly byGeneration: readonly GcGenerationStats[];
  readonly totalPauseNs: number;
  /** Share of wall time spent in GC pauses (0..1). */
  readonly wallShare: number;
  readonly attribution: readonly GcAttribution[];
}

export interface LineStats {
  readonly file: string;
  readonly line: number;
  readonly hits: number;
  readonly selfNs: number;
}

export interface AuditStats {
  readonly event: string;
  readonly count: number;
  readonly firstNs: number;
  readonly lastNs: number;
}

/** Counts-only traces (SystemTap "top"): calls per function per interval. */
export interface CallCountSeries {
  /** Interval end times (ns from the start). */
  readonly intervalsNs: readonly number[];
  /** Per function: its count in each interval. */
  readonly byFunction: ReadonlyMap<number, readonly number[]>;
  /** Per function: the process ids it was counted in (sorted; the format's PID column). */
  readonly pidsByFunction: ReadonlyMap<number, readonly number[]>;
  /** Every process id counted (sorted). */
  readonly processes: readonly number[];
}

/** Everything `pyflame analyze` derives from one trace. */
export interface Analysis {
  readonly source: { readonly path: string; readonly format: string };
  readonly metadata: Readonly<Record<string, string>>;
  /** Trace start (absolute, exact) and length. */
  readonly startAbsoluteNs: string;
  /** The trace's start on the reader's clock (event ts values): what every *Ns time is relative to. */
  readonly originNs: number;
  readonly durationNs: number;
  readonly events: number;
  readonly droppedEvents: number;
  /** Calls that were running when the trace began: their return came with no entry before it. */
  readonly callsAtStart: number;
  /** Undefined when the trace has no scheduler switches: its times are wall-clock only. */
  readonly scheduling: SchedulingStats | undefined;
  readonly functionTable: FunctionTable;
  readonly threads: readonly ThreadAnalysis[];
  /** Merged over threads, sorted by self time (descending), then name. */
  readonly functions: readonly FunctionStats[];
  readonly gc: GcAnalysis;
  /** By start time, then depth. */
  readonly imports: readonly ImportRecord[];
  readonly lines: readonly LineStats[];
  readonly audit: readonly AuditStats[];
  readonly callCounts: CallCountSeries | undefined;
  /** The recording's stated cost, taken out of every time; undefined: times as recorded (or --overhead). */
  readonly recordingCost: RecordingCostAnalysis | undefined;
  /** --overhead: ns per event subtracted, and the estimated share of traced time that was probe cost. */
  readonly overhead: { readonly perEventNs: number; readonly events: number; readonly estimatedShare: number };
  readonly warnings: readonly Warning[];
}
