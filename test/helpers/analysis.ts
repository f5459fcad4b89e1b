import type { Analysis, FunctionStats } from '../../src/analyze/analysis.js';
import { analyzeTrace, type AnalyzeOptions } from '../../src/analyze/analyze.js';
import { scratchDir, writeScratch } from './scratch.js';

const scratch = scratchDir('analyze');

/**
 * A trace in pyflame's format from compact rows: `[ts, tid, 'e'|'r'|'l', func, line]` for
 * function entry/return/line (file /t/m.py, pid 1), or raw lines as strings.
 */
export type Row = readonly [number, number, 'e' | 'r' | 'l', string, number] | string;

export function traceText(rows: readonly Row[]): string {
  const probes = { e: 'function__entry', r: 'function__return', l: 'line' };
  return `${rows.map((row) => (typeof row === 'string' ? row : `${row[0]}\t1\t${row[1]}\t${probes[row[2]]}\t/t/m.py\t${row[3]}\t${row[4]}`)).join('\n')}\n`;
}

export async function analyzeRows(rows: readonly Row[], options: AnalyzeOptions = {}): Promise<Analysis> {
  return analyzeTrace(writeScratch(scratch, traceText(rows)), options);
}

/** The merged stats of function `name` (and line, when several share the name). */
export function fn(analysis: Analysis, name: string, line?: number): FunctionStats {
  const found = analysis.functions.filter((f) => f.name === name && (line === undefined || f.line === line));
  if (found.length !== 1)
    throw new Error(
      `expected one function ${name}${line ?? ''}, found ${found.length}: ${analysis.functions.map((f) => `${f.name}:${f.line}`).join(' ')}`,
    );
  return found[0];
}

export function codes(analysis: Analysis): Record<string, number> {
  return Object.fromEntries(analysis.warnings.map((w) => [w.code, w.count]));
}

export function selfSum(analysis: Analysis): number {
  return analysis.functions.reduce((sum, f) => sum + f.selfNs, 0);
}

export function rootSum(analysis: Analysis): number {
  return analysis.threads.reduce((sum, t) => sum + t.rootTotalNs, 0);
}
