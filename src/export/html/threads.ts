import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration, formatId, formatPercent } from '../../text/units.js';
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
  const total = analysis.threads.reduce((sum, thread) => sum + thread.rootTotalNs, 0);
  const threads = [...analysis.threads].sort((a, b) => b.rootTotalNs - a.rootTotalNs || a.pid - b.pid || a.tid - b.tid);
  const shown = threads.slice(0, THREAD_ROWS);
  const rows = shown.map(
    (thread) =>
      `<tr><td class="r">${formatId(thread.pid)}</td><td class="r">${formatId(thread.tid)}</td><td class="r">${formatCount(thread.events)}</td><td class="r">${formatCount(thread.entries)}</td><td class="r">${formatDuration(thread.startNs)}</td><td class="r">${formatDuration(thread.endNs - thread.startNs)}</td><td class="r">${formatDuration(thread.rootTotalNs)}</td><td class="r">${formatPercent(thread.rootTotalNs, total)}</td><td class="l">${htmlText(threadLabel(thread.pid, thread.tid, thread.name))}</td></tr>`,
  );
  const more = threads.length > shown.length ? `<p class="dim">… and ${formatCount(threads.length - shown.length)} more threads (the busiest ${formatCount(shown.length)} are listed)</p>` : '';
  return [
    `<section id="threads"><h2>Threads (${formatCount(threads.length)})</h2>`,
    `<div class="scroll"><table><thead><tr><th class="r">pid</th><th class="r">tid</th><th class="r">events</th><th class="r">calls</th><th class="r">start</th><th class="r">span</th><th class="r">in Python</th><th class="r">share</th><th class="l">thread</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
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
  const rows = audit.map((a) => `<tr><td class="r">${formatCount(a.count)}</td><td class="r">${formatDuration(a.firstNs)}</td><td class="r">${formatDuration(a.lastNs)}</td><td class="l">${htmlText(a.event)}</td></tr>`);
  return [
    `<section id="audit"><h2>Audit events: ${formatCount(events)} (${formatCount(audit.length)} kind${audit.length === 1 ? '' : 's'})</h2>`,
    `<div class="scroll"><table><thead><tr><th class="r">count</th><th class="r">first</th><th class="r">last</th><th class="l">event</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    `</section>`,
  ].join('\n');
}
