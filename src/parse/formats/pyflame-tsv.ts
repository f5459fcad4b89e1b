import { headerFields } from '../header-fields.js';
import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { hashKey, ViewCache } from '../frame-key.js';
import type { EventWriter } from '../event-writer.js';
import { FastFormat, FastLines } from '../fast-lines.js';
import {
  ID_LIMIT,
  idInRange,
  LINE_LIMIT,
  lineInRange,
  quoteNumber,
  VALUE_LIMIT,
  valueInRange,
} from '../../model/limits.js';
import { PROBE_NAME_PATTERN, probeKind } from '../probe-names.js';
import { digitsValue, indexOfByte, lastIndexOfByte, latin1, parseInt10, parseUint, skipDigits } from '../scan.js';
import type { Detection, LineParser, RejectedLine, TraceFormat } from '../trace-format.js';

const TAB = 9;
const HASH = 35;
const AT = 64;
const LETTER_U = 117;
const EQUALS = 61;
/** The warning for a `u=` field whose value is not a count (docs/damage.md, "Unwritten counts"). */
export const BAD_UNWRITTEN = 'bad-unwritten-count';
/** bpftrace's dump, at exit, of the event counts kept by probes/pyflame.bt: `@function__entry: 12328`. */
const COUNT_LINE = /^@\w+: \d+$/;
/** Up to 15 decimal digits always fit a double exactly. */
const MAX_EXACT_DIGITS = 15;
/** frame(): the line number was out of range (warned; the event is skipped). */
const REFUSED = -2;
const HEADER = /^# pyflame-trace v(\d+)/;
const EVENT_LINE = new RegExp(`^\\d+\\t\\d+\\t\\d+\\t(?:${PROBE_NAME_PATTERN})(?:\\t|$)`);

/**
 * Parses pyflame's recording format (docs/formats.md):
 * `ts_ns \t pid \t tid \t probe \t args...`, one event a line, `#` comments.
 *
 * This is the format of large recordings: runs of lines go through the WebAssembly loop
 * (fast-lines.ts), which reads function events, nearly all of a trace; this class reads the rest,
 * and everything when WebAssembly is off, straight from the bytes.
 */
export class PyflameLineParser implements LineParser {
  /** `key=value` pairs from the `# pyflame-trace` header. */
  readonly metadata = new Map<string, string>();
  // Where scan() found the fields of the last line (instance fields: no object per line).
  private tsEnd = 0;
  private pid = 0;
  private tid = 0;
  private argsStart = 0;
  /** The last line's `u=N` (0 when absent), or -1 when its value is not a count. */
  private unwritten = 0;
  /** Where the last line's `u=` value starts (for the warning). */
  private unwrittenAt = 0;
  private readonly views = new ViewCache();

  /** The WebAssembly loop for runs of lines, when available. */
  private readonly fast: FastLines | undefined;
  private readonly lineFn = (bytes: Buffer, start: number, end: number, lineNo: number) =>
    this.line(bytes, start, end, lineNo);

