import { isCostLine, parseCostLine, type RecordingCost } from '../model/recording-cost.js';
import { headerFields } from './header-fields.js';
import { Diagnostics, TraceInputError, type Warning } from '../model/diagnostics.js';
import { OUT_OF_RANGE } from '../model/limits.js';
import { DEFAULT_BATCH_SIZE, type EventBatch } from '../model/event-batch.js';
import { FrameTable } from '../model/frame-table.js';
import type { TimeBase } from '../model/time-base.js';
import { stripAnsi } from './ansi.js';
import { EventWriter } from './event-writer.js';
import { openInput } from './input-source.js';
import { LineEnd, LineSplitter } from './line-splitter.js';
import { DEFAULT_REORDER_WINDOW, ReorderStage } from './reorder.js';
import { detectFormat, findFormat, formatNames, TRACE_FORMATS } from './registry.js';
import type { LineParser, TraceFormat } from './trace-format.js';
import { readTracerNotice } from './tracer-notices.js';
import { compareText } from '../text/compare.js';

/**
 * Detection looks at this many lines that are not blank or `#` comments, or at as many lines as
 * fit in HEAD_BYTES, each counted as its length plus HEAD_LINE_COST (so that memory stays bounded
 * whatever the lines), whichever comes first. Blank lines before the first other line are not kept:
 * they mean nothing in any format.
 */
const HEAD_LINES = 200;
const HEAD_BYTES = 256 * 1024;
const HEAD_LINE_COST = 64;
/** Binary data is looked for in this many first bytes. */
const BINARY_CHECK_BYTES = 256 * 1024;
/** The UTF-8 byte order mark some editors put first: not part of the trace. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const HASH = 35;
const EXCERPT_CHARS = 80;
const LITERAL_NEWLINE = '\\n';

export interface ReadTraceOptions {
  /** Skip detection and read the input as this format. */
  format?: string;
  /** Events held to restore timestamp order (default 262,144). */
  reorderWindow?: number;
  batchSize?: number;
  /**
   * Receives the events, in timestamp order, batch by batch. A batch is reused for later events
   * once this returns: copy out what must outlive the call.
   */
  onBatch?: (batch: EventBatch, trace: TraceContext) => void;
  /**
   * The consumer keeps each batch it is given (the parsing thread hands its arrays over to the
   * analyzing thread instead of copying them): none is filled again. `spareBatch` is where empty
   * batches come from then, before new ones are made (the arrays handed back).
   */
  keepsBatches?: boolean;
  spareBatch?: () => EventBatch | undefined;
  /** Called after each chunk read, with raw bytes read and the file size when known. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Awaited after each chunk: lets a slow consumer (an output stream) push back. */
  afterChunk?: () => Promise<void>;
  /** The most distinct frames to hold (default 5,000,000): bounds memory on hostile input. */
  maxFrames?: number;
  /** The most memory distinct names and frames may take, estimated (default 512 MiB; see EventWriter). */
  maxNameBytes?: number;
  /** Bytes per read from a file (default 4 MiB; tests use tiny reads to cross chunk boundaries). */
  chunkBytes?: number;
  /** Where `-` reads from (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Use the WebAssembly fast loop where a format has one (default true; false tests the TypeScript path). */
  fastLines?: boolean;
  /** The formats to detect from (default: all registered). */
  formats?: readonly TraceFormat[];
}

/** What a consumer needs to interpret event batches. */
export interface TraceContext {
  /** The input's name in messages: its path or `<stdin>`. */
  readonly source: string;
  /** The detected (or forced) format's name. */
  readonly format: string;
  readonly frames: FrameTable;
  /** Turns event timestamps back into the recorded clock's exact values. */
  readonly time: TimeBase;
  /** What the recording said its probes cost (its `# pyflame-cost` line), if it said. */
  readonly cost?: RecordingCost;
}

