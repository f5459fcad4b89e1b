import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration, formatPercent } from '../../text/units.js';
import { htmlText } from '../../text/untrusted.js';
import { compareFunctionKeys } from '../../text/compare.js';

/**
 * Counts-only traces (SystemTap "top"): every function by calls, with its count in each
 * interval, in the terminal report's order (most calls first, then file, name, line).
 */
export function callCountsSection(analysis: Analysis): string {
  const series = analysis.callCounts;
  if (series === undefined)
    return '<section id="call-counts"><h2>Functions by calls</h2><p class="none">not a counts-only trace</p></section>';
  const functions = analysis.functionTable;
  const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);
  const rows = [...series.byFunction]
    .map(([fn, counts]) => {
      const perInterval = series.intervalsNs.map((_, i) => counts[i] ?? 0);
      return {
        perInterval,
        total: sum(perInterval),
        name: functions.name(fn),
        file: functions.file(fn),
        line: functions.line(fn),
      };
    })
    .sort((a, b) => b.total - a.total || compareFunctionKeys(a, b));
  const allCalls = sum(rows.map((row) => row.total));
  const intervals = series.intervalsNs.length;
  const step = intervals >= 2 ? series.intervalsNs[1] - series.intervalsNs[0] : 0;
  const every = step > 0 ? `, one every ${formatDuration(step)}` : '';
  const body = rows.map(
    (row) =>
      `<tr><td class="r">${formatCount(row.total)}</td><td class="r">${formatPercent(row.total, allCalls)}</td><td class="l">${row.perInterval.join(' ')}</td><td class="l">${htmlText(row.name)}</td><td class="l">${htmlText(`${row.file}:${row.line}`)}</td></tr>`,
  );
  return [
    `<section id="call-counts"><h2>Functions by calls (${formatCount(rows.length)})</h2>`,
    `<p class="dim">A counts-only trace: calls per function in ${formatCount(intervals)} interval${intervals === 1 ? '' : 's'}${every}; no timings.</p>`,
    `<div class="scroll"><table><thead><tr><th class="r">calls</th><th class="r">share</th><th class="l">per interval</th><th class="l">function</th><th class="l">file:line</th></tr></thead><tbody>${body.join('')}</tbody></table></div>`,
    `</section>`,
  ].join('\n');
}
