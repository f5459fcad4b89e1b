import type { Analysis, ThreadAnalysis } from '../analyze/analysis.js';
import { formatCount, formatDuration, formatId, formatPercent } from '../text/units.js';

// The threads table's rows, the same in the terminal report and the HTML page: each view adds
// its own last columns (a name, off-CPU time) and escapes for where it lands.

/** The headers of the figures threadFigures gives, in order. */
export const THREAD_FIGURE_HEADERS = ['pid', 'tid', 'events', 'calls', 'start', 'span', 'in Python', 'share'] as const;

/** The time in Python: the sum of every thread's root-level time, what the tables' shares are of. */
export function rootTotal(analysis: Analysis): number {
  return analysis.threads.reduce((sum, thread) => sum + thread.rootTotalNs, 0);
}

/** The threads busiest first (time in Python), then by pid and tid. */
export function busiestThreads(threads: readonly ThreadAnalysis[]): ThreadAnalysis[] {
  return [...threads].sort((a, b) => b.rootTotalNs - a.rootTotalNs || a.pid - b.pid || a.tid - b.tid);
}

/** A thread's figures, formatted; `total` is the time in Python of all threads (for the share). */
export function threadFigures(thread: ThreadAnalysis, total: number): string[] {
  return [
    formatId(thread.pid),
    formatId(thread.tid),
    formatCount(thread.events),
    formatCount(thread.entries),
    formatDuration(thread.startNs),
    formatDuration(thread.endNs - thread.startNs),
    formatDuration(thread.rootTotalNs),
    formatPercent(thread.rootTotalNs, total),
  ];
}