/** What reading a whole trace found. */
export interface TraceSummary extends TraceContext {
  readonly gzip: boolean;
  /** Bytes read from the input (compressed bytes for gzip). */
  readonly bytes: number;
  readonly lines: number;
  readonly events: number;
  readonly warnings: Warning[];
  /** What the trace said about itself (pyflame's header: clock, python), sorted by key. */
  readonly metadata: Record<string, string>;
}

interface HeadLine {
  /** The line, without its line end. */
  readonly bytes: Buffer;
  readonly text: string;
  readonly lineNo: number;
  readonly ending: LineEnd;
}

/**
 * Reads a recorded trace (a path or `-`, plain or gzip) into normalized events, streamed in
 * batches to `options.onBatch`. The format is detected from a bounded head, which is then
 * replayed into the chosen parser. Damage is repaired and counted in `warnings`; input that cannot
 * be read at all throws a TraceInputError naming the file and line.
 */
export async function readTrace(path: string, options: ReadTraceOptions = {}): Promise<TraceSummary> {
  const input = await openInput(path, options.stdin, options.chunkBytes);
  const reader = new TraceReader(input.name, options);
  for await (const chunk of input.chunks()) {
    reader.push(chunk);
    options.onProgress?.(input.rawBytesRead(), input.sizeBytes);
    if (options.afterChunk !== undefined) await options.afterChunk();
  }
  if (input.truncatedGzip())
    reader.diagnostics.warn(
      'truncated-gzip',
      'the gzip stream ends early (file cut short); what could be inflated was read',
    );
  for (const damage of input.spoolDamage())
    reader.diagnostics.warn(damage.code, `in-process recorder's spool: ${damage.what}`, undefined, damage.count);
  return reader.finish(input.gzip, input.rawBytesRead());
}

/** The per-input reading state: sniffing, then line-by-line parsing. */
class TraceReader {
  readonly diagnostics = new Diagnostics();
  private readonly frames = new FrameTable();
  private readonly writer: EventWriter;
  private readonly reorder: ReorderStage;
  private readonly splitter: LineSplitter;
  private readonly formats: readonly TraceFormat[];
  private format: TraceFormat | undefined;
  private parser: LineParser | undefined;
  /** The parser, once lines may go to it directly (no literal-newline splitting). */
  private fastParser: LineParser | undefined;
  private context: TraceContext | undefined;
  private head: HeadLine[] = [];
  /** What the head holds, counted as HEAD_BYTES counts it; and its lines that are not blank or comments. */
  private headBytes = 0;
  private headContentLines = 0;
  /** The first bytes while they may be a byte order mark (undefined once decided). */
  private bomCheck: Buffer | undefined = Buffer.alloc(0);
  private bytesSeen = 0;
  private nulBytes = 0;
  private controlBytes = 0;
  private firstNul: { offset: number; line: number } | undefined;
  private ansiSeen = false;
  private literalNewlines = false;

  constructor(
    private readonly source: string,
    private readonly options: ReadTraceOptions,
  ) {
    this.formats = options.formats ?? TRACE_FORMATS;
    this.reorder = new ReorderStage(
      options.reorderWindow ?? DEFAULT_REORDER_WINDOW,
      (batch) => {
        this.options.onBatch?.(batch, this.context!);
        if (this.options.keepsBatches !== true) this.writer.recycle(batch);
      },
      this.diagnostics,
    );
    this.writer = new EventWriter(
      (batch) => this.reorder.push(batch),
      this.diagnostics,
      this.frames,
      options.batchSize ?? DEFAULT_BATCH_SIZE,
    );
    this.writer.fastLines = options.fastLines !== false;
    this.writer.spareBatch = options.spareBatch;
    this.writer.source = source;
    if (options.maxFrames !== undefined) this.writer.maxFrames = options.maxFrames;
    if (options.maxNameBytes !== undefined) this.writer.maxNameBytes = options.maxNameBytes;
    this.splitter = new LineSplitter(source, (bytes, start, end, lineNo, ending) =>
      this.onLine(bytes, start, end, lineNo, ending),
    );
  }

