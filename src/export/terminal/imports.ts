import type { Analysis } from '../../analyze/analysis.js';
import { terminalText } from '../../text/untrusted.js';
import { formatCount, formatDuration } from '../../text/units.js';
import { heading, note, renderTable, type ReportStyle } from './table.js';
import { truncateEnd } from '../../text/fit.js';

const SLOWEST_IMPORTS = 10;
const AUDIT_EVENTS = 10;

/** Imports: how many, the time of top-level imports, the slowest by cumulative time (indented by depth). */
export function renderImports(analysis: Analysis, style: ReportStyle): string[] {
  const imports = analysis.imports;
  if (imports.length === 0) return [];
  const topLevel = imports.filter((record) => record.depth === 0);
  const topLevelNs = topLevel.reduce((sum, record) => sum + record.durationNs, 0);
  const notFound = imports.filter((record) => !record.found).length;
  const slowest = imports
    .map((record, index) => ({ record, index }))
    .sort((a, b) => b.record.durationNs - a.record.durationNs || a.index - b.index)
    .slice(0, SLOWEST_IMPORTS)
    .map(({ record }) => record);
  const label = (r: (typeof slowest)[number], max = Infinity) => {
    const marker = r.found ? '' : '  (not found)';
    return truncateEnd(`${'  '.repeat(r.depth)}${terminalText(r.module)}`, Math.max(8, max - marker.length)) + marker;
  };
  return [
    heading(
      `Imports: ${formatCount(imports.length)} (${formatCount(topLevel.length)} top-level, ${formatDuration(topLevelNs)} in top-level imports${notFound > 0 ? `, ${formatCount(notFound)} not found` : ''})`,
      style,
    ),
    `  Slowest by cumulative time${imports.length > SLOWEST_IMPORTS ? ` (top ${SLOWEST_IMPORTS})` : ''}, indented by nesting depth:`,
    ...renderTable(
      [
        { header: 'self', align: 'right' },
        { header: 'cumulative', align: 'right' },
        { header: 'module', align: 'left', fit: (r, max) => label(slowest[r], max) },
      ],
      slowest.map((record) => [formatDuration(record.selfNs), formatDuration(record.durationNs), label(record)]),
      style,
    ),
  ];
}

/** Audit events: counts per event name. */
export function renderAudit(analysis: Analysis, style: ReportStyle): string[] {
  const audit = analysis.audit;
  if (audit.length === 0) return [];
  const events = audit.reduce((sum, a) => sum + a.count, 0);
  const shown = audit.slice(0, AUDIT_EVENTS);
  const lines = [
    heading(
      `Audit events: ${formatCount(events)} (${formatCount(audit.length)} kind${audit.length === 1 ? '' : 's'})`,
      style,
    ),
    ...renderTable(
      [
        { header: 'count', align: 'right' },
        { header: 'first', align: 'right' },
        { header: 'last', align: 'right' },
        { header: 'event', align: 'left' },
      ],
      shown.map((a) => [
        formatCount(a.count),
        formatDuration(a.firstNs),
        formatDuration(a.lastNs),
        terminalText(a.event),
      ]),
      style,
    ),
  ];
  if (audit.length > shown.length)
    lines.push(...note(`… and ${formatCount(audit.length - shown.length)} more kinds`, style));
  return lines;
}
