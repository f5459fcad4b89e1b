import type { Diagnostics } from '../model/diagnostics.js';
import type { EventWriter } from './event-writer.js';
import type { LineEnd } from './line-splitter.js';

/** A format's answer to "is this head of a file yours?". */
export type Detection = 'yes' | 'maybe' | 'no';

/**
 * Parses one format line by line. A line arrives as the byte range [start, end) of a buffer,
 * without its terminator. Bytes are what the tracer printed (UTF-8 names, passed through).
 */
export interface LineParser {
  /**
   * Reads one line and writes its events. Returns false when the line is not of this format;
   * the reader then checks it for a tracer notice and otherwise counts it as junk. `ending` (how
   * the line ended) is given to formats that read raw lines (it may be data there).
   */
  line(bytes: Buffer, start: number, end: number, lineNo: number, ending?: LineEnd): boolean;
  /** End of input: flush anything held. */
  finish(): void;
  /** What the trace says about itself (e.g. pyflame's header: clock, python), if anything. */
  readonly metadata?: ReadonlyMap<string, string>;
  /**
   * Optional fast path for large files: reads every line of bytes[start, end) (which ends right
   * after a newline) in one loop, handing lines it does not take to `reject`, and returns how many
   * lines there were. Same results as calling `line` for each line.
   */
  lines?(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number;
}

/** Receives a line a parser's `lines` loop did not take, as `line` would have returned false. */
export type RejectedLine = (bytes: Buffer, start: number, end: number, lineNo: number) => void;

/** One recorded trace format: a name, a detector and a parser factory. */
export interface TraceFormat {
  /** The name used by `--format` and in reports. */
  readonly name: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** ANSI escapes are part of this format (removed without a warning). */
  readonly ansiExpected?: boolean;
  /**
   * The format's threads run on clocks pyflame lines up by estimate (SystemTap's per-thread
   * µs): their events are put in timestamp order without an out-of-order warning.
   */
  readonly estimatedClock?: boolean;
  /** The parser sees blank lines and how each line ended too (CSV: they can be data in a quoted field). */
  readonly rawLines?: boolean;
  /** Looks at the first lines of a file (decoded as UTF-8, without terminators). */
  detect(head: readonly string[]): Detection;
  createParser(writer: EventWriter, diagnostics: Diagnostics): LineParser;
}
