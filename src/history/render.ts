import pc from 'picocolors';
import { renderTable, type ReportStyle } from '../export/terminal/table.js';
import { terminalText } from '../text/untrusted.js';
import { formatCount, formatDuration, formatSignedDuration } from '../text/units.js';
import type { Movers } from './movers.js';
import type { Trend } from './trend.js';

// What `pyflame history` prints: tables of terminal-safe text (every name from a trace or a label
// goes through terminalText).

export interface HistoryStyle {
  readonly color: boolean;
  readonly width: number;
}

const styleOf = (options: HistoryStyle): ReportStyle => ({
  colors: pc.createColors(options.color),
  width: options.width,
});

/** Medians of an even count of runs can end in .5: shown rounded. */
const duration = (ns: number) => formatDuration(Math.round(ns));
const count = (n: number) => formatCount(Math.round(n));

export function renderTrend(trend: Trend, options: HistoryStyle): string {
  const style = styleOf(options);
  const runs = trend.points.reduce((sum, point) => sum + point.runs, 0);
  const title =
    `${terminalText(trend.name)} (${terminalText(trend.file)}): ` +
    (trend.by === null
      ? `${runs} run${runs === 1 ? '' : 's'}, in the order added`
      : `${runs} runs by ${terminalText(trend.by)}, ${trend.points.length} value${trend.points.length === 1 ? '' : 's'}; medians of each value's runs`);
  const lines = [style.colors.bold(title)];
  const grouped = trend.by !== null;
  lines.push(
    ...renderTable(
      [
        { header: grouped ? terminalText(trend.by ?? '') : 'run', align: 'left' },
        { header: '#', align: 'right' },
        ...(grouped ? [{ header: 'runs', align: 'right' as const }] : []),
        { header: 'self', align: 'right' },
        { header: 'total', align: 'right' },
        { header: 'calls', align: 'right' },
      ],
      trend.points.map((point) => [
        terminalText(point.key),
        String(point.added),
        ...(grouped ? [String(point.runs)] : []),
        point.present === 0 ? '-' : duration(point.selfNs),
        point.present === 0 ? '-' : duration(point.totalNs),
        count(point.calls),
      ]),
      style,
    ),
  );
  if (trend.runsWithoutLabel > 0)
    lines.push(
      style.colors.dim(
        `  (${trend.runsWithoutLabel} run${trend.runsWithoutLabel === 1 ? '' : 's'} without a ${terminalText(trend.by ?? '')} label left out)`,
      ),
    );
  lines.push(style.colors.dim('  #: the place in the history of the (first) run added; -: the function did not run'));
  return `${lines.join('\n')}\n`;
}

export function renderMovers(movers: Movers, from: string, to: string, options: HistoryStyle): string {
  const style = styleOf(options);
  const lines = [
    style.colors.bold(
      `Self time movers, ${terminalText(from)} (${movers.fromRuns} run${movers.fromRuns === 1 ? '' : 's'}) -> ${terminalText(to)} (${movers.toRuns} run${movers.toRuns === 1 ? '' : 's'}), medians`,
    ),
  ];
  if (movers.movers.length === 0) lines.push('  no function changed its self time');
  else
    lines.push(
      ...renderTable(
        [
          { header: 'change', align: 'right' },
          { header: 'from', align: 'right' },
          { header: 'to', align: 'right' },
          { header: 'function', align: 'left' },
        ],
        movers.movers.map((mover) => [
          formatSignedDuration(Math.round(mover.toSelfNs - mover.fromSelfNs)),
          duration(mover.fromSelfNs),
          duration(mover.toSelfNs),
          terminalText(`${mover.name} (${mover.file})`),
        ]),
        style,
      ),
    );
  return `${lines.join('\n')}\n`;
}

/** A cell of `history sql` as text: NULL, numbers and text as they are, lists and structs as JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function renderRows(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: HistoryStyle,
): string {
  const style = styleOf(options);
  // Every column as wide as it needs: a query's result is not cut to the terminal.
  const table = renderTable(
    columns.map((name) => ({ header: terminalText(name), align: 'left' as const })),
    rows.map((row) => row.map((value) => terminalText(cellText(value)))),
    { ...style, width: Number.MAX_SAFE_INTEGER },
    0,
  );
  table.push(style.colors.dim(`(${rows.length} row${rows.length === 1 ? '' : 's'})`));
  return `${table.join('\n')}\n`;
}
