import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { ID_LIMIT, idInRange, LINE_LIMIT, lineInRange, VALUE_LIMIT, valueInRange } from '../../model/limits.js';
import type { EventWriter } from '../event-writer.js';
import type { Detection, LineParser, TraceFormat } from '../trace-format.js';

// The CPython docs' SystemTap "top" script prints, every second, a clear-screen escape
// ("\033[2J\033[1;1H", removed by the reader) then
//   printf("%6s %80s %6s %30s %6s\n", "PID", "FILENAME", "LINE", "FUNCTION", "CALLS")
// and up to 20 rows printf("%6d %80s %6d %30s %6d\n", pid, filename, lineno, funcname, calls).
const HEADER = /^\s*PID\s+FILENAME\s+LINE\s+FUNCTION\s+CALLS\s*$/;
// The file name is right-aligned in 80 columns and may hold spaces; the last three columns do not.
const ROW = /^\s*(\d+) +(.*?) +(-?\d+) +(\S+) +(\d+)\s*$/;
const INTERVAL_NS = 1e9;

/**
 * Parses the "top" script's output into CallCount events: each table is one interval (the script
 * empties its counts after printing), stamped at the end of its second.
 */
class StapTopParser implements LineParser {
  private interval = 0;

  constructor(
    private readonly writer: EventWriter,
    private readonly diagnostics: Diagnostics,
  ) {
    writer.time.setBase(0, 0);
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    const line = this.writer.decode(bytes, start, end, lineNo);
    if (HEADER.test(line)) {
      this.interval++;
      return true;
    }
    const match = ROW.exec(line);
    if (match === null) return false;
    if (this.interval === 0) {
      this.interval = 1;
      this.diagnostics.warn(
        'missing-header',
        'rows before the first table header were counted in the first interval',
        lineNo,
      );
    }
    const [, pid, file, lineText, func, calls] = match;
    const writer = this.writer;
    const range = outOfRange(pid, lineText, calls);
    if (range !== undefined) {
      writer.outOfRange(range.what, range.text, range.limit, lineNo);
      return true;
    }
    const ts = writer.time.fromNumber(this.interval * INTERVAL_NS);
    if (ts !== ts) {
      writer.outOfRange(
        'table number',
        String(this.interval),
        'puts the event more than 2^53 - 1 ns (104 days) after the trace started',
        lineNo,
      );
      return true;
    }
    const frame = writer.frame(file, func, Number(lineText), lineNo);
    writer.emit(EventKind.CallCount, ts, Number(pid), UNKNOWN_ID, frame, Number(calls), NO_REF, lineNo);
    return true;
  }

  finish(): void {}
}

/** The first of a row's numbers out of range, if any. */
function outOfRange(
  pid: string,
  line: string,
  calls: string,
): { what: string; text: string; limit: string } | undefined {
  if (!idInRange(Number(pid))) return { what: 'pid', text: pid, limit: ID_LIMIT };
  if (!lineInRange(Number(line))) return { what: 'line number', text: line, limit: LINE_LIMIT };
  if (!valueInRange(Number(calls))) return { what: 'count of calls', text: calls, limit: VALUE_LIMIT };
  return undefined;
}

export const stapTopFormat: TraceFormat = {
  name: 'stap-top',
  description: 'output of the CPython docs\' SystemTap "top" script (call counts per second, no timings)',
  ansiExpected: true,
  detect(head: readonly string[]): Detection {
    return head.some((line) => HEADER.test(line)) ? 'yes' : 'no';
  },
  createParser: (writer: EventWriter, diagnostics: Diagnostics) => new StapTopParser(writer, diagnostics),
};
