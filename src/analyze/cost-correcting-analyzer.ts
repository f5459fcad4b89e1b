import type { RecordingCost } from '../model/recording-cost.js';
import type { EventBatch } from '../model/event-batch.js';
import type { TraceContext, TraceSummary } from '../parse/read-trace.js';
import type { Analysis, FunctionStats, ThreadAnalysis } from './analysis.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import { RecordingClock } from './recording-clock.js';
import { withinUncertainty } from './uncertainty.js';

/**
 * The analyzer `pyflame analyze` runs: when the trace states its recording's cost (and no
 * `--overhead` was given), every time is measured on the corrected clock (recording-clock.ts), and
 * two more replays of the same events measure the same figures as recorded and on the error clock,
 * so that each function gets its raw times and its uncertainty. The three replays see the same
 * events in the same order, so their function ids agree. Without a stated cost: one plain replay.
 */
export class CostCorrectingAnalyzer {
  private readonly main: Analyzer;
  private decided = false;
  private clock: RecordingClock | undefined;
  private stated: RecordingCost | undefined;
  private raw: Analyzer | undefined;
  private error: Analyzer | undefined;

  constructor(private readonly options: AnalyzerOptions = {}) {
    this.main = new Analyzer(options);
  }

  push(batch: EventBatch, trace: TraceContext): void {
    if (!this.decided) this.decide(trace);
    const clock = this.clock;
    if (clock === undefined) {
      this.main.push(batch, trace);
      return;
    }
    const clocked = clock.apply(batch);
    this.main.push(clocked.corrected, trace);
    this.raw!.push(clocked.corrected, trace, clocked.raw);
    this.error!.push(clocked.corrected, trace, clocked.error);
  }

  finish(summary: TraceSummary): Analysis {
    // A trace with no events: what it says about its cost still holds.
    if (!this.decided) this.decide(summary);
    const analysis = this.main.finish(summary);
    if (this.stated === undefined) return analysis;
    return withRecordingCost(analysis, this.raw!.finish(summary), this.error!.finish(summary), this.stated);
  }

  /** Gives back any temporary file (finish does; this is for a read that failed). */
  dispose(): void {
    this.main.dispose();
  }

  private decide(trace: TraceContext): void {
    this.decided = true;
    // --overhead (0 included) is the user's word: the old uniform model, or times as recorded.
    if (this.options.overheadNs !== undefined || trace.cost === undefined) return;
    this.stated = trace.cost;
    this.clock = new RecordingClock(trace.cost);
    // The other clocks need no call timeline and no percentiles: only their sums are kept.
    this.raw = new Analyzer({ ...this.options, timeline: undefined, percentiles: false });
    this.error = new Analyzer({ ...this.options, timeline: undefined, percentiles: false });
  }
}

/** The corrected analysis with each function's raw times and uncertainty from the other two replays. */
function withRecordingCost(analysis: Analysis, raw: Analysis, error: Analysis, stated: RecordingCost): Analysis {
  const rawByFn = byFunction(raw.functions);
  const errorByFn = byFunction(error.functions);
  const annotate = (
    list: readonly FunctionStats[],
    rawList: Map<number, FunctionStats>,
    errList: Map<number, FunctionStats>,
  ) => list.map((stats) => annotated(stats, rawList.get(stats.fn), errList.get(stats.fn)));
  const threads: ThreadAnalysis[] = analysis.threads.map((thread, i) => ({
    ...thread,
    functions: annotate(
      thread.functions,
      byFunction(raw.threads[i]?.functions ?? []),
      byFunction(error.threads[i]?.functions ?? []),
    ),
  }));
  return {
    ...analysis,
    threads,
    functions: measuredFirst(annotate(analysis.functions, rawByFn, errorByFn)),
    recordingCost: {
      stated: stated.fields,
      durationNsRaw: raw.durationNs,
      durationNsError: Math.max(0, error.durationNs),
    },
  };
}

function annotated(
  stats: FunctionStats,
  raw: FunctionStats | undefined,
  error: FunctionStats | undefined,
): FunctionStats {
  return {
    ...stats,
    raw: { selfNs: raw?.selfNs ?? stats.selfNs, totalNs: raw?.totalNs ?? stats.totalNs },
    error: { selfNs: Math.max(0, error?.selfNs ?? 0), totalNs: Math.max(0, error?.totalNs ?? 0) },
  };
}

/**
 * Functions by self time as before, but those whose self time is within its uncertainty (it may
 * be all recording cost) after every measured one: never ranked as hot.
 */
function measuredFirst(functions: FunctionStats[]): FunctionStats[] {
  return functions
    .map((stats, index) => ({ stats, index, unsure: withinUncertainty(stats, 'self') ? 1 : 0 }))
    .sort((a, b) => a.unsure - b.unsure || a.index - b.index)
    .map(({ stats }) => stats);
}

function byFunction(list: readonly FunctionStats[]): Map<number, FunctionStats> {
  return new Map(list.map((stats) => [stats.fn, stats]));
}