  push(input: Buffer): void {
    const chunk = this.bomCheck === undefined ? input : this.withoutByteOrderMark(input);
    if (chunk === undefined) return;
    if (this.bytesSeen < BINARY_CHECK_BYTES)
      this.countBinaryBytes(chunk.subarray(0, BINARY_CHECK_BYTES - this.bytesSeen));
    this.bytesSeen += chunk.length;
    if (!this.ansiSeen && chunk.indexOf(ESC) !== -1) {
      this.ansiSeen = true;
      // Escapes must be removed line by line before parsing: leave the parser's fast loop.
      this.splitter.onLines = undefined;
    }
    this.splitter.push(chunk);
  }

  /**
   * The first bytes without a leading byte order mark (read without a warning: it is not damage),
   * or undefined while too few have come to tell.
   */
  private withoutByteOrderMark(chunk: Buffer): Buffer | undefined {
    const first = this.bomCheck!.length === 0 ? chunk : Buffer.concat([this.bomCheck!, chunk]);
    if (first.length < BOM.length && BOM.subarray(0, first.length).equals(first)) {
      this.bomCheck = first;
      return undefined;
    }
    this.bomCheck = undefined;
    if (!first.subarray(0, BOM.length).equals(BOM)) return first;
    this.bytesSeen += BOM.length;
    return first.subarray(BOM.length);
  }

  finish(gzip: boolean, bytes: number): TraceSummary {
    // An input of one or two bytes that began like a byte order mark: they are the trace.
    const undecided = this.bomCheck;
    this.bomCheck = undefined;
    if (undecided !== undefined && undecided.length > 0) this.push(undecided);
    this.splitter.end();
    if (this.parser === undefined) this.choose();
    this.parser!.finish();
    this.writer.flush();
    this.reorder.finish();
    const context = this.context!;
    if (this.writer.events === 0) {
      const junk = this.diagnostics.list().find((w) => w.code === 'junk-line' || w.code === 'truncated-line');
      if (junk !== undefined) {
        throw new TraceInputError(
          this.source,
          junk.lines[0],
          `no events: no line is in the ${context.format} format (${junk.message})`,
        );
      }
      const refused = this.diagnostics.list().find((w) => w.code === OUT_OF_RANGE);
      if (refused !== undefined) {
        throw new TraceInputError(
          this.source,
          refused.lines[0],
          `no events: every event had a number out of range (${refused.message})`,
        );
      }
      this.diagnostics.warn('no-events', 'the trace holds no events (did the probes fire? see docs/recording.md)');
    }
    const metadata = Object.fromEntries([...(this.parser!.metadata ?? [])].sort(([a], [b]) => compareText(a, b)));
    return {
      ...context,
      gzip,
      bytes,
      lines: this.splitter.lines,
      events: this.writer.events,
      warnings: this.diagnostics.list(),
      metadata,
    };
  }

  private onLine(bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd): void {
    if (this.fastParser !== undefined) {
      // The hot path: a plain line goes straight to the parser; anything it rejects is looked at closer.
      if ((start !== end || this.format!.rawLines) && !this.ansiSeen) {
        // Rejected lines are not handed to the parser a second time (by readLine): what it
        // reported reading one, such as bytes that are not UTF-8, would count twice.
        if (!this.fastParser.line(bytes, start, end, lineNo, ending))
          this.rejected(bytes, start, end, lineNo, ending !== LineEnd.None);
        return;
      }
      this.readLine(bytes, start, end, lineNo, ending);
      return;
    }
    if (this.parser === undefined) {
      this.addToHead(bytes, start, end, lineNo, ending);
      return;
    }
    this.readLine(bytes, start, end, lineNo, ending);
  }

