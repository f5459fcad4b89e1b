import type { Analysis } from '../../analyze/analysis.js';
import { terminalText } from '../../text/untrusted.js';
import { formatCount, formatDuration, formatPercent } from '../../text/units.js';
import { heading, note, renderTable, type ReportStyle } from './table.js';
import { shortenFile } from '../../text/paths.js';
import { truncatePath } from '../../text/fit.js';

/** `--lines`: the hottest source lines by self time (line events only). */
export function renderLines(analysis: Analysis, top: number, style: ReportStyle): string[] {
  const lines = analysis.lines;
  if (lines.length === 0) {
    return [
      heading('Hottest lines', style),
      ...note('No line events: record them with pyflame record --lines (see docs/recording.md).', style),
    ];
  }
  const shown = lines.slice(0, top);
  const total = lines.reduce((sum, line) => sum + line.selfNs, 0);
  const where = (r: number, max = Infinity) =>
    truncatePath(`${terminalText(shortenFile(shown[r].file))}:${shown[r].line}`, max);
  return [
    heading(
      `Hottest lines by self time${lines.length > top ? ` (top ${top} of ${formatCount(lines.length)})` : ''}`,
      style,
    ),
    ...renderTable(
      [
        { header: 'self', align: 'right' },
        { header: 'self %', align: 'right' },
        { header: 'hits', align: 'right' },
        { header: 'line', align: 'left', fit: (r, max) => where(r, max) },
      ],
      shown.map((line, r) => [
        formatDuration(line.selfNs),
        formatPercent(line.selfNs, total),
        formatCount(line.hits),
        where(r),
      ]),
      style,
    ),
  ];
}
