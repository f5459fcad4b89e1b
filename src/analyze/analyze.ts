import type { ReadTraceOptions } from '../parse/read-trace.js';
import { readerFor } from '../parse/threaded/thread-threshold.js';
import type { Analysis } from './analysis.js';
import type { AnalyzerOptions } from './analyzer.js';
import { CostCorrectingAnalyzer } from './cost-correcting-analyzer.js';

export interface AnalyzeOptions extends Omit<ReadTraceOptions, 'onBatch'>, AnalyzerOptions {
  /**
   * Parse on a second thread while this one analyzes: true, false, or (default) when the trace is
   * big enough for the thread to pay (THREAD_MIN_BYTES). Same results either way.
   */
  readonly parseThread?: boolean;
}

/** Reads a trace and analyzes it in one streaming pass (its stated recording cost taken out: cost-correcting-analyzer.ts). */
export async function analyzeTrace(path: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const analyzer = new CostCorrectingAnalyzer(options);
  const read = await readerFor(path, options.parseThread);
  try {
    const summary = await read(path, { ...options, onBatch: (batch, trace) => analyzer.push(batch, trace) });
    return analyzer.finish(summary);
  } finally {
    // The durations' temporary file, if the trace needed one: finished with, or failed.
    analyzer.dispose();
  }
}