  constructor(private readonly writer: EventWriter) {
    this.fast = writer.fastLines ? FastLines.create() : undefined;
    if (this.fast === undefined) this.lines = undefined;
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    if (bytes[start] === HASH) {
      this.readComment(this.writer.decode(bytes, start, end, lineNo));
      return true;
    }
    if (bytes[start] === AT) return COUNT_LINE.test(latin1(bytes, start, end));
    const kind = this.scan(bytes, start, end);
    if (kind < 0) return false;
    const lineEnd = end;
    end = this.withoutUnwritten(bytes, end);
    const writer = this.writer;
    if (!idInRange(this.pid) || !idInRange(this.tid)) {
      // Rare: ids past 2^53 would be rounded (threads merged). Found again to quote them.
      const pidEnd = indexOfByte(bytes, TAB, this.tsEnd + 1, end);
      const tidEnd = indexOfByte(bytes, TAB, pidEnd + 1, end);
      const [what, from, to] = idInRange(this.pid) ? ['tid', pidEnd + 1, tidEnd] : ['pid', this.tsEnd + 1, pidEnd];
      writer.outOfRange(what, bytes.toString('latin1', from, to), ID_LIMIT, lineNo);
      return true;
    }
    const argsStart = this.argsStart;
    let frame = NO_REF;
    let value = 0;
    let name = NO_REF;
    switch (kind) {
      case EventKind.Entry:
      case EventKind.Return:
      case EventKind.Line:
        frame = this.frame(bytes, argsStart, end, lineNo);
        if (frame === REFUSED) return true;
        if (frame < 0) return false;
        break;
      case EventKind.GcStart:
      case EventKind.GcDone:
      case EventKind.OffCpu:
        value = parseInt10(bytes, argsStart, end);
        if (value !== value) return false;
        if (!valueInRange(value)) return this.refuseValue(bytes, argsStart, end, lineNo);
        break;
      case EventKind.ImportStart:
      case EventKind.ThreadName:
      case EventKind.Audit: {
        if (argsStart > end) return false;
        const tab = kind === EventKind.Audit ? indexOfByte(bytes, TAB, argsStart, end) : -1;
        name = writer.nameFromBytes(bytes, argsStart, tab < 0 ? end : tab, lineNo);
        break;
      }
      case EventKind.ImportDone: {
        const foundTab = lastIndexOfByte(bytes, TAB, argsStart, end);
        if (foundTab < 0) return false;
        value = parseUint(bytes, foundTab + 1, end);
        if (value < 0) return false;
        if (!valueInRange(value)) return this.refuseValue(bytes, foundTab + 1, end, lineNo);
        name = writer.nameFromBytes(bytes, argsStart, foundTab, lineNo);
        break;
      }
    }
    const ts = this.time(bytes, start);
    if (ts !== ts) {
      writer.timestampOutOfRange(bytes.toString('latin1', start, this.tsEnd), lineNo);
      return true;
    }
    const unwritten = this.unwritten;
    if (unwritten > 0) writer.emit(EventKind.Unwritten, ts, this.pid, this.tid, NO_REF, unwritten, NO_REF, lineNo);
    else if (unwritten < 0) this.warnUnwritten(bytes, lineEnd, lineNo);
    writer.emit(kind as EventKind, ts, this.pid, this.tid, frame, value, name, lineNo);
    return true;
  }

  /**
   * The end of the scanned line without its optional last field `\tu=N` (docs/formats.md), whose
   * value goes to this.unwritten. The field is the line's last tab-separated one after the probe:
   * a file name may hold tabs, but it is never last.
   */
  private withoutUnwritten(bytes: Buffer, end: number): number {
    this.unwritten = 0;
    const probeEnd = this.argsStart - 1;
    let tab = end - 1;
    while (tab >= probeEnd && bytes[tab] !== TAB) tab--;
    if (tab < probeEnd || tab + 2 >= end || bytes[tab + 1] !== LETTER_U || bytes[tab + 2] !== EQUALS) return end;
    const valueStart = tab + 3;
    const count = parseUint(bytes, valueStart, end);
    this.unwritten = count >= 0 && count <= Number.MAX_SAFE_INTEGER ? count : -1;
    this.unwrittenAt = valueStart;
    return tab;
  }

  /** A `u=` value that is not a count: the count is dropped (counted, warned), the event kept. */
  private warnUnwritten(bytes: Buffer, lineEnd: number, lineNo: number): void {
    this.writer.diagnostics.warn(
      BAD_UNWRITTEN,
      `events whose u= field (probe firings not written) was not a count from 0 to 2^53 - 1 were read without it, the first: u=${JSON.stringify(quoteNumber(latin1(bytes, this.unwrittenAt, lineEnd)))}`,
      lineNo,
    );
  }

  private refuseValue(bytes: Buffer, start: number, end: number, lineNo: number): true {
    this.writer.outOfRange('value', bytes.toString('latin1', start, end), VALUE_LIMIT, lineNo);
    return true;
  }

