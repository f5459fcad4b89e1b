import pc from 'picocolors';
import type { Analysis } from '../../analyze/analysis.js';
import type { ReportStyle } from './table.js';
import { renderCallCounts, renderFunctions, type SortKey } from './functions.js';
import { renderGc } from './gc.js';
import { renderAudit, renderImports } from './imports.js';
import { renderLines } from './lines.js';
import { renderSummary, renderThreads } from './summary.js';
import { renderWarnings } from './warnings.js';

export { SORT_KEYS, type SortKey } from './functions.js';

/** The width the report fits when the terminal's is unknown (not a terminal). */
export const DEFAULT_REPORT_WIDTH = 100;

/**
 * The width a report on `stream` should fit: the terminal's; else COLUMNS (a pipe to `less`, a CI
 * log that sets it); else DEFAULT_REPORT_WIDTH.
 */
export function reportWidth(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): number {
  const tty = stream as NodeJS.WriteStream;
  if (tty.isTTY === true && typeof tty.columns === 'number' && tty.columns > 0) return tty.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 && columns <= 10_000 ? columns : DEFAULT_REPORT_WIDTH;
}

export interface ReportOptions {
  /** Rows in each function table. */
  readonly top: number;
  /** What the first function table is sorted by. */
  readonly sort: SortKey;
  /** Show the hottest lines. */
  readonly lines: boolean;
  readonly color: boolean;
  /** Line width to fit (default 100). */
  readonly width?: number;
  /** The filters in effect, as the user gave them (shown in the summary). */
  readonly filters?: readonly string[];
}

/**
 * The terminal report of an analysis, as text ending in a newline: a pure function of the analysis
 * and the options (no clock, no environment). Every name from the trace is made terminal-safe.
 */
export function renderReport(analysis: Analysis, options: ReportOptions): string {
  const style: ReportStyle = {
    colors: pc.createColors(options.color),
    width: Math.max(60, options.width ?? DEFAULT_REPORT_WIDTH),
  };
  const top = Math.max(1, Math.floor(options.top));
  const sections: string[][] = [
    renderSummary(analysis, options.filters ?? [], style),
    renderThreads(analysis, top, style),
    ...renderFunctions(analysis, top, options.sort, style),
    renderCallCounts(analysis, top, style),
    options.lines ? renderLines(analysis, top, style) : [],
    renderGc(analysis, style),
    renderImports(analysis, style),
    renderAudit(analysis, style),
    renderWarnings(analysis.warnings, style),
  ];
  return `${sections
    .filter((section) => section.length > 0)
    .map((section) => section.join('\n'))
    .join('\n\n')}\n`;
}