  /** Keeps a line of the head (bounded: see HEAD_BYTES) and detects the format once it is full. */
  private addToHead(bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd): void {
    const text = bytes.toString('utf8', start, end);
    const blank = text.trim() === '';
    if (blank && this.head.length === 0) return;
    this.head.push({ bytes: Buffer.from(bytes.subarray(start, end)), text, lineNo, ending });
    this.headBytes += end - start + HEAD_LINE_COST;
    if (!blank && bytes[start] !== HASH) this.headContentLines++;
    if (this.headContentLines >= HEAD_LINES || this.headBytes >= HEAD_BYTES) this.choose();
  }

  /**
   * Counts, in the first 256 KiB, the bytes text does not have (NUL, other control characters
   * but tab, CR, LF and ESC), whatever the read size.
   */
  private countBinaryBytes(head: Buffer): void {
    for (let i = 0; i < head.length; i++) {
      const c = head[i];
      if (c >= 32 || c === 9 || c === 10 || c === 13 || c === 27) continue;
      if (c === 0) {
        if (this.nulBytes++ === 0)
          this.firstNul = { offset: this.bytesSeen + i, line: this.splitter.lines + lineOf(head, i) };
      }
      this.controlBytes++;
    }
  }

  /**
   * A binary file is refused before any parsing. A stray NUL in a text trace is not enough: that
   * is a damaged line (skipped as junk); NULs in more than 1% of the head, or other control bytes
   * in more than 10%, are.
   */
  private refuseBinary(): void {
    const counted = Math.min(this.bytesSeen, BINARY_CHECK_BYTES);
    if (this.nulBytes * 100 <= counted && this.controlBytes * 10 <= counted) return;
    const where =
      this.firstNul === undefined
        ? `${this.controlBytes} control bytes in the first ${counted}`
        : `a NUL byte at offset ${this.firstNul.offset}`;
    throw new TraceInputError(
      this.source,
      this.firstNul?.line ?? 1,
      `binary data (${where}), not a text trace; expected one of: ${formatNames(this.formats).join(', ')}`,
    );
  }

  /** Picks the format from the head, then replays the head into its parser. */
  private choose(): void {
    this.refuseBinary();
    const head = this.head.map((line) => (line.text.includes('\x1b') ? stripAnsi(line.text) : line.text));
    const replay = this.head;
    if (head.every((line) => line.trim() === ''))
      throw new TraceInputError(this.source, undefined, 'empty trace: no lines to read');
    let format: TraceFormat | undefined;
    if (this.options.format !== undefined) {
      format = findFormat(this.options.format, this.formats);
      if (format === undefined)
        throw new TraceInputError(
          this.source,
          undefined,
          `unknown format "${this.options.format}"; known formats: ${formatNames(this.formats).join(', ')}`,
        );
      this.literalNewlines = format.detect(head) === 'no' && format.detect(splitLiteralNewlines(head)) !== 'no';
    } else {
      format = detectFormat(head, this.formats);
      if (format === undefined && head.some((line) => line.includes(LITERAL_NEWLINE))) {
        // The docs' first SystemTap script prints "\\n": a literal backslash-n between records.
        format = detectFormat(splitLiteralNewlines(head), this.formats);
        this.literalNewlines = format !== undefined;
      }
      if (format === undefined) {
        const first = this.head.find((line) => line.text.trim() !== '')!;
        throw new TraceInputError(
          this.source,
          first.lineNo,
          `not a trace format pyflame reads (tried: ${formatNames(this.formats).join(', ')}); this line fits none of them: ${excerpt(first.text)}`,
        );
      }
    }
    this.format = format;
    this.reorder.warnReordering = format.estimatedClock !== true;
    this.parser = format.createParser(this.writer, this.diagnostics);
    if (!this.literalNewlines) {
      this.fastParser = this.parser;
      const lines = this.parser.lines?.bind(this.parser);
      const reject = (bytes: Buffer, start: number, end: number, lineNo: number) =>
        this.rejected(bytes, start, end, lineNo, true);
      if (lines !== undefined && !this.ansiSeen)
        this.splitter.onLines = (bytes, start, end, firstLineNo) => lines(bytes, start, end, firstLineNo, reject);
    }
    this.context = {
      source: this.source,
      format: format.name,
      frames: this.frames,
      time: this.writer.time,
      cost: this.statedCost(),
    };
    this.head = [];
    for (const line of replay) this.readLine(line.bytes, 0, line.bytes.length, line.lineNo, line.ending);
  }

