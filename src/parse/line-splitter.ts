import { TraceInputError } from '../model/diagnostics.js';

/** Longest line accepted: bounds memory on a file with no newlines (binary, minified, corrupt). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Receives one line as bytes[start, end), without "\n" or "\r\n". */
export type LineHandler = (bytes: Buffer, start: number, end: number, lineNo: number, terminated: boolean) => void;

/**
 * Receives a run of whole lines bytes[start, end) (ending just after a newline) to read in one
 * loop; returns nothing, line numbers continue from `firstLineNo`.
 */
export type LinesHandler = (bytes: Buffer, start: number, end: number, firstLineNo: number) => number;

const NEWLINE = 10;
const CR = 13;

/**
 * Cuts a stream of byte chunks into lines without copying them: each line is handed on as a
 * range of its chunk. Only a line that straddles two chunks is copied into a buffer of its own.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private lineNo = 0;

  /** When set, runs of whole lines go to it instead of line by line. */
  onLines: LinesHandler | undefined;

  constructor(
    private readonly source: string,
    private readonly onLine: LineHandler,
  ) {}

  /** Lines handed on so far. */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carryBytes > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.keep(chunk);
        return;
      }
      this.carry.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.emit(line, 0, line.length, true);
      pos = nl + 1;
    }
    const onLines = this.onLines;
    if (onLines !== undefined) {
      const last = chunk.lastIndexOf(NEWLINE);
      if (last >= pos) {
        this.lineNo += onLines(chunk, pos, last + 1, this.lineNo + 1);
        pos = last + 1;
      }
      if (pos < chunk.length) this.keep(chunk.subarray(pos));
      return;
    }
    const onLine = this.onLine;
    for (let nl = chunk.indexOf(NEWLINE, pos); nl !== -1; nl = chunk.indexOf(NEWLINE, pos)) {
      const end = nl > pos && chunk[nl - 1] === CR ? nl - 1 : nl;
      onLine(chunk, pos, end, ++this.lineNo, true);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.keep(chunk.subarray(pos));
  }

  /** End of input: hands on a last line that had no terminator. */
  end(): void {
    if (this.carryBytes === 0) return;
    const line = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    this.emit(line, 0, line.length, false);
  }

  private keep(piece: Buffer): void {
    // A copy: the chunk's memory may be reused by the stream.
    this.carry.push(Buffer.from(piece));
    this.carryBytes += piece.length;
    if (this.carryBytes > MAX_LINE_BYTES) {
      throw new TraceInputError(this.source, this.lineNo + 1, `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB: not a line-oriented text trace`);
    }
  }

  private emit(line: Buffer, start: number, end: number, terminated: boolean): void {
    if (end > start && line[end - 1] === CR) end--;
    this.onLine(line, start, end, ++this.lineNo, terminated);
  }
}
