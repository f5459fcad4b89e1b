/**
 * A folded frame's label taken apart where a Python location is visible in it, so the flame graph
 * can colour it by where its file lives and show `file:line` in its details. Forms seen in folded
 * stacks from Python profilers (a label matching none is a plain name, file ''):
 *
 * - `func (file:line)`: pyflame's own --folded, py-spy
 * - `func (file)`: py-spy --nolineno
 * - `file.py:func:line`: e.g. `src/db_12.py:encode_row:1399` (austin and similar collapsers)
 * - `file.py:func`: `module.py:func`
 */
export interface FrameLabel {
  readonly name: string;
  readonly file: string;
  /** undefined when the label shows no line. */
  readonly line: number | undefined;
}

// A Python file: a path ending .py/.pyw/.pyx, or a pseudo-file such as `<frozen importlib._bootstrap>`.
const PY_FILE = String.raw`(?:[^;]*?\.py[wx]?|<[^<>]+>)`;
const FUNC_FILE_LINE = /^(.+) \(([^;]+):(\d+)\)$/s;
const FUNC_FILE = new RegExp(String.raw`^(.+) \((${PY_FILE})\)$`, 's');
const FILE_FUNC_LINE = new RegExp(String.raw`^(${PY_FILE}):([^:]+):(\d+)$`, 's');
const FILE_FUNC = new RegExp(`^(${PY_FILE}):([^:]+)$`, 's');

export function parseFrameLabel(label: string): FrameLabel {
  let m = FUNC_FILE_LINE.exec(label);
  if (m !== null) return { name: m[1], file: m[2], line: Number(m[3]) };
  m = FILE_FUNC_LINE.exec(label);
  if (m !== null) return { name: m[2], file: m[1], line: Number(m[3]) };
  m = FUNC_FILE.exec(label);
  if (m !== null) return { name: m[1], file: m[2], line: undefined };
  m = FILE_FUNC.exec(label);
  if (m !== null) return { name: m[2], file: m[1], line: undefined };
  return { name: label, file: '', line: undefined };
}

/** Where a frame is, for its details: `file:line`, `file`, or '' for a plain name. */
export function frameWhere(frame: FrameLabel): string {
  if (frame.file === '') return '';
  return frame.line !== undefined ? `${frame.file}:${frame.line}` : frame.file;
}
