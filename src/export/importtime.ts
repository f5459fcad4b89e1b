import type { Analysis } from '../analyze/analysis.js';

/**
 * The imports in the format of `python -X importtime`, so tools that read it (tuna) read ours:
 *
 *     import time: self [us] | cumulative | imported package
 *     import time:       123 |        456 |   child
 *     import time:       789 |       1245 | parent
 *
 * Microseconds (ns / 1000, rounded up as CPython rounds them: `_PyTime_AsMicroseconds(...,
 * _PyTime_ROUND_CEILING)` in Python/import.c), children before their parent
 * (in order of completion), two spaces of indent per level after the last `|`.
 */
export function importTimeText(analysis: Analysis): string {
  const lines = ['import time: self [us] | cumulative | imported package'];
  const byCompletion = [...analysis.imports].sort((a, b) => a.done - b.done);
  for (const record of byCompletion) {
    const self = String(Math.ceil(record.selfNs / 1000)).padStart(9);
    const cumulative = String(Math.ceil(record.durationNs / 1000)).padStart(10);
    lines.push(`import time: ${self} | ${cumulative} | ${'  '.repeat(record.depth)}${record.module}`);
  }
  return `${lines.join('\n')}\n`;
}
