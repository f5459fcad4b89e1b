import { Diagnostics, TraceInputError } from '../model/diagnostics.js';
import { DEFAULT_BATCH_SIZE, EventBatch, NO_REF } from '../model/event-batch.js';
import type { EventKind } from '../model/event-kind.js';
import { FrameTable } from '../model/frame-table.js';
import { lineInRange, OUT_OF_RANGE, quoteNumber } from '../model/limits.js';
import { TimeBase } from '../model/time-base.js';
import { ByteKeyTable } from './byte-key-table.js';
import { parseInt10 } from './scan.js';

/** The most distinct frames a trace may have (each costs about 200 bytes). */
export const MAX_DISTINCT_FRAMES = 5_000_000;

/**
 * The most memory the distinct names and frames may take (estimated as below): bounds memory on a
 * trace whose names change on every line, long before millions of them fill gigabytes.
 */
export const MAX_NAME_BYTES = 512 * 1024 * 1024;
/**
 * What the estimate counts: each distinct frame and each other distinct name a fixed cost, plus
 * every character of their names four times (a frame's names are kept in its text key, its byte
 * key, the WebAssembly loop's key and the string table). Measured: 530-780 bytes a frame of
 * short names, 4-8 times the characters of long ones.
 */
export const FRAME_COST_BYTES = 256;
export const NAME_COST_BYTES = 64;
const BYTES_PER_CHAR = 4;

/** Enough spare batches to cover the reorder window's turnover without growing. */
const MAX_SPARE_BATCHES = 8;

const REPLACEMENT = '\ufffd';
const ENCODED_REPLACEMENT = Buffer.from(REPLACEMENT);

/**
 * What parsers write events into: interns frames and names, holds the time base and fills
 * columnar batches, handing each full batch downstream.
 */
export class EventWriter {
  readonly frames: FrameTable;
  readonly time = new TimeBase();
  readonly diagnostics: Diagnostics;
  /** Events written so far. */
  events = 0;
  /** The timestamp of the last event written (for notices that carry none). */
  lastTs = 0;
  /** May parsers use the WebAssembly loop? (off to test the TypeScript path alone) */
  fastLines = true;
  /** The input's name, for parsers' error messages. */
  source = '<input>';
  /** Empty batches from the consumer, taken before a new one is made (see ReadTraceOptions). */
  spareBatch: (() => EventBatch | undefined) | undefined;
  /** The bound on distinct frames, and on distinct names (twice as many). */
  maxFrames = MAX_DISTINCT_FRAMES;
  /** The bound on the memory the names and frames take (see MAX_NAME_BYTES). */
  maxNameBytes = MAX_NAME_BYTES;
  /** The estimated memory of the names and frames held so far. */
  private nameBytes = 0;
  private batch: EventBatch;
  /** Batches the consumer is done with, filled again instead of allocating new ones. */
  private readonly spare: EventBatch[] = [];
  private readonly frameByBytes = new ByteKeyTable();
  private readonly frameByText = new Map<string, number>();

