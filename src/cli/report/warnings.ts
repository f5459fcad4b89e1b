import type { Warning } from '../../model/diagnostics.js';
import { terminalSafe } from '../terminal.js';
import { formatCount, heading, wrap, type ReportStyle } from './format.js';

/** One line per warning code, as formatWarnings writes them on stderr, without the prefix. */
export function warningText(warning: Warning): string {
  const where = warning.lines.length === 0 ? '' : ` (line${warning.lines.length > 1 ? 's' : ''} ${warning.lines.join(', ')}${warning.occurrences > warning.lines.length ? ', …' : ''})`;
  const count = warning.count === 1 && warning.unit === 'times' ? 'once' : `${formatCount(warning.count)} ${warning.unit}`;
  return terminalSafe(`${warning.code}, ${count}${where}: ${warning.message}`);
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
