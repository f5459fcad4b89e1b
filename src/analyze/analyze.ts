import { readTrace, type ReadTraceOptions } from '../parse/read-trace.js';
import type { Analysis } from './analysis.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';

export interface AnalyzeOptions extends Omit<ReadTraceOptions, 'onBatch'>, AnalyzerOptions {}

/** Reads a trace and analyzes it in one streaming pass. */
export async function analyzeTrace(path: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const analyzer = new Analyzer(options);
  const summary = await readTrace(path, { ...options, onBatch: (batch, trace) => analyzer.push(batch, trace) });
  return analyzer.finish(summary);
}
