import { TraceInputError } from '../model/diagnostics.js';

/** Longest line accepted: bounds memory on a file with no newlines (binary, minified, corrupt). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * How a line ended. LF, CR LF and a lone CR (old Mac OS, or a file pieced together from several)
 * all end a line; a CR right before an LF belongs to that LF.
 */
export const LineEnd = { None: 0, LF: 1, CRLF: 2, CR: 3 } as const;
export type LineEnd = (typeof LineEnd)[keyof typeof LineEnd];

/** Receives one line as bytes[start, end), without its line end (None: the input's last line had none). */
export type LineHandler = (bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd) => void;

/**
 * Receives a run of whole lines bytes[start, end) (ending just after an LF; line ends are LF or
 * CR LF, never a lone CR) to read in one loop; returns how many lines there were, line numbers
 * continue from `firstLineNo`.
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
  /** The carried line ended with a CR at the end of its chunk: an LF may follow in the next one. */
  private carryEndsWithCR = false;
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
    let pos = this.carryBytes > 0 || this.carryEndsWithCR ? this.finishCarry(chunk) : 0;
    if (pos < 0) return;
    // Nearly every trace has no lone CR: one scan for CR (memchr speed) keeps them on the LF path.
    if (hasLoneCR(chunk, pos)) {
      pos = this.pushWithCRs(chunk, pos);
    } else if (this.onLines !== undefined) {
      pos = this.wholeLines(chunk, pos, this.onLines);
    } else {
      const onLine = this.onLine;
      for (let nl = chunk.indexOf(NEWLINE, pos); nl !== -1; nl = chunk.indexOf(NEWLINE, pos)) {
        const crlf = nl > pos && chunk[nl - 1] === CR;
        onLine(chunk, pos, crlf ? nl - 1 : nl, ++this.lineNo, crlf ? LineEnd.CRLF : LineEnd.LF);
        pos = nl + 1;
        // That line may have settled the format (the end of the head): the rest of the chunk
        // (megabytes, the first one) goes to the fast loop at once rather than line by line.
        if (this.onLines !== undefined) {
          pos = this.wholeLines(chunk, pos, this.onLines);
          break;
        }
      }
    }
    if (pos < chunk.length) this.keep(chunk.subarray(pos));
  }

  /** Hands the whole lines of chunk[pos...] to `onLines`; returns where its unfinished last line starts. */
  private wholeLines(chunk: Buffer, pos: number, onLines: LinesHandler): number {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < pos) return pos;
    this.lineNo += onLines(chunk, pos, last + 1, this.lineNo + 1);
    return last + 1;
  }

  /** End of input: hands on a last line that had no terminator (or a CR with nothing after it). */
  end(): void {
    if (this.carryBytes === 0 && !this.carryEndsWithCR) return;
    const line = Buffer.concat(this.carry);
    const ending = this.carryEndsWithCR ? LineEnd.CR : LineEnd.None;
    this.carry = [];
    this.carryBytes = 0;
    this.carryEndsWithCR = false;
    this.onLine(line, 0, ending === LineEnd.CR ? line.length - 1 : line.length, ++this.lineNo, ending);
  }

  /**
   * Ends the line carried from the previous chunk with the first line end of `chunk`; returns
   * where the rest of the chunk starts, or -1 when the whole chunk was carried.
   */
  private finishCarry(chunk: Buffer): number {
    if (this.carryEndsWithCR) {
      // The carried line ended at its CR; an LF first in this chunk is the rest of a CR LF.
      if (chunk.length === 0) return -1;
      const crlf = chunk[0] === NEWLINE;
      this.emitCarry(chunk.subarray(0, 0), crlf ? LineEnd.CRLF : LineEnd.CR, true);
      return crlf ? 1 : 0;
    }
    const nl = chunk.indexOf(NEWLINE);
    const cr = chunk.indexOf(CR);
    const at = cr !== -1 && (nl === -1 || cr < nl) ? cr : nl;
    if (at === -1 || (at === cr && at === chunk.length - 1)) {
      this.keep(chunk);
      return -1;
    }
    if (at === nl) {
      this.emitCarry(chunk.subarray(0, nl), LineEnd.LF, false);
      return nl + 1;
    }
    const crlf = chunk[cr + 1] === NEWLINE;
    this.emitCarry(chunk.subarray(0, cr), crlf ? LineEnd.CRLF : LineEnd.CR, false);
    return crlf ? cr + 2 : cr + 1;
  }

  /** Hands on the carried line plus `tail`; `withCR`: the carry's last byte is the CR that ended it. */
  private emitCarry(tail: Buffer, ending: LineEnd, withCR: boolean): void {
    this.carry.push(tail);
    const line = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    this.carryEndsWithCR = false;
    this.onLine(line, 0, withCR ? line.length - 1 : line.length, ++this.lineNo, ending);
  }

  /** Line by line, for a chunk with a lone CR in it; returns where its unfinished last line starts. */
  private pushWithCRs(chunk: Buffer, pos: number): number {
    const onLine = this.onLine;
    let nl = chunk.indexOf(NEWLINE, pos);
    let cr = chunk.indexOf(CR, pos);
    while (nl !== -1 || cr !== -1) {
      if (cr !== -1 && (nl === -1 || cr < nl)) {
        // A CR last in the chunk is carried: an LF may start the next chunk.
        if (cr === chunk.length - 1) return pos;
        const crlf = chunk[cr + 1] === NEWLINE;
        onLine(chunk, pos, cr, ++this.lineNo, crlf ? LineEnd.CRLF : LineEnd.CR);
        pos = crlf ? cr + 2 : cr + 1;
      } else {
        onLine(chunk, pos, nl, ++this.lineNo, LineEnd.LF);
        pos = nl + 1;
      }
      if (nl !== -1 && nl < pos) nl = chunk.indexOf(NEWLINE, pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(CR, pos);
    }
    return pos;
  }

  private keep(piece: Buffer): void {
    // A copy: the chunk's memory may be reused by the stream.
    this.carry.push(Buffer.from(piece));
    this.carryBytes += piece.length;
    if (piece.length > 0 && piece[piece.length - 1] === CR) {
      // The line ended at that CR, unless it is carried only to see whether an LF follows.
      this.carryEndsWithCR = true;
      this.carryBytes--;
    }
    if (this.carryBytes > MAX_LINE_BYTES) {
      throw new TraceInputError(
        this.source,
        this.lineNo + 1,
        `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB: not a line-oriented text trace`,
      );
    }
  }
}

/** Is there a CR in chunk[pos, end) that is not followed by an LF (a CR last in the chunk is not)? */
function hasLoneCR(chunk: Buffer, pos: number): boolean {
  const last = chunk.length - 1;
  for (let cr = chunk.indexOf(CR, pos); cr !== -1 && cr < last; cr = chunk.indexOf(CR, cr + 2)) {
    if (chunk[cr + 1] !== NEWLINE) return true;
  }
  return false;
}
