import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration, formatPercent } from '../../text/units.js';
import { htmlText } from '../../text/untrusted.js';

/** Lines listed, the hottest first (the terminal report's `--lines` shows --top of them). */
export const LINE_ROWS = 100;

/** The hottest source lines by self time, when the trace has line events. */
export function linesSection(analysis: Analysis): string {
  const lines = analysis.lines;
  if (lines.length === 0) return '';
  const total = lines.reduce((sum, line) => sum + line.selfNs, 0);
  const shown = lines.slice(0, LINE_ROWS);
  const rows = shown.map(
    (line) =>
      `<tr><td class="r">${formatDuration(line.selfNs)}</td><td class="r">${formatPercent(line.selfNs, total)}</td><td class="r">${formatCount(line.hits)}</td><td class="l">${htmlText(`${line.file}:${line.line}`)}</td></tr>`,
  );
  const title = `Hottest lines by self time${lines.length > shown.length ? ` (top ${formatCount(shown.length)} of ${formatCount(lines.length)})` : ''}`;
  return [
    `<section id="lines"><h2>${title}</h2>`,
    `<div class="scroll"><table><thead><tr><th class="r">self</th><th class="r">self %</th><th class="r">hits</th><th class="l">line</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    `</section>`,
  ].join('\n');
}
