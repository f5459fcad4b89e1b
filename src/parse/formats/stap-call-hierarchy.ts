import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { ID_LIMIT, idInRange, LINE_LIMIT, lineInRange, MAX_SPAN_NS } from '../../model/limits.js';
import type { EventWriter } from '../event-writer.js';
import { FastFormat, FastLines } from '../fast-lines.js';
import type { Detection, LineParser, RejectedLine, TraceFormat } from '../trace-format.js';

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
  /** The WebAssembly loop for runs of lines, when available: it reads the clocks through these. */
  private readonly fast: FastLines | undefined;
  private readonly lineFn = (bytes: Buffer, start: number, end: number, lineNo: number) =>
    this.line(bytes, start, end, lineNo);

  constructor(private readonly writer: EventWriter) {
    writer.time.setBase(0, 0);
    this.fast = writer.fastLines
      ? FastLines.create({
          newFrame: (bytes, keyStart, funcSep, lineSep, keyEnd, lineNo, tid, printedUs) =>
            this.newFrame(bytes, keyStart, funcSep, lineSep, keyEnd, lineNo, tid, printedUs),
          clock: (tid, printedUs) => this.advance(tid, printedUs),
        })
      : undefined;
    if (this.fast === undefined) this.lines = undefined;
  }

  /** Runs of whole lines through the WebAssembly loop (see fast-lines.ts); other lines come to line(). */
  lines?(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number {
    return this.fast!.lines(FastFormat.Stap, bytes, start, end, firstLineNo, this.writer, this.lineFn, reject);
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
    const ts = this.advance(tid, printedUs);
    if (ts !== ts) return refuse(writer, 'time', `${printed} µs`, TIME_LIMIT, lineNo);
    const frame = writer.frame(file, func, lineNumber, lineNo);
    const kind = arrow === '=>' ? EventKind.Entry : EventKind.Return;
    writer.emit(kind, ts, UNKNOWN_ID, tid, frame, 0, NO_REF, lineNo);
    return true;
  }

  /**
   * What the thread's clock is behind the one clock: absolute µs = offset + printed µs.
   * thread_indent() restarts a thread's clock when its indent is back at 0: the time since the
   * thread's previous event is not printed, so it is taken as 0 (docs/formats.md).
   */
  private offsetUs(clock: ThreadClock | undefined, printedUs: number): number {
    return clock === undefined || printedUs < clock.lastPrintedUs ? this.nowUs - printedUs : clock.offsetUs;
  }

  /** Would an event of thread `tid` printed at `printedUs` be refused (more than 2^53 - 1 ns from the start)? */
  private refusesTime(tid: number, printedUs: number): boolean {
    return !((this.offsetUs(this.clocks.get(tid), printedUs) + printedUs) * 1000 <= MAX_SPAN_NS);
  }

  /** The relative ns of an event of thread `tid`, moving the clocks; NaN, moving none, when refused. */
  private advance(tid: number, printedUs: number): number {
    let clock = this.clocks.get(tid);
    const offsetUs = this.offsetUs(clock, printedUs);
    const absoluteUs = offsetUs + printedUs;
    if (!(absoluteUs * 1000 <= MAX_SPAN_NS)) return NaN;
    if (clock === undefined) {
      clock = { offsetUs, lastPrintedUs: printedUs };
      this.clocks.set(tid, clock);
    }
    clock.offsetUs = offsetUs;
    clock.lastPrintedUs = printedUs;
    if (absoluteUs > this.nowUs) this.nowUs = absoluteUs;
    return this.writer.time.fromNumber(absoluteUs * 1000);
  }

  /** The loop's new key `FUNC in FILE:LINE` (plain ASCII): refused, as line() would, before interning. */
  private newFrame(
    bytes: Buffer,
    keyStart: number,
    funcSep: number,
    lineSep: number,
    keyEnd: number,
    lineNo: number,
    tid: number,
    printedUs: number,
  ): number {
    const lineNumber = Number(bytes.toString('latin1', lineSep + 1, keyEnd));
    if (!lineInRange(lineNumber) || this.refusesTime(tid, printedUs)) return -1;
    const file = bytes.toString('latin1', funcSep + 4, lineSep);
    const func = bytes.toString('latin1', keyStart, funcSep);
    return this.writer.frame(file, func, lineNumber, lineNo);
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
