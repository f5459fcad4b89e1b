import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { ID_LIMIT, idInRange, LINE_LIMIT, lineInRange, MAX_SPAN_NS } from '../../model/limits.js';
import type { EventWriter } from '../event-writer.js';
import type { Detection, LineParser, TraceFormat } from '../trace-format.js';

// The CPython docs' show-call-hierarchy.stp (and its tapset variant) prints
//   printf("%s => %s in %s:%d\n", thread_indent(1), funcname, filename, lineno)
// where SystemTap's thread_indent() is sprintf("%6d %s:%-*s", <µs since the thread's base>,
// "execname(tid)", indent, ""). So: `  11408 python(8274):  => __contains__ in Lib/_abcoll.py:362`.
const LINE = /^\s*(\d+) (.*?)\((\d+)\):( *)(=>|<=) (\S+) in (.*):(-?\d+)$/;

const TIME_LIMIT = 'puts the event more than 2^53 - 1 ns (104 days) after the trace started';

function refuse(writer: EventWriter, what: string, text: string, limit: string, lineNo: number): true {
  writer.outOfRange(what, text, limit, lineNo);
  return true;
}

interface ThreadClock {
  /** Absolute µs = offset + printed µs. */
  offsetUs: number;
  lastPrintedUs: number;
}

/**
 * Parses show-call-hierarchy.stp output. Its times are microseconds relative to a per-thread base,
 * and thread_indent() moves that base whenever the thread's indent is back at 0 (before each
 * top-level call). Threads are put on one clock by starting each thread, and each restart of a
 * thread's clock, at the latest time printed so far: lines come out in the order they happened.
 */
class StapCallHierarchyParser implements LineParser {
  private readonly clocks = new Map<number, ThreadClock>();
  private nowUs = 0;

  constructor(private readonly writer: EventWriter) {
    writer.time.setBase(0, 0);
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    const match = LINE.exec(this.writer.decode(bytes, start, end, lineNo));
    if (match === null) return false;
    const [, printed, , tidText, , arrow, func, file, lineText] = match;
    const writer = this.writer;
    const printedUs = Number(printed);
    const tid = Number(tidText);
    const lineNumber = Number(lineText);
    if (!idInRange(tid)) return refuse(writer, 'tid', tidText, ID_LIMIT, lineNo);
    if (!lineInRange(lineNumber)) return refuse(writer, 'line number', lineText, LINE_LIMIT, lineNo);
    let clock = this.clocks.get(tid);
    // thread_indent() restarts a thread's clock when its indent is back at 0: the time since the
    // thread's previous event is not printed, so it is taken as 0 (docs/formats.md).
    const offsetUs = clock === undefined || printedUs < clock.lastPrintedUs ? this.nowUs - printedUs : clock.offsetUs;
    const absoluteUs = offsetUs + printedUs;
    // Checked before any clock moves: a refused line leaves the clocks as they were.
    if (!(absoluteUs * 1000 <= MAX_SPAN_NS)) return refuse(writer, 'time', `${printed} µs`, TIME_LIMIT, lineNo);
    if (clock === undefined) {
      clock = { offsetUs, lastPrintedUs: printedUs };
      this.clocks.set(tid, clock);
    }
    clock.offsetUs = offsetUs;
    clock.lastPrintedUs = printedUs;
    if (absoluteUs > this.nowUs) this.nowUs = absoluteUs;
    const frame = writer.frame(file, func, lineNumber, lineNo);
    const kind = arrow === '=>' ? EventKind.Entry : EventKind.Return;
    writer.emit(kind, writer.time.fromNumber(absoluteUs * 1000), UNKNOWN_ID, tid, frame, 0, NO_REF, lineNo);
    return true;
  }

  finish(): void {}
}

export const stapCallHierarchyFormat: TraceFormat = {
  name: 'stap',
  description:
    "output of the CPython docs' SystemTap show-call-hierarchy.stp / tapset script (µs, execname(tid), => and <=)",
  detect(head: readonly string[]): Detection {
    return head.some((line) => LINE.test(line)) ? 'yes' : 'no';
  },
  estimatedClock: true,
  createParser: (writer: EventWriter, _diagnostics: Diagnostics) => new StapCallHierarchyParser(writer),
};