  /** Runs of whole lines through the WebAssembly loop (see fast-lines.ts). */
  lines?(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number {
    return this.fast!.lines(FastFormat.Pyflame, bytes, start, end, firstLineNo, this.writer, this.lineFn, reject);
  }

  /** Is the WebAssembly loop there (for formats that wrap this one)? */
  get hasFastLines(): boolean {
    return this.fast !== undefined;
  }

  /**
   * The loop for a format that wraps this one (raw bpftrace output): the lines the loop stops at
   * go to `lineFn`, the wrapper's own `line`, which tries this parser's first.
   */
  linesVia(
    bytes: Buffer,
    start: number,
    end: number,
    firstLineNo: number,
    lineFn: (bytes: Buffer, start: number, end: number, lineNo: number) => boolean,
    reject: RejectedLine,
  ): number {
    return this.fast!.lines(FastFormat.Pyflame, bytes, start, end, firstLineNo, this.writer, lineFn, reject);
  }

  finish(): void {}

  /**
   * Finds ts, pid, tid and the probe of an event line; returns the event kind, or -1 when the line
   * is not an event. The timestamp is valued later (see time()); pid and tid are short enough to
   * value on the way.
   */
  private scan(bytes: Buffer, start: number, end: number): number {
    const tsEnd = skipDigits(bytes, start, end);
    if (tsEnd === start || tsEnd >= end || bytes[tsEnd] !== TAB) return -1;
    let i = tsEnd + 1;
    let pid = 0;
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) pid = pid * 10 + (c - 48);
    if (i === tsEnd + 1 || i >= end || bytes[i] !== TAB) return -1;
    const pidEnd = i++;
    let tid = 0;
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) tid = tid * 10 + (c - 48);
    if (i === pidEnd + 1 || i >= end || bytes[i] !== TAB) return -1;
    const probeStart = i + 1;
    let probeEnd = indexOfByte(bytes, TAB, probeStart, end);
    if (probeEnd === -1) probeEnd = end;
    this.tsEnd = tsEnd;
    this.pid = pid;
    this.tid = tid;
    this.argsStart = probeEnd + 1;
    return probeKind(bytes, probeStart, probeEnd);
  }

  /** The relative timestamp of the line scanned last. */
  private time(bytes: Buffer, start: number): number {
    const tsEnd = this.tsEnd;
    const time = this.writer.time;
    return tsEnd - start <= MAX_EXACT_DIGITS
      ? time.fromExact(digitsValue(bytes, start, tsEnd), bytes, start, tsEnd)
      : time.fromDecimal(bytes, start, tsEnd);
  }

  /**
   * The frame of `file \t func \t line` in bytes[argsStart, end), or -1 if malformed. The last two
   * tabs delimit function and line, so a tab inside a file name survives.
   */
  private frame(bytes: Buffer, argsStart: number, end: number, lineNo: number): number {
    let lineTab = end - 1;
    while (lineTab >= argsStart && bytes[lineTab] !== TAB) lineTab--;
    let funcTab = lineTab - 1;
    while (funcTab >= argsStart && bytes[funcTab] !== TAB) funcTab--;
    if (funcTab < argsStart) return -1;
    const view = this.views.of(bytes);
    const hash = hashKey(view, bytes, argsStart, end);
    const known = this.writer.lookupFrame(view, argsStart, end, hash);
    if (known >= 0) return known;
    const lineNumber = parseInt10(bytes, lineTab + 1, end);
    if (lineNumber !== lineNumber) return -1;
    if (!lineInRange(lineNumber)) {
      this.writer.outOfRange('line number', bytes.toString('latin1', lineTab + 1, end), LINE_LIMIT, lineNo);
      return REFUSED;
    }
    return this.writer.addFrame(
      bytes,
      argsStart,
      end,
      hash,
      argsStart,
      funcTab,
      funcTab + 1,
      lineTab,
      lineNumber,
      lineNo,
    );
  }

  /** `# pyflame-trace v1 clock=boot_ns python=/opt/my python/bin/python3`: a value runs to the next ` key=`. */
  private readComment(comment: string): void {
    if (!HEADER.test(comment)) return;
    for (const [key, value] of headerFields(comment)) this.metadata.set(key, value);
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
