import pc from 'picocolors';
import { renderTable, type ReportStyle } from '../export/terminal/table.js';
import { functionLabel } from '../text/function-label.js';
import { terminalText } from '../text/untrusted.js';
import { formatCount, formatDuration, formatPercent, formatShare } from '../text/units.js';
import type { Json } from './document-fields.js';

export interface MergeReportOptions {
  readonly top: number;
  readonly color: boolean;
  readonly width: number;
}

/** A function of a merged document, as the report and the HTML page show it. */
export interface FunctionRow {
  name: string;
  file: string;
  line: number;
  calls: number;
  selfNs: number;
  totalNs: number;
  p50Ns: number | null;
  p95Ns: number | null;
  p99Ns: number | null;
}

/** A merged percentile: approximate (≈), or a dash where the runs gave no sketch. */
export const approximate = (ns: number | null): string => (ns === null ? '–' : `≈${formatDuration(ns)}`);

/** A function's figures as the report and the HTML page show them: self, %, total, calls, p50, p95, p99. */
export function functionFigures(f: FunctionRow, tracedNs: number): string[] {
  return [
    formatDuration(f.selfNs),
    formatPercent(f.selfNs, tracedNs),
    formatDuration(f.totalNs),
    formatCount(f.calls),
    approximate(f.p50Ns),
    approximate(f.p95Ns),
    approximate(f.p99Ns),
  ];
}

/**
 * The terminal report of a merged document: the runs, the functions by self time with their
 * approximate percentiles (≈, and the relative error said once), GC by generation, warnings.
 */
export function renderMergeReport(document: Json, options: MergeReportOptions): string {
  const style: ReportStyle = { colors: pc.createColors(options.color), width: options.width };
  const merge = document.merge as { runs: { format: string }[]; percentiles: { relativeError: number } };
  const trace = document.trace as { durationNs: number; events: number; droppedEvents: number };
  const threads = document.threads as { rootTotalNs: number }[];
  const tracedNs = threads.reduce((sum, thread) => sum + thread.rootTotalNs, 0);
  const error = formatShare(merge.percentiles.relativeError).replace('.0%', '%');
  const formats = [...new Set(merge.runs.map((run) => run.format))].sort().join(', ');
  const lines = [
    style.colors.bold(`pyflame merge: ${formatCount(merge.runs.length)} runs (${terminalText(formats)})`),
    `  traced ${formatDuration(trace.durationNs)} in all, ${formatDuration(tracedNs)} in Python calls on ${formatCount(threads.length)} threads; ${formatCount(trace.events)} events, ${formatCount(trace.droppedEvents)} dropped`,
    `  counts and times are exact sums; percentiles (≈) are approximate, within ${error} (merged duration sketches)`,
    '',
  ];
  const functions = (document.functions as FunctionRow[]).slice(0, options.top);
  if (functions.length > 0) {
    lines.push(style.colors.bold(`Functions by self time (top ${functions.length})`));
    lines.push(
      ...renderTable(
        [
          { header: 'self', align: 'right' },
          { header: '%', align: 'right' },
          { header: 'total', align: 'right' },
          { header: 'calls', align: 'right' },
          { header: 'p50', align: 'right' },
          { header: 'p95', align: 'right' },
          { header: 'p99', align: 'right' },
          {
            header: 'function',
            align: 'left',
            fit: (row, max) => functionLabel(functions[row].name, functions[row].file, functions[row].line, max),
          },
        ],
        functions.map((f) => [...functionFigures(f, tracedNs), '']),
        style,
      ),
      '',
    );
  }
  const gc = document.gc as {
    byGeneration: { generation: number; count: number; totalNs: number; maxNs: number; p95Ns: number }[];
    totalPauseNs: number;
    wallShare: number;
  };
  if (gc.byGeneration.length > 0) {
    lines.push(
      style.colors.bold(
        `GC: ${formatDuration(gc.totalPauseNs)} in pauses (${formatShare(gc.wallShare)} of the traced time)`,
      ),
      ...renderTable(
        [
          { header: 'gen', align: 'right' },
          { header: 'pauses', align: 'right' },
          { header: 'total', align: 'right' },
          { header: 'p95', align: 'right' },
          { header: 'max', align: 'right' },
        ],
        gc.byGeneration.map((g) => [
          String(g.generation),
          formatCount(g.count),
          formatDuration(g.totalNs),
          `≈${formatDuration(g.p95Ns)}`,
          formatDuration(g.maxNs),
        ]),
        style,
      ),
      '',
    );
  }
  const warnings = document.warnings as { code: string; count: number; unit: string; message: string }[];
  for (const warning of warnings)
    lines.push(
      style.colors.yellow(
        `warning: ${terminalText(warning.code)}: ${formatCount(warning.count)} ${terminalText(warning.unit)} over the runs: ${terminalText(warning.message)}`,
      ),
    );
  return `${lines.join('\n').trimEnd()}\n`;
}
