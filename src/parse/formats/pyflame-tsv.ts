import type { Diagnostics } from '../../model/diagnostics.js';
import { NO_REF } from '../../model/event-batch.js';
import { EventKind } from '../../model/event-kind.js';
import { hashKey, scanKey, stopBytes, viewOf, type KeyScan } from '../frame-key.js';
import type { EventWriter } from '../event-writer.js';
import { FastFormat, FastLines } from '../fast-lines.js';
import { PROBE_NAME_PATTERN, probeKind } from '../probe-names.js';
import { digitsValue, skipDigitWords, indexOfByte, lastIndexOfByte, latin1, parseInt10, parseUint, skipDigits } from '../scan.js';
import type { Detection, LineParser, RejectedLine, TraceFormat } from '../trace-format.js';

const TAB = 9;
const TAB_OR_NEWLINE = stopBytes(TAB);
const NEWLINE = 10;
const CR = 13;
const HASH = 35;
/** Up to 15 decimal digits always fit a double exactly. */
const MAX_EXACT_DIGITS = 15;
/** Little-endian words of "function__entry\t" and "function__return". */
const word = (text: string) => Buffer.from(text, 'latin1').readInt32LE(0);
const FUNC = word('func');
const TION = word('tion');
const UNDERSCORE_EN = word('__en');
const TRY_TAB = word('try\t');
const UNDERSCORE_RE = word('__re');
const TURN = word('turn');
const HEADER = /^# pyflame-trace v(\d+)/;
const EVENT_LINE = new RegExp(`^\\d+\\t\\d+\\t\\d+\\t(?:${PROBE_NAME_PATTERN})(?:\\t|$)`);

/**
 * Parses pyflame's recording format (docs/formats.md):
 * `ts_ns \t pid \t tid \t probe \t args...`, one event a line, `#` comments.
 *
 * This is the format of large recordings, so it is read straight from the bytes, and function
 * events (nearly all of a trace) take a fast loop that writes into the event batch directly.
 */
export class PyflameLineParser implements LineParser {
  /** `key=value` pairs from the `# pyflame-trace` header. */
  readonly metadata = new Map<string, string>();
  // Where scan() found the fields of the last line (instance fields: no object per line).
  private tsEnd = 0;
  private pid = 0;
  private tid = 0;
  private argsStart = 0;
  private lastBytes: Buffer | undefined;
  private lastView: DataView | undefined;
  private probeKindFound = 0;
  private readonly keyScan: KeyScan = { hash: 0, lastSeparator: -1, previousSeparator: -1 };

  /** The WebAssembly loop for runs of lines, when available. */
  private readonly fast: FastLines | undefined;
  private readonly lineFn = (bytes: Buffer, start: number, end: number, lineNo: number) => this.line(bytes, start, end, lineNo);

  constructor(private readonly writer: EventWriter) {
    this.fast = writer.fastLines ? FastLines.create() : undefined;
  }

