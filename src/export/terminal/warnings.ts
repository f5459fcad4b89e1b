import type { Warning } from '../../model/diagnostics.js';
import { terminalText } from '../../text/untrusted.js';
import { formatCount } from '../../text/units.js';
import { warningCount, warningLines } from '../warning-text.js';
import { heading, wrap, type ReportStyle } from './table.js';

/** One line per warning: `pyflame: warning: trace.txt: junk-line, 12 times (lines 3, 9, …): message`. */
export function formatWarnings(source: string, warnings: readonly Warning[]): string[] {
  return warnings.map((warning) =>
    terminalText(
      `pyflame: warning: ${source}: ${warning.code}, ${warningCount(warning)}${where(warning)}: ${warning.message}`,
    ),
  );
}

/** One line per warning code, as formatWarnings writes them on stderr, without the prefix. */
export function warningText(warning: Warning): string {
  return terminalText(`${warning.code}, ${warningCount(warning, formatCount)}${where(warning)}: ${warning.message}`);
}

/** ` (lines 3, 9, …)`, or '' when no line is known. */
function where(warning: Warning): string {
  const lines = warningLines(warning);
  return lines === '' ? '' : ` (${lines})`;
}

/** Warnings: what was repaired in the trace or found odd by the analysis, grouped by code with counts. */
export function renderWarnings(warnings: readonly Warning[], style: ReportStyle): string[] {
  if (warnings.length === 0) return [];
  const lines = [heading(`Warnings (${formatCount(warnings.length)})`, style)];
  for (const warning of warnings) {
    const [first, ...rest] = wrap(warningText(warning), style.width - 4, 0);
    lines.push(`  ${style.colors.yellow('!')} ${first}`, ...rest.map((line) => `    ${line}`));
  }
  return lines;
}
