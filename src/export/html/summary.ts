import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration, formatPercent } from '../../text/units.js';
import type { Warning } from '../../model/diagnostics.js';
import { htmlText } from '../../text/untrusted.js';
import { recordingCostLine } from '../recording-cost-text.js';
import { rootTotal } from '../thread-rows.js';
import { warningCount, warningLines } from '../warning-text.js';

/** The page's header: what was analyzed, how big it is, and with which filters. */
export function summarySection(analysis: Analysis, title: string, filters: readonly string[], version: string): string {
  const rows: [string, string][] = [];
  rows.push(['trace', htmlText(analysis.source.path)], ['format', htmlText(analysis.source.format)]);
  const metadata = Object.entries(analysis.metadata);
  if (metadata.length > 0)
    rows.push(['recorded', htmlText(metadata.map(([key, value]) => `${key}=${value}`).join(' '))]);
  rows.push(['duration', formatDuration(analysis.durationNs)], ['events', formatCount(analysis.events)]);
  const processes = new Set(analysis.threads.map((thread) => thread.pid).filter((pid) => pid >= 0)).size;
  rows.push([
    'threads',
    `${formatCount(analysis.threads.length)}${processes > 0 ? ` in ${formatCount(processes)} process${processes === 1 ? '' : 'es'}` : ''}`,
  ]);
  const dropped =
    analysis.droppedEvents > 0
      ? `<span class="bad">${formatCount(analysis.droppedEvents)} lost by the tracer: calls around them may be incomplete</span>`
      : '0';
  rows.push(['dropped events', dropped]);
  if (analysis.callsAtStart > 0)
    rows.push([
      'at start',
      `${formatCount(analysis.callsAtStart)} call${analysis.callsAtStart === 1 ? ' was' : 's were'} running when the trace began (partial)`,
    ]);
  const scheduling = analysis.scheduling;
  if (scheduling !== undefined) {
    const inPython = rootTotal(analysis);
    rows.push([
      'off CPU',
      `${formatDuration(scheduling.offCpuInCallsNs)} of the time in Python (${formatPercent(scheduling.offCpuInCallsNs, inPython)}) the threads were not running (blocked, or waiting for a CPU: ${formatDuration(scheduling.runQueueNs)} of all off-CPU time); the function table's off-CPU column splits it by function`,
    ]);
  }
  rows.push(['filters', filters.length > 0 ? htmlText(filters.join(', ')) : 'none']);
  const costLine = recordingCostLine(analysis);
  if (costLine !== undefined) rows.push(['recording cost', htmlText(costLine)]);
  const overhead = analysis.overhead;
  if (overhead.perEventNs > 0)
    rows.push([
      'overhead',
      `${formatDuration(overhead.perEventNs)} per event × ${formatCount(overhead.events)} events subtracted`,
    ]);
  rows.push(['pyflame', htmlText(version)]);
  const list = rows.map(([key, value]) => `<dt>${key}</dt><dd>${value}</dd>`).join('');
  return `<header><h1>${htmlText(title)}</h1><dl class="summary">${list}</dl></header>`;
}

/** Every warning with its count and first lines: at the top, boxed, when there is any. */
export function warningsSection(warnings: readonly Warning[]): string {
  if (warnings.length === 0)
    return `<section id="warnings" class="quiet"><h2>Warnings</h2><p class="none">no warnings: nothing in this trace needed repair</p></section>`;
  const items = warnings.map((warning) => {
    const count = htmlText(warningCount(warning, formatCount));
    const lines = warningLines(warning);
    return `<li><code>${htmlText(warning.code)}</code>, ${count}${lines === '' ? '' : ` (${lines})`}: ${htmlText(warning.message)}</li>`;
  });
  return `<section id="warnings" class="alert"><h2>Warnings (${formatCount(warnings.length)})</h2><ul>${items.join('')}</ul></section>`;
}