  constructor(
    private readonly downstream: (batch: EventBatch) => void,
    diagnostics: Diagnostics = new Diagnostics(),
    frames: FrameTable = new FrameTable(),
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {
    this.diagnostics = diagnostics;
    this.frames = frames;
    this.batch = new EventBatch(batchSize);
  }

  emit(
    kind: EventKind,
    ts: number,
    pid: number,
    tid: number,
    frame: number,
    value: number,
    name: number,
    srcLine: number,
  ): void {
    this.batch.push(kind, ts, pid, tid, frame, value, name, srcLine);
    this.events++;
    this.lastTs = ts;
    if (this.batch.full) this.flush();
  }

  /** The batch being filled, never full: a parser's fast loop may write events into it directly. */
  currentBatch(): EventBatch {
    return this.batch;
  }

  /**
   * Accounts for `count` events a parser wrote straight into currentBatch() (having set its
   * length), the last at `lastTs`; hands the batch on when full.
   */
  wroteDirectly(count: number, lastTs: number): void {
    this.events += count;
    if (count > 0) this.lastTs = lastTs;
    if (this.batch.full) this.flush();
  }

  /**
   * The frame id for the key view[keyStart, keyEnd) (hash from hashFrameKey), which identifies
   * (file, function, line) in the parser's own layout, or -1 when new: then call addFrame.
   */
  lookupFrame(view: DataView, keyStart: number, keyEnd: number, hash: number): number {
    return this.frameByBytes.get(view, keyStart, keyEnd, hash);
  }

  /** Interns a frame whose file and function are byte ranges of `bytes`, under its key (read at input line lineNo). */
  addFrame(
    bytes: Buffer,
    keyStart: number,
    keyEnd: number,
    hash: number,
    fileStart: number,
    fileEnd: number,
    funcStart: number,
    funcEnd: number,
    line: number,
    lineNo: number,
  ): number {
    const id = this.internFrame(
      this.decode(bytes, fileStart, fileEnd),
      this.decode(bytes, funcStart, funcEnd),
      line,
      lineNo,
    );
    this.frameByBytes.add(bytes, keyStart, keyEnd, hash, id);
    return id;
  }

  /**
   * The frame of a key `file<sep>function<sep>line` whose separators are at funcSep and lineSep,
   * or -1 when the line number is not an integer in range (the parser then reads the line).
   */
  frameFromKey(
    bytes: Buffer,
    keyStart: number,
    funcSep: number,
    lineSep: number,
    keyEnd: number,
    lineNo: number,
  ): number {
    const line = parseInt10(bytes, lineSep + 1, keyEnd);
    if (!lineInRange(line)) return -1;
    return this.internFrame(
      this.decode(bytes, keyStart, funcSep),
      this.decode(bytes, funcSep + 1, lineSep),
      line,
      lineNo,
    );
  }

  /** The frame id of names given as text (parsers off the hot path; text is already decoded). */
  frame(file: string, func: string, line: number, lineNo: number): number {
    const key = `${file}\0${func}\0${line}`;
    let id = this.frameByText.get(key);
    if (id === undefined) {
      id = this.internFrame(file, func, line, lineNo);
      this.frameByText.set(key, id);
    }
    return id;
  }

  /** The string id of a name given as text (read at input line lineNo). */
  name(value: string, lineNo: number): number {
    return this.internName(value, lineNo);
  }

  /** The string id of a name that is the byte range [start, end) of `bytes`. */
  nameFromBytes(bytes: Buffer, start: number, end: number, lineNo: number): number {
    return this.internName(this.decode(bytes, start, end), lineNo);
  }

  /**
   * Refuses the event of input line lineNo: its `what` (e.g. "pid"), given as `text`, `limit`
   * (e.g. "is more than 2^53 - 1"). Counted with the line; the caller skips the event.
   */
  outOfRange(what: string, text: string, limit: string, lineNo: number): void {
    this.diagnostics.warn(
      OUT_OF_RANGE,
      `events with a number out of range were skipped, the first: the ${what} ${quoteNumber(text)} ${limit}`,
      lineNo,
    );
  }

  /** outOfRange for a timestamp the time base refused (TimeBase.refused says why). */
  timestampOutOfRange(text: string, lineNo: number): void {
    this.outOfRange('timestamp', text, this.time.refused, lineNo);
  }

  /**
   * Decodes recorded bytes (UTF-8, as the probes copied them from the interpreter) to text.
   * Bytes that are not UTF-8 become U+FFFD, and that is reported.
   */
  decode(bytes: Buffer, start: number, end: number, lineNo?: number): string {
    const text = bytes.toString('utf8', start, end);
    if (text.includes(REPLACEMENT) && bytes.subarray(start, end).indexOf(ENCODED_REPLACEMENT) === -1) {
      this.diagnostics.warn(
        'invalid-utf8',
        'names with bytes that are not UTF-8 were read with U+FFFD (�) in their place',
        lineNo,
      );
    }
    return text;
  }

  /**
   * Interns a frame, within a bound: memory grows with distinct frames, and no program has
   * millions of distinct (file, function, line) — a trace that does is not one to read whole.
   */
  private internFrame(file: string, func: string, line: number, lineNo: number): number {
    const frames = this.frames;
    if (frames.size >= this.maxFrames) {
      throw new TraceInputError(
        this.source,
        undefined,
        `more than ${this.maxFrames.toLocaleString('en-US')} distinct (file, function, line) frames: too many to hold (names that change on every line?)`,
      );
    }
    const size = frames.size;
    const strings = frames.strings.size;
    const id = frames.intern(file, func, line);
    if (frames.size > size) {
      this.hold(FRAME_COST_BYTES + BYTES_PER_CHAR * (file.length + func.length), lineNo);
      if (frames.strings.size > strings) this.hold((frames.strings.size - strings) * NAME_COST_BYTES, lineNo);
    }
    return id;
  }

  private internName(value: string, lineNo: number): number {
    const strings = this.frames.strings;
    if (strings.size >= 2 * this.maxFrames) {
      throw new TraceInputError(
        this.source,
        undefined,
        `more than ${(2 * this.maxFrames).toLocaleString('en-US')} distinct names: too many to hold`,
      );
    }
    const size = strings.size;
    const id = strings.intern(value);
    if (strings.size > size) this.hold(NAME_COST_BYTES + BYTES_PER_CHAR * value.length, lineNo);
    return id;
  }

  /** Counts memory taken by new names; refuses the trace past maxNameBytes. */
  private hold(bytes: number, lineNo: number): void {
    this.nameBytes += bytes;
    if (this.nameBytes > this.maxNameBytes) {
      throw new TraceInputError(
        this.source,
        lineNo > 0 ? lineNo : undefined,
        `too many distinct names to hold: the names and frames read so far would take more than ${bytesText(this.maxNameBytes)} of memory (the limit; names that change on every line?)`,
      );
    }
  }

  /** Hands the partly filled batch downstream (at the end of input). */
  flush(): void {
    if (this.batch.length === 0) return;
    const full = this.batch;
    this.batch = this.emptyBatch();
    this.downstream(full);
  }

  /** A batch to fill: one the consumer is done with, else a new one. */
  private emptyBatch(): EventBatch {
    let spare = this.spare.pop();
    if (spare === undefined) {
      spare = this.spareBatch?.();
      if (spare !== undefined && spare.capacity !== this.batchSize) spare = undefined;
    }
    if (spare === undefined) return new EventBatch(this.batchSize);
    spare.length = 0;
    return spare;
  }

  /** Takes back a batch the consumer has finished with (its events are then overwritten). */
  recycle(batch: EventBatch): void {
    if (batch.capacity === this.batchSize && this.spare.length < MAX_SPARE_BATCHES) this.spare.push(batch);
  }
}

export { NO_REF };

/** A byte count for messages: whole MiB when it is one. */
function bytesText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes.toLocaleString('en-US')} bytes`;
}
