// CSI sequences (colours, cursor moves, clear screen) and OSC sequences (titles, links).
const ANSI = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;

/** The line without terminal escape sequences. */
export function stripAnsi(line: string): string {
  return line.replace(ANSI, '');
}
