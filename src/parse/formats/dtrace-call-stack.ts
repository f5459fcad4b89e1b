import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { hashKey, ViewCache } from '../frame-key.js';
import type { EventWriter } from '../event-writer.js';
import { FastFormat, FastLines } from '../fast-lines.js';
import { LINE_LIMIT, lineInRange, VALUE_LIMIT, valueInRange } from '../../model/limits.js';
import { probeKind } from '../probe-names.js';
import { indexOfByte, parseInt10, skipDigits } from '../scan.js';
import type { Detection, LineParser, RejectedLine, TraceFormat } from '../trace-format.js';

const TAB = 9;
const SPACE = 32;
const COLON = 58;

// The CPython docs' call_stack.d prints
//   printf("%d\t%*s:", timestamp, 15, probename); printf("%*s", self->indent, "");
//   printf("%s:%s:%d\n", basename(copyinstr(arg0)), copyinstr(arg1), arg2);
// i.e. `156641360502280\t function-entry:  call_stack.py:function_3:9`. The docs' rendered example
// lost the tab and the padding (`156641360502280 function-entry:call_stack.py:start:23`): both read.
const LINE_SHAPE =
  /^\d+[\t ]+(?:function-entry|function-return|function__entry|function__return|line):\s*\S.*:[^:]*:-?\d+$/;
// The same script extended with the other markers, the way users extend it (`probename:args`):
//   `TS\t       gc-start:0`, `gc-done:12`, `import-find-load-start:json`,
//   `import-find-load-done:json:1`, `audit:os.system`.
const OTHER_SHAPE =
  /^\d+[\t ]+\s*(?:gc-start|gc-done|gc__start|gc__done):\s*\d+$|^\d+[\t ]+\s*(?:import-find-load-start|import__find__load__start|audit):\s*\S+$|^\d+[\t ]+\s*(?:import-find-load-done|import__find__load__done):\s*\S+:\d+$/;

/** Parses the output of the CPython docs' DTrace `call_stack.d` script (large files: reads bytes). */
class DtraceCallStackParser implements LineParser {
  /** The WebAssembly loop for runs of lines, when available. */
  private readonly fast: FastLines | undefined;
  private readonly views = new ViewCache();
  private readonly lineFn = (bytes: Buffer, start: number, end: number, lineNo: number) =>
    this.line(bytes, start, end, lineNo);

  constructor(private readonly writer: EventWriter) {
    this.fast = writer.fastLines ? FastLines.create() : undefined;
    if (this.fast === undefined) this.lines = undefined;
  }

