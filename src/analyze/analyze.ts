import { readTrace, type ReadTraceOptions } from '../parse/read-trace.js';
import { readTraceThreaded } from '../parse/threaded/read-trace-threaded.js';
import type { Analysis } from './analysis.js';
import type { AnalyzerOptions } from './analyzer.js';
import { CostCorrectingAnalyzer } from './cost-correcting-analyzer.js';

export interface AnalyzeOptions extends Omit<ReadTraceOptions, 'onBatch'>, AnalyzerOptions {
  /** Parse on a second thread while this one analyzes (default true; same results either way). */
  readonly parseThread?: boolean;
}

/** Reads a trace and analyzes it in one streaming pass (its stated recording cost taken out: cost-correcting-analyzer.ts). */
export async function analyzeTrace(path: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const analyzer = new CostCorrectingAnalyzer(options);
  const read = options.parseThread === false ? readTrace : readTraceThreaded;
  try {
    const summary = await read(path, { ...options, onBatch: (batch, trace) => analyzer.push(batch, trace) });
    return analyzer.finish(summary);
  } finally {
    // The durations' temporary file, if the trace needed one: finished with, or failed.
    analyzer.dispose();
  }
}
