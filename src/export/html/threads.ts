import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration } from '../../text/units.js';
import { busiestThreads, rootTotal, THREAD_FIGURE_HEADERS, threadFigures } from '../thread-rows.js';
import { threadLabel } from '../thread-label.js';
import { htmlText } from '../../text/untrusted.js';

/** More threads than this are listed by the busiest, with a count of the rest. */
export const THREAD_ROWS = 1000;

/**
 * The threads table, as the terminal report shows it (every thread, the busiest first), when the
 * trace has more than one thread.
 */
export function threadsSection(analysis: Analysis): string {
  if (analysis.threads.length < 2) return '';
  const total = rootTotal(analysis);
  const threads = busiestThreads(analysis.threads);
  const shown = threads.slice(0, THREAD_ROWS);
  // With the scheduler's switches, how long each thread was off the CPU.
  const offCpu = analysis.scheduling !== undefined;
  const rows = shown.map((thread) => {
    const figures = [...threadFigures(thread, total), ...(offCpu ? [formatDuration(thread.offCpuNs)] : [])];
    const label = htmlText(threadLabel(thread.pid, thread.tid, thread.name));
    return `<tr>${figures.map((figure) => `<td class="r">${figure}</td>`).join('')}<td class="l">${label}</td></tr>`;
  });
  const headers = [...THREAD_FIGURE_HEADERS, ...(offCpu ? ['off CPU'] : [])];
  const head = `${headers.map((header) => `<th class="r">${header}</th>`).join('')}<th class="l">thread</th>`;
  const more =
    threads.length > shown.length
      ? `<p class="dim">… and ${formatCount(threads.length - shown.length)} more threads (the busiest ${formatCount(shown.length)} are listed)</p>`
      : '';
  return [
    `<section id="threads"><h2>Threads (${formatCount(threads.length)})</h2>`,
    `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    more,
    `</section>`,
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/** Audit events (sys.audit): counts per event name, every kind. */
export function auditSection(analysis: Analysis): string {
  const audit = analysis.audit;
  if (audit.length === 0) return '';
  const events = audit.reduce((sum, a) => sum + a.count, 0);
  const rows = audit.map(
    (a) =>
      `<tr><td class="r">${formatCount(a.count)}</td><td class="r">${formatDuration(a.firstNs)}</td><td class="r">${formatDuration(a.lastNs)}</td><td class="l">${htmlText(a.event)}</td></tr>`,
  );
  return [
    `<section id="audit"><h2>Audit events: ${formatCount(events)} (${formatCount(audit.length)} kind${audit.length === 1 ? '' : 's'})</h2>`,
    `<div class="scroll"><table><thead><tr><th class="r">count</th><th class="r">first</th><th class="r">last</th><th class="l">event</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    `</section>`,
  ].join('\n');
}
