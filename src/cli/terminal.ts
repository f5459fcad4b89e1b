import type { Warning } from '../model/diagnostics.js';

// C0/C1 control characters and the bidirectional overrides that can disguise text in a terminal.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a trace made safe to print on a terminal: control and bidi characters become visible
 * `\xNN` / `\uNNNN` escapes, so a function name cannot move the cursor, recolour or retitle the
 * terminal, or hide what follows.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** One line per warning: `pyflame: warning: trace.txt: junk-line, 12 times (lines 3, 9, …): message`. */
export function formatWarnings(source: string, warnings: readonly Warning[]): string[] {
  return warnings.map((warning) => {
    const where = warning.lines.length === 0 ? '' : ` (line${warning.lines.length > 1 ? 's' : ''} ${warning.lines.join(', ')}${warning.occurrences > warning.lines.length ? ', …' : ''})`;
    const count = warning.count === 1 && warning.unit === 'times' ? 'once' : `${warning.count} ${warning.unit}`;
    return terminalSafe(`pyflame: warning: ${source}: ${warning.code}, ${count}${where}: ${warning.message}`);
  });
}