  /** The head's `# pyflame-cost` line (written right after the header), if any and readable. */
  private statedCost(): RecordingCost | undefined {
    const line = this.head.find((candidate) => isCostLine(candidate.text));
    if (line === undefined) return undefined;
    const cost = parseCostLine(line.text, headerFields(line.text));
    if (typeof cost === 'string') {
      this.diagnostics.warn(
        'bad-cost-line',
        `the recording's cost line cannot be read (${cost}); times are as recorded`,
        line.lineNo,
      );
      return undefined;
    }
    return cost;
  }

  private readLine(bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd): void {
    if (start === end && !this.format!.rawLines) return;
    if (this.ansiSeen && hasByte(bytes, ESC, start, end)) {
      bytes = Buffer.from(stripAnsi(bytes.toString('latin1', start, end)), 'latin1');
      start = 0;
      end = bytes.length;
      if (!this.format!.ansiExpected)
        this.diagnostics.warn('ansi-escapes', 'terminal escape sequences (colours) were removed', lineNo);
      if (start === end && !this.format!.rawLines) return;
    }
    if (this.literalNewlines) {
      const text = bytes.toString('latin1', start, end);
      if (text.includes(LITERAL_NEWLINE)) {
        const pieces = text.split(LITERAL_NEWLINE);
        const records = pieces.filter((piece) => piece.length > 0).length;
        this.diagnostics.warn(
          'literal-newlines',
          'records joined by a literal "\\n" (the docs\' stap script prints "\\\\n") were split into lines',
          lineNo,
          records,
        );
        pieces.forEach((piece, i) => {
          if (piece.length > 0)
            this.parseLine(
              Buffer.from(piece, 'latin1'),
              0,
              piece.length,
              lineNo,
              i < pieces.length - 1 ? LineEnd.LF : ending,
            );
        });
        return;
      }
    }
    this.parseLine(bytes, start, end, lineNo, ending);
  }

  private parseLine(bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd): void {
    if (this.parser!.line(bytes, start, end, lineNo, ending)) return;
    this.rejected(bytes, start, end, lineNo, ending !== LineEnd.None);
  }

  /** A line the parser did not take: a tracer's notice, blank, cut short, or junk. */
  private rejected(bytes: Buffer, start: number, end: number, lineNo: number, terminated: boolean): void {
    const line = bytes.toString('utf8', start, end);
    if (line.trim() === '') return;
    if (readTracerNotice(line, lineNo, this.writer)) return;
    if (!terminated) {
      this.diagnostics.warn(
        'truncated-line',
        `the last line is cut short (no newline) and was skipped: ${excerpt(line)}`,
        lineNo,
      );
    } else {
      this.diagnostics.warn(
        'junk-line',
        `lines that are not ${this.format!.name} events were skipped, the first: ${excerpt(line)}`,
        lineNo,
      );
    }
  }
}

const ESC = 0x1b;

function splitLiteralNewlines(head: readonly string[]): string[] {
  return head.flatMap((line) => line.split(LITERAL_NEWLINE));
}

function hasByte(bytes: Buffer, code: number, start: number, end: number): boolean {
  const at = bytes.indexOf(code, start);
  return at !== -1 && at < end;
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    const c = bytes[i];
    if (c === 10 || (c === 13 && bytes[i + 1] !== 10)) line++;
  }
  return line;
}

/** A short, quoted, printable excerpt of an input line for messages. */
export function excerpt(line: string): string {
  const cut = line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
  return JSON.stringify(cut);
}
