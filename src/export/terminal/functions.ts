import type { Analysis, FunctionStats } from '../../analyze/analysis.js';
import { formatCount, formatDuration, formatPercent } from '../../text/units.js';
import { functionLabel } from '../../text/function-label.js';
import { type Column, heading, note, renderTable, type ReportStyle } from './table.js';
import { rootTotal } from '../thread-rows.js';
import { errorText, UNCERTAINTY_NOTE } from '../recording-cost-text.js';
import { type TimeKind, withinUncertainty } from '../../analyze/uncertainty.js';
import { isReturnOnly } from './summary.js';
import { compareFunctionKeys, type FunctionKey } from '../../text/compare.js';

/** The last column of every function table: `name (file:line)`, fitted to the room left. */
function functionColumn(rows: readonly FunctionKey[]): Column {
  return {
    header: 'function',
    align: 'left',
    fit: (r, max) => functionLabel(rows[r].name, rows[r].file, rows[r].line, max),
  };
}

/** What the first function table is sorted by (`--sort`). */
export const SORT_KEYS = ['self', 'total', 'calls', 'mean', 'p95'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const SORT_TITLES: Record<SortKey, string> = {
  self: 'self time',
  total: 'total time',
  calls: 'calls',
  mean: 'mean time per call',
  p95: 'p95 time per call',
};

/** The time a sort key ranks by, whose uncertainty can demote a function (see withinUncertainty). */
function rankedTime(key: SortKey): TimeKind | undefined {
  return key === 'self' || key === 'total' ? key : undefined;
}

function sortValue(stats: FunctionStats, key: SortKey): number {
  switch (key) {
    case 'self':
      return stats.selfNs;
    case 'total':
      return stats.totalNs;
    case 'calls':
      return stats.calls;
    case 'mean':
      return stats.durations?.meanNs ?? -1;
    case 'p95':
      return stats.durations?.p95Ns ?? -1;
  }
}

/**
 * The functions by `key`, largest first; ties keep the analysis' order (self time, then names).
 * By self or total time, a function whose time is within its uncertainty comes after every
 * measured one: it may be all recording cost.
 */
export function sortFunctions(functions: readonly FunctionStats[], key: SortKey): FunctionStats[] {
  const time = rankedTime(key);
  return functions
    .map((stats, index) => ({
      stats,
      index,
      value: sortValue(stats, key),
      unsure: time !== undefined && withinUncertainty(stats, time) ? 1 : 0,
    }))
    .sort((a, b) => a.unsure - b.unsure || b.value - a.value || a.index - b.index)
    .map(({ stats }) => stats);
}

/**
 * One table of functions: self, self %, total, total %, calls, mean, p95, function; with
 * `offCpu`, the part of the self time off the CPU after self % (blocked, or waiting for a CPU).
 */
export function renderFunctionTable(
  title: string,
  functions: readonly FunctionStats[],
  total: number,
  style: ReportStyle,
  offCpu = false,
  errors = false,
): string[] {
  // With the recording's cost taken out: each time's ±, and ~ on a time within it.
  const time = (f: FunctionStats, kind: TimeKind) =>
    `${errors && withinUncertainty(f, kind) ? '~' : ''}${formatDuration(kind === 'self' ? f.selfNs : f.totalNs)}`;
  const rows = functions.map((f) => [
    time(f, 'self'),
    ...(errors ? [errorText(f, 'self')] : []),
    formatPercent(f.selfNs, total),
    ...(offCpu ? [formatDuration(f.offCpuNs)] : []),
    time(f, 'total'),
    ...(errors ? [errorText(f, 'total')] : []),
    formatPercent(f.totalNs, total),
    formatCount(f.calls),
    f.durations === undefined ? '–' : formatDuration(f.durations.meanNs),
    f.durations === undefined ? '–' : formatDuration(f.durations.p95Ns),
    functionLabel(f.name, f.file, f.line),
  ]);
  return [
    heading(title, style),
    ...renderTable(
      [
        { header: 'self', align: 'right' },
        ...(errors ? [{ header: '±', align: 'right' } as const] : []),
        { header: 'self %', align: 'right' },
        ...(offCpu ? [{ header: 'off-CPU', align: 'right' } as const] : []),
        { header: 'total', align: 'right' },
        ...(errors ? [{ header: '±', align: 'right' } as const] : []),
        { header: 'total %', align: 'right' },
        { header: 'calls', align: 'right' },
        { header: 'mean', align: 'right' },
        { header: 'p95', align: 'right' },
        functionColumn(functions),
      ],
      rows,
      style,
    ),
  ];
}

/**
 * The function sections: two tables (by --sort, then by total time or self time), or for a
 * return-only trace a warning with the fix and per-function return counts.
 */
export function renderFunctions(analysis: Analysis, top: number, sort: SortKey, style: ReportStyle): string[][] {
  if (isReturnOnly(analysis)) return [renderReturnOnly(analysis, top, style)];
  if (analysis.functions.length === 0) {
    if (analysis.callCounts !== undefined) return [];
    return [
      [
        heading('Functions', style),
        ...note(
          'No function events in this trace (CPython 3.12–3.14 have no function markers; see docs/recording.md).',
          style,
        ),
      ],
    ];
  }
  const total = rootTotal(analysis);
  const offCpu = analysis.scheduling !== undefined;
  const first = sortFunctions(analysis.functions, sort).slice(0, top);
  const secondKey: SortKey = sort === 'total' ? 'self' : 'total';
  const second = sortFunctions(analysis.functions, secondKey).slice(0, top);
  const count = analysis.functions.length;
  const of = count > top ? ` (top ${top} of ${formatCount(count)})` : '';
  const errors = analysis.recordingCost !== undefined;
  const sections = [
    renderFunctionTable(`Top functions by ${SORT_TITLES[sort]}${of}`, first, total, style, offCpu, errors),
    renderFunctionTable(`Top functions by ${SORT_TITLES[secondKey]}${of}`, second, total, style, offCpu, errors),
  ];
  if (errors) sections[0].push(...note(UNCERTAINTY_NOTE, style));
  if (offCpu) {
    sections[0].push(
      ...note(
        "off-CPU: the part of the self time the thread was not running (blocked in sleep, I/O or a lock, or waiting for a CPU), from the scheduler's switches recorded with the trace.",
        style,
      ),
    );
  }
  const partial = analysis.functions.reduce((sum, f) => sum + f.partial, 0);
  if (partial > 0) {
    sections[sections.length - 1].push(
      ...note(
        `${formatCount(partial)} call${partial === 1 ? ' was' : 's were'} not seen whole (running when the trace began or ended): in self/total, not in mean/p95.`,
        style,
      ),
    );
  }
  return sections;
}

function renderReturnOnly(analysis: Analysis, top: number, style: ReportStyle): string[] {
  const { colors } = style;
  const entries = analysis.threads.reduce((sum, thread) => sum + thread.entries, 0);
  const returns = analysis.threads.reduce((sum, thread) => sum + thread.returns, 0);
  const banner = [
    colors.bold(
      colors.red(
        `!! No timings: this trace has ${formatCount(returns)} function returns but only ${formatCount(entries)} entr${entries === 1 ? 'y' : 'ies'}.`,
      ),
    ),
    colors.red('   CPython 3.11 fires function__entry only while the `line` probe is attached (python/cpython#98894).'),
    colors.red('   Fix: record again with probes/pyflame.bt, which attaches it (see docs/recording.md).'),
    colors.red('   Below: how often each function returned.'),
  ];
  const byReturns = analysis.functions
    .map((stats, index) => ({ stats, index }))
    .sort((a, b) => b.stats.returns - a.stats.returns || a.index - b.index)
    .map(({ stats }) => stats)
    .filter((stats) => stats.returns > 0)
    .slice(0, top);
  const of = analysis.functions.length > top ? ` (top ${top} of ${formatCount(analysis.functions.length)})` : '';
  return [
    ...banner,
    '',
    heading(`Top functions by returns${of}`, style),
    ...renderTable(
      [{ header: 'returns', align: 'right' }, functionColumn(byReturns)],
      byReturns.map((f) => [formatCount(f.returns), functionLabel(f.name, f.file, f.line)]),
      style,
    ),
  ];
}

const SPARKS = '▁▂▃▄▅▆▇█';
const SERIES_MAX = 8;
const SPARK_WIDTH = 40;

/** Counts per interval: the numbers when few, else a sparkline (at most 40 wide, peaks kept). */
export function seriesText(counts: readonly number[]): string {
  if (counts.length <= SERIES_MAX) return counts.map(formatCount).join(' ');
  const group = Math.ceil(counts.length / SPARK_WIDTH);
  const points: number[] = [];
  // Loops, not Math.max(...): a series can be longer than the arguments a call may take.
  for (let i = 0; i < counts.length; i += group) points.push(maxOf(counts.slice(i, i + group)));
  const max = maxOf(points);
  return points
    .map((v) =>
      max === 0 || v === 0
        ? ' '
        : SPARKS[Math.min(SPARKS.length - 1, Math.floor((v / max) * (SPARKS.length - 1) + 0.5))],
    )
    .join('');
}

/** Counts-only traces (SystemTap "top"): functions by calls, with their counts per interval. */
export function renderCallCounts(analysis: Analysis, top: number, style: ReportStyle): string[] {
  const series = analysis.callCounts;
  if (series === undefined) return [];
  const intervals = series.intervalsNs.length;
  const functions = analysis.functionTable;
  const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);
  const all = [...series.byFunction]
    .map(([fn, counts]) => ({ fn, counts: series.intervalsNs.map((_, i) => counts[i] ?? 0) }))
    .map((entry) => ({
      ...entry,
      total: sum(entry.counts),
      name: functions.name(entry.fn),
      file: functions.file(entry.fn),
      line: functions.line(entry.fn),
    }))
    .sort((a, b) => b.total - a.total || compareFunctionKeys(a, b));
  const shown = all.slice(0, top);
  const step = intervals >= 2 ? series.intervalsNs[1] - series.intervalsNs[0] : undefined;
  const every = step !== undefined && step > 0 ? `, one every ${formatDuration(step)}` : '';
  const of = all.length > top ? ` (top ${top} of ${formatCount(all.length)})` : '';
  const allCalls = sum(all.map((entry) => entry.total));
  return [
    heading(`Top functions by calls${of}`, style),
    ...note(
      `A counts-only trace: calls per function in ${formatCount(intervals)} interval${intervals === 1 ? '' : 's'}${every}; no timings.`,
      style,
    ),
    ...renderTable(
      [
        { header: 'calls', align: 'right' },
        { header: 'share', align: 'right' },
        { header: 'per interval', align: 'left' },
        functionColumn(shown),
      ],
      shown.map((entry) => [
        formatCount(entry.total),
        formatPercent(entry.total, allCalls),
        seriesText(entry.counts),
        functionLabel(entry.name, entry.file, entry.line),
      ]),
      style,
    ),
  ];
}

function maxOf(values: readonly number[]): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max;
}
