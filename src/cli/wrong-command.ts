import { closeSync, openSync, readSync } from 'node:fs';
import { TraceInputError } from '../model/diagnostics.js';
import { detectFormat } from '../parse/registry.js';
import { isGzip } from '../text/sniff.js';

/** Bytes of a file's head looked at to tell a trace from folded stacks. */
const HEAD_BYTES = 64 * 1024;

/** `frame;frame;frame 123`: a folded-stacks line. */
const FOLDED_LINE = /^[^\t]*\S[ \t]+\d+(?:\.\d+)?$/;

/** The first lines of a plain file (not stdin, not compressed), or none when it cannot be read. */
function headLines(path: string): string[] {
  if (path === '-') return [];
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    const length = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    if (isGzip(buffer.subarray(0, length))) return [];
    return buffer
      .toString('utf8', 0, length)
      .split(/\r?\n/)
      .slice(0, -1)
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A trace reader's refusal of a file that is folded stacks gains the command that draws it
 * (`pyflame flamegraph FILE`); other errors are returned as they are.
 */
export function foldedGivenAsTrace(error: unknown, path: string): unknown {
  if (!(error instanceof TraceInputError) || !error.problem.startsWith('not a trace format')) return error;
  const lines = headLines(path);
  if (lines.length === 0 || !lines.every((line) => FOLDED_LINE.test(line))) return error;
  return new TraceInputError(
    error.file,
    error.line,
    `${error.problem}\nThis looks like folded stacks ("frame;frame;... COUNT"): draw them with pyflame flamegraph ${path} --svg`,
  );
}

/**
 * The folded reader's refusal of a file that is a trace gains the command that reads it
 * (`pyflame analyze FILE --svg`); other errors are returned as they are.
 */
export function traceGivenAsFolded(error: unknown, path: string): unknown {
  if (!(error instanceof TraceInputError) || !error.problem.startsWith('not folded stacks')) return error;
  const format = detectFormat(headLines(path).slice(0, 200));
  if (format === undefined) return error;
  return new TraceInputError(
    error.file,
    error.line,
    `${error.problem}\nThis is a ${format.name} trace: analyze it (and draw its flame graph) with pyflame analyze ${path} --svg`,
  );
}
