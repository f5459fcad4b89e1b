import type { Analysis } from '../../analyze/analysis.js';
import { terminalText } from '../../text/untrusted.js';
import { formatCount, formatDuration, formatPercent, formatShare } from '../../text/units.js';
import { recordingCostLine } from '../recording-cost-text.js';
import { heading, note, renderTable, wrap, type ReportStyle } from './table.js';
import { busiestThreads, rootTotal, THREAD_FIGURE_HEADERS, threadFigures } from '../thread-rows.js';

/** Does this trace have function returns but (almost) no entries (3.11 without the line probe)? */
export function isReturnOnly(analysis: Analysis): boolean {
  const threads = analysis.threads;
  if (threads.length === 0) return false;
  if (threads.every((thread) => thread.returnOnly)) return true;
  const entries = threads.reduce((sum, thread) => sum + thread.entries, 0);
  const returns = threads.reduce((sum, thread) => sum + thread.returns, 0);
  return entries === 0 && returns > 0;
}

/** Trace path, format, metadata, processes and threads, duration, events, drops, filters, overhead. */
export function renderSummary(analysis: Analysis, filters: readonly string[], style: ReportStyle): string[] {
  const { colors } = style;
  const rows: [string, string, (text: string) => string][] = [];
  const add = (key: string, value: string, paint: (text: string) => string = (text) => text) =>
    rows.push([key, value, paint]);
  add('trace', terminalText(analysis.source.path));
  add('format', terminalText(analysis.source.format));
  const metadata = Object.entries(analysis.metadata);
  if (metadata.length > 0) add('recorded', terminalText(metadata.map(([key, value]) => `${key}=${value}`).join(' ')));
  const threads = analysis.threads.length;
  const processes = new Set(analysis.threads.map((thread) => thread.pid).filter((pid) => pid >= 0)).size;
  const unknown = [
    analysis.threads.some((thread) => thread.pid < 0) ? 'process' : '',
    analysis.threads.some((thread) => thread.tid < 0) ? 'thread' : '',
  ].filter((id) => id !== '');
  const where =
    unknown.length > 0
      ? ` (${unknown.join(' and ')} ids not in this format)`
      : ` in ${formatCount(processes)} process${processes === 1 ? '' : 'es'}`;
  if (threads > 0) add('threads', `${formatCount(threads)}${where}`);
  const counted = analysis.callCounts?.processes ?? [];
  if (threads === 0 && counted.length > 0)
    add(
      'processes',
      `${formatCount(counted.length)} (pid ${counted.slice(0, 8).join(', ')}${counted.length > 8 ? ', …' : ''})`,
    );
  add('duration', formatDuration(analysis.durationNs));
  add('events', formatCount(analysis.events));
  const total = rootTotal(analysis);
  if (total > 0 && !isReturnOnly(analysis))
    add('in Python', `${formatDuration(total)}, summed over threads (100% in the tables below)`);
  const scheduling = analysis.scheduling;
  if (scheduling !== undefined && total > 0 && !isReturnOnly(analysis)) {
    const waiting =
      scheduling.runQueueNs > 0
        ? `; ${formatDuration(scheduling.runQueueNs)} of all off-CPU time was waiting for a CPU (preempted)`
        : '';
    add(
      'off CPU',
      `${formatDuration(scheduling.offCpuInCallsNs)} of the time in Python (${formatPercent(scheduling.offCpuInCallsNs, total)}) the threads were not running: blocked or waiting${waiting}`,
    );
  }
  if (analysis.droppedEvents > 0)
    add(
      'dropped',
      `${formatCount(analysis.droppedEvents)} events lost by the tracer: calls around them may be incomplete`,
      colors.yellow,
    );
  if (analysis.callsAtStart > 0)
    add(
      'at start',
      `${formatCount(analysis.callsAtStart)} call${analysis.callsAtStart === 1 ? ' was' : 's were'} running when the trace began (partial; named by their def line when the trace shows it)`,
    );
  if (filters.length > 0) add('filters', terminalText(filters.join(', ')));
  const costLine = recordingCostLine(analysis);
  if (costLine !== undefined) add('recording', costLine);
  const overhead = analysis.overhead;
  if (overhead.perEventNs > 0) {
    add(
      'overhead',
      `${formatDuration(overhead.perEventNs)} per event × ${formatCount(overhead.events)} events subtracted: ≈${formatShare(overhead.estimatedShare)} of the threads' traced time was probe cost`,
    );
  }
  const label = Math.max(...rows.map(([key]) => key.length));
  const indent = ' '.repeat(label + 4);
  const lines = [heading('pyflame analyze', style)];
  for (const [key, value, paint] of rows) {
    const [first, ...rest] = wrap(value, style.width - indent.length, 0);
    lines.push(`  ${colors.dim(key.padEnd(label))}  ${paint(first)}`, ...rest.map((line) => indent + paint(line)));
  }
  return lines;
}

/** One row per thread (the busiest first), when there is more than one. */
export function renderThreads(analysis: Analysis, top: number, style: ReportStyle): string[] {
  if (analysis.threads.length < 2) return [];
  const total = rootTotal(analysis);
  const threads = busiestThreads(analysis.threads);
  const shown = threads.slice(0, top);
  // The names the recorder wrote (the in-process one does), as the last column.
  const named = shown.some((thread) => thread.name !== undefined);
  const rows = shown.map((thread) => [
    ...threadFigures(thread, total),
    ...(named ? [terminalText(thread.name ?? '')] : []),
  ]);
  const lines = [
    heading('Threads', style),
    ...renderTable(
      [
        ...THREAD_FIGURE_HEADERS.map((header) => ({ header, align: 'right' }) as const),
        ...(named ? [{ header: 'name', align: 'left' } as const] : []),
      ],
      rows,
      style,
    ),
  ];
  if (threads.length > shown.length)
    lines.push(
      ...note(
        `… and ${formatCount(threads.length - shown.length)} more thread${threads.length - shown.length === 1 ? '' : 's'}`,
        style,
      ),
    );
  return lines;
}