  /** Runs of whole lines through the WebAssembly loop (see fast-lines.ts). */
  lines?(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number {
    return this.fast!.lines(FastFormat.Dtrace, bytes, start, end, firstLineNo, this.writer, this.lineFn, reject);
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    const tsEnd = skipDigits(bytes, start, end);
    if (tsEnd === start) return false;
    let probeStart = tsEnd;
    while (probeStart < end && (bytes[probeStart] === TAB || bytes[probeStart] === SPACE)) probeStart++;
    if (probeStart === tsEnd) return false;
    const colon = indexOfByte(bytes, COLON, probeStart, end);
    if (colon < 0) return false;
    const kind = probeKind(bytes, probeStart, colon);
    if (kind < 0) return false;
    if (kind !== EventKind.Entry && kind !== EventKind.Return && kind !== EventKind.Line)
      return this.otherMarker(kind as EventKind, bytes, start, tsEnd, colon, end, lineNo);
    // The indentation shows the depth; pairing does not need it (returns pair on file and function).
    let fileStart = colon + 1;
    while (fileStart < end && bytes[fileStart] === SPACE) fileStart++;
    // basename:function:line — the last two colons delimit function and line.
    let lineColon = end - 1;
    while (lineColon >= fileStart && bytes[lineColon] !== COLON) lineColon--;
    let funcColon = lineColon - 1;
    while (funcColon >= fileStart && bytes[funcColon] !== COLON) funcColon--;
    if (funcColon <= fileStart) return false;
    const lineNumber = parseInt10(bytes, lineColon + 1, end);
    if (lineNumber !== lineNumber) return false;
    const writer = this.writer;
    if (!lineInRange(lineNumber)) {
      writer.outOfRange('line number', bytes.toString('latin1', lineColon + 1, end), LINE_LIMIT, lineNo);
      return true;
    }
    const view = this.views.of(bytes);
    const hash = hashKey(view, bytes, fileStart, end);
    let frame = writer.lookupFrame(view, fileStart, end, hash);
    if (frame < 0)
      frame = writer.addFrame(
        bytes,
        fileStart,
        end,
        hash,
        fileStart,
        funcColon,
        funcColon + 1,
        lineColon,
        lineNumber,
        lineNo,
      );
    const ts = writer.time.fromDecimal(bytes, start, tsEnd);
    if (ts !== ts) {
      writer.timestampOutOfRange(bytes.toString('latin1', start, tsEnd), lineNo);
      return true;
    }
    writer.emit(kind as EventKind, ts, UNKNOWN_ID, UNKNOWN_ID, frame, 0, NO_REF, lineNo);
    return true;
  }

  /** `gc-start:0`, `gc-done:12`, `import-find-load-start:json`, `import-find-load-done:json:1`, `audit:name`. */
  private otherMarker(
    kind: EventKind,
    bytes: Buffer,
    start: number,
    tsEnd: number,
    colon: number,
    end: number,
    lineNo: number,
  ): boolean {
    const writer = this.writer;
    let argsStart = colon + 1;
    while (argsStart < end && bytes[argsStart] === SPACE) argsStart++;
    if (argsStart >= end) return false;
    let value = 0;
    let name = NO_REF;
    switch (kind) {
      case EventKind.GcStart:
      case EventKind.GcDone:
        value = parseInt10(bytes, argsStart, end);
        if (value !== value) return false;
        if (!valueInRange(value)) {
          writer.outOfRange('value', bytes.toString('latin1', argsStart, end), VALUE_LIMIT, lineNo);
          return true;
        }
        break;
      case EventKind.ImportStart:
        name = writer.nameFromBytes(bytes, argsStart, end, lineNo);
        break;
      case EventKind.Audit: {
        const argsColon = indexOfByte(bytes, COLON, argsStart, end);
        name = writer.nameFromBytes(bytes, argsStart, argsColon < 0 ? end : argsColon, lineNo);
        break;
      }
      case EventKind.ImportDone: {
        let foundColon = end - 1;
        while (foundColon > argsStart && bytes[foundColon] !== COLON) foundColon--;
        if (foundColon <= argsStart) return false;
        value = parseInt10(bytes, foundColon + 1, end);
        if (value !== value) return false;
        if (!valueInRange(value)) {
          writer.outOfRange('value', bytes.toString('latin1', foundColon + 1, end), VALUE_LIMIT, lineNo);
          return true;
        }
        name = writer.nameFromBytes(bytes, argsStart, foundColon, lineNo);
        break;
      }
      default:
        return false;
    }
    const ts = writer.time.fromDecimal(bytes, start, tsEnd);
    if (ts !== ts) {
      writer.timestampOutOfRange(bytes.toString('latin1', start, tsEnd), lineNo);
      return true;
    }
    writer.emit(kind, ts, UNKNOWN_ID, UNKNOWN_ID, NO_REF, value, name, lineNo);
    return true;
  }

  finish(): void {}
}

export const dtraceCallStackFormat: TraceFormat = {
  name: 'dtrace',
  description:
    "output of the CPython docs' DTrace call_stack.d (timestamp, probename, indented basename:function:line)",
  detect(head: readonly string[]): Detection {
    return head.some((line) => LINE_SHAPE.test(line) || OTHER_SHAPE.test(line)) ? 'yes' : 'no';
  },
  createParser: (writer: EventWriter, _diagnostics: Diagnostics) => new DtraceCallStackParser(writer),
};
