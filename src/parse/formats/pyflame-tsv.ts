import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { hashFrameKey, viewOf } from '../byte-key-table.js';
import type { EventWriter } from '../event-writer.js';
import { PROBE_NAME_PATTERN, probeKind } from '../probe-names.js';
import { digitsValue, indexOfByte, lastIndexOfByte, latin1, parseInt10, parseUint, skipDigits } from '../scan.js';
import type { Detection, LineParser, TraceFormat } from '../trace-format.js';

const TAB = 9;
const HASH = 35;
/** Up to 15 decimal digits always fit a double exactly. */
const MAX_EXACT_DIGITS = 15;
const HEADER = /^# pyflame-trace v(\d+)/;
const EVENT_LINE = new RegExp(`^\\d+\\t\\d+\\t\\d+\\t(?:${PROBE_NAME_PATTERN})(?:\\t|$)`);

/**
 * Parses pyflame's recording format (docs/formats.md):
 * `ts_ns \t pid \t tid \t probe \t args...`, one event a line, `#` comments.
 * The format of large recordings, so it is read straight from the bytes: one pass over a function
 * event's arguments both finds its fields and hashes them to look the frame up.
 */
export class PyflameLineParser implements LineParser {
  /** `key=value` pairs from the `# pyflame-trace` header. */
  readonly metadata = new Map<string, string>();

  constructor(private readonly writer: EventWriter) {}

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    if (bytes[start] === HASH) {
      this.readComment(latin1(bytes, start, end));
      return true;
    }
    // ts, pid and tid: digits, each ended by a tab. Found first, valued after (see digitsValue).
    const tsEnd = skipDigits(bytes, start, end);
    if (tsEnd === start || tsEnd >= end || bytes[tsEnd] !== TAB) return false;
    const pidEnd = skipDigits(bytes, tsEnd + 1, end);
    if (pidEnd === tsEnd + 1 || pidEnd >= end || bytes[pidEnd] !== TAB) return false;
    const tidEnd = skipDigits(bytes, pidEnd + 1, end);
    if (tidEnd === pidEnd + 1 || tidEnd >= end || bytes[tidEnd] !== TAB) return false;
    const i = tidEnd;
    const probeStart = i + 1;
    let probeEnd = indexOfByte(bytes, TAB, probeStart, end);
    if (probeEnd === -1) probeEnd = end;
    const kind = probeKind(bytes, probeStart, probeEnd);
    if (kind < 0) return false;
    const argsStart = probeEnd + 1;
    const writer = this.writer;
    let frame = NO_REF;
    let value = 0;
    let name = NO_REF;
    switch (kind) {
      case EventKind.Entry:
      case EventKind.Return:
      case EventKind.Line: {
        // file \t func \t line: the last two tabs delimit function and line, so a tab inside a
        // file name survives. Scanned from the end: the file name is only hashed in part and compared natively.
        let lineTab = end - 1;
        while (lineTab >= argsStart && bytes[lineTab] !== TAB) lineTab--;
        let funcTab = lineTab - 1;
        while (funcTab >= argsStart && bytes[funcTab] !== TAB) funcTab--;
        if (funcTab < argsStart) return false;
        const lineNumber = parseInt10(bytes, lineTab + 1, end);
        if (lineNumber !== lineNumber) return false;
        const view = this.viewFor(bytes);
        const hash = hashFrameKey(view, argsStart, end, funcTab);
        frame = writer.lookupFrame(view, argsStart, end, hash);
        if (frame < 0) frame = writer.addFrame(bytes, argsStart, end, hash, argsStart, funcTab, funcTab + 1, lineTab, lineNumber);
        break;
      }
      case EventKind.GcStart:
      case EventKind.GcDone:
        value = parseInt10(bytes, argsStart, end);
        if (value !== value) return false;
        break;
      case EventKind.ImportStart:
      case EventKind.Audit: {
        if (argsStart > end) return false;
        const tab = kind === EventKind.Audit ? indexOfByte(bytes, TAB, argsStart, end) : -1;
        name = writer.nameFromBytes(bytes, argsStart, tab < 0 ? end : tab);
        break;
      }
      case EventKind.ImportDone: {
        const foundTab = lastIndexOfByte(bytes, TAB, argsStart, end);
        if (foundTab < 0) return false;
        value = parseUint(bytes, foundTab + 1, end);
        if (value < 0) return false;
        name = writer.nameFromBytes(bytes, argsStart, foundTab);
        break;
      }
    }
    const time = tsEnd - start <= MAX_EXACT_DIGITS ? writer.time.fromExact(digitsValue(bytes, start, tsEnd), bytes, start, tsEnd) : writer.time.fromDecimal(bytes, start, tsEnd);
    writer.emit(kind as EventKind, time, digitsValue(bytes, tsEnd + 1, pidEnd), digitsValue(bytes, pidEnd + 1, tidEnd), frame, value, name, lineNo);
    return true;
  }

  finish(): void {}

  private lastBytes: Buffer | undefined;
  private lastView: DataView | undefined;

  /** The DataView of the buffer lines come from (a new one per input chunk). */
  private viewFor(bytes: Buffer): DataView {
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastView = viewOf(bytes);
    }
    return this.lastView!;
  }

  private readComment(comment: string): void {
    if (!HEADER.test(comment)) return;
    for (const field of comment.split(/\s+/)) {
      const eq = field.indexOf('=');
      if (eq > 0) this.metadata.set(field.slice(0, eq), field.slice(eq + 1));
    }
  }
}

/** Does the head look like pyflame's format? A header or event lines say yes. */
export function detectPyflameLines(head: readonly string[]): Detection {
  let events = 0;
  for (const line of head) {
    if (HEADER.test(line)) return 'yes';
    if (EVENT_LINE.test(line)) events++;
  }
  return events > 0 ? 'yes' : 'no';
}

export const pyflameFormat: TraceFormat = {
  name: 'pyflame',
  description: "pyflame's recording format: ts_ns, pid, tid, probe, args, tab-separated (probes/*.bt, *.d, *.stp)",
  detect: detectPyflameLines,
  createParser: (writer: EventWriter, _diagnostics: Diagnostics) => new PyflameLineParser(writer),
};