  line(bytes: Buffer, start: number, end: number, lineNo: number): boolean {
    if (bytes[start] === HASH) {
      this.readComment(latin1(bytes, start, end));
      return true;
    }
    const kind = this.scan(bytes, start, end);
    if (kind < 0) return false;
    const writer = this.writer;
    const argsStart = this.argsStart;
    let frame = NO_REF;
    let value = 0;
    let name = NO_REF;
    switch (kind) {
      case EventKind.Entry:
      case EventKind.Return:
      case EventKind.Line:
        frame = this.frame(bytes, argsStart, end);
        if (frame < 0) return false;
        break;
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
    writer.emit(kind as EventKind, this.time(bytes, start), this.pid, this.tid, frame, value, name, lineNo);
    return true;
  }

  /**
   * The fast loop over whole lines: function entries and returns (nearly all of a trace) are
   * recognized by comparing words, their keys scanned a word at a time, and the events written
   * straight into the batch. Any other line goes through line(), and what that rejects to `reject`.
   */
  lines(bytes: Buffer, start: number, end: number, firstLineNo: number, reject: RejectedLine): number {
    if (this.fast !== undefined) return this.fast.lines(FastFormat.Pyflame, bytes, start, end, firstLineNo, this.writer, this.lineFn, reject);
    const writer = this.writer;
    const view = this.viewFor(bytes);
    const key = this.keyScan;
    let batch = writer.currentBatch();
    let { kind: kinds, ts: times, pid: pids, tid: tids, frame: frames, value: values, name: names, srcLine: srcLines } = batch;
    let n = batch.length;
    let written = 0;
    let lastTs = 0;
    let lineNo = firstLineNo - 1;
    for (let pos = start; pos < end; ) {
      lineNo++;
      const lineStart = pos;
      let frame = -1;
      let kind = -1;
      let nl = -1;
      const argsStart = this.scanFunctionProbe(view, bytes, lineStart, end);
      if (argsStart > 0) {
        kind = this.probeKindFound;
        nl = scanKey(view, bytes, argsStart, end, TAB_OR_NEWLINE, key);
        if (nl > 0 && bytes[nl - 1] !== CR && key.previousSeparator >= argsStart) {
          frame = writer.lookupFrame(view, argsStart, nl, key.hash);
          if (frame < 0) frame = this.newFrame(bytes, argsStart, nl, key.hash, key.previousSeparator, key.lastSeparator);
        }
      }
      if (frame >= 0) {
        const ts = this.time(bytes, lineStart);
        kinds[n] = kind;
        times[n] = ts;
        pids[n] = this.pid;
        tids[n] = this.tid;
        frames[n] = frame;
        values[n] = 0;
        names[n] = NO_REF;
        srcLines[n] = lineNo;
        n++;
        written++;
        lastTs = ts;
        if (n === batch.capacity) {
          batch.length = n;
          writer.wroteDirectly(written, lastTs);
          written = 0;
          batch = writer.currentBatch();
          ({ kind: kinds, ts: times, pid: pids, tid: tids, frame: frames, value: values, name: names, srcLine: srcLines } = batch);
          n = batch.length;
        }
        pos = nl + 1;
        continue;
      }
      // Anything else takes the general path, after the batch is brought up to date.
      batch.length = n;
      writer.wroteDirectly(written, lastTs);
      written = 0;
      nl = bytes.indexOf(NEWLINE, lineStart);
      const lineEnd = nl > lineStart && bytes[nl - 1] === CR ? nl - 1 : nl;
      if (lineEnd > lineStart && !this.line(bytes, lineStart, lineEnd, lineNo)) reject(bytes, lineStart, lineEnd, lineNo);
      batch = writer.currentBatch();
      ({ kind: kinds, ts: times, pid: pids, tid: tids, frame: frames, value: values, name: names, srcLine: srcLines } = batch);
      n = batch.length;
      pos = nl + 1;
    }
    batch.length = n;
    writer.wroteDirectly(written, lastTs);
    return lineNo - firstLineNo + 1;
  }

  /**
   * The fast loop's reading of `ts \t pid \t tid \t function__entry|function__return \t`: returns
   * where the arguments start (kind in probeKindFound), or 0 when the line is something else.
   */
  private scanFunctionProbe(view: DataView, bytes: Buffer, start: number, end: number): number {
    const tsEnd = skipDigitWords(view, bytes, start, end);
    if (tsEnd === start || bytes[tsEnd] !== TAB) return 0;
    let i = tsEnd + 1;
    let pid = 0;
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) pid = pid * 10 + c - 48;
    if (i === tsEnd + 1 || bytes[i] !== TAB) return 0;
    const pidEnd = i++;
    let tid = 0;
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) tid = tid * 10 + c - 48;
    if (i === pidEnd + 1 || bytes[i] !== TAB) return 0;
    const probe = i + 1;
    if (probe + 20 > end) return 0;
    // "function__entry\t" and "function__return\t" as little-endian words.
    if (view.getInt32(probe, true) !== FUNC || view.getInt32(probe + 4, true) !== TION) return 0;
    const third = view.getInt32(probe + 8, true);
    const fourth = view.getInt32(probe + 12, true);
    let argsStart: number;
    if (third === UNDERSCORE_EN && fourth === TRY_TAB) {
      this.probeKindFound = EventKind.Entry;
      argsStart = probe + 16;
    } else if (third === UNDERSCORE_RE && fourth === TURN && bytes[probe + 16] === TAB) {
      this.probeKindFound = EventKind.Return;
      argsStart = probe + 17;
    } else {
      return 0;
    }
    this.tsEnd = tsEnd;
    this.pid = pid;
    this.tid = tid;
    return argsStart;
  }

  /** Interns a frame first seen in the fast loop. */
  private newFrame(bytes: Buffer, argsStart: number, end: number, hash: number, funcTab: number, lineTab: number): number {
    const lineNumber = parseInt10(bytes, lineTab + 1, end);
    if (lineNumber !== lineNumber) return -1;
    return this.writer.addFrame(bytes, argsStart, end, hash, argsStart, funcTab, funcTab + 1, lineTab, lineNumber);
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
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) pid = pid * 10 + c - 48;
    if (i === tsEnd + 1 || i >= end || bytes[i] !== TAB) return -1;
    const pidEnd = i++;
    let tid = 0;
    for (let c = bytes[i]; c >= 48 && c <= 57; c = bytes[++i]) tid = tid * 10 + c - 48;
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
    return tsEnd - start <= MAX_EXACT_DIGITS ? time.fromExact(digitsValue(bytes, start, tsEnd), bytes, start, tsEnd) : time.fromDecimal(bytes, start, tsEnd);
  }

  /**
   * The frame of `file \t func \t line` in bytes[argsStart, end), or -1 if malformed. The last two
   * tabs delimit function and line, so a tab inside a file name survives.
   */
  private frame(bytes: Buffer, argsStart: number, end: number): number {
    let lineTab = end - 1;
    while (lineTab >= argsStart && bytes[lineTab] !== TAB) lineTab--;
    let funcTab = lineTab - 1;
    while (funcTab >= argsStart && bytes[funcTab] !== TAB) funcTab--;
    if (funcTab < argsStart) return -1;
    const view = this.viewFor(bytes);
    const hash = hashKey(view, bytes, argsStart, end);
    const known = this.writer.lookupFrame(view, argsStart, end, hash);
    return known >= 0 ? known : this.newFrame(bytes, argsStart, end, hash, funcTab, lineTab);
  }

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
