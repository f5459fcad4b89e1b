import { isCostLine } from '../../model/recording-cost.js';
import { csvTextValue } from '../../model/csv-text.js';
import { createRequire } from 'node:module';
import { TraceInputError, type Diagnostics } from '../../model/diagnostics.js';
import { NO_REF, UNKNOWN_ID } from '../../model/event-batch.js';
import { eventKindFromName, kindHasFrame } from '../../model/event-kind.js';
import { EVENT_LOG_COLUMNS, EVENT_LOG_HEADER } from '../../model/event-log-columns.js';
import { ID_LIMIT, idInRange, LINE_LIMIT, lineInRange, MAX_ID, VALUE_LIMIT, valueInRange } from '../../model/limits.js';
import type { EventWriter } from '../event-writer.js';
import { LineEnd } from '../line-splitter.js';
import type { Detection, LineParser, TraceFormat } from '../trace-format.js';

/** A quoted field spanning more lines than this is a stray quote, not data. */
const MAX_RECORD_LINES = 1000;
/** Records are handed to csv-parse in blocks of about this many chars (a record never splits). */
const BLOCK_CHARS = 1 << 20;
const DIGITS = /^\d+$/;
const INTEGER = /^-?\d+$/;
/** A line end inside a quoted field is data: the text it stands for. */
const ENDING_TEXT: Record<LineEnd, string> = {
  [LineEnd.None]: '\n',
  [LineEnd.LF]: '\n',
  [LineEnd.CRLF]: '\r\n',
  [LineEnd.CR]: '\r',
};

/**
 * Reads the CSV event log written by `pyflame convert --to csv`, so that a log round-trips exactly.
 * Lines are gathered into blocks of whole records (a quoted field may span lines) and each block is
 * parsed by csv-parse; a malformed record is counted as junk with its line number.
 */
class CsvEventLogParser implements LineParser {
  private block: string[] = [];
  /** How each line of the block ended. */
  private endings: LineEnd[] = [];
  private blockChars = 0;
  private blockFirstLine = 0;
  private quotesOpen = false;
  /** Where the record with the open quote starts: its index in the block and its line. */
  private openRecordIndex = 0;
  private openRecordLine = 0;
  private headerSeen = false;
  private column: Record<string, number> = {};

  constructor(
    private readonly writer: EventWriter,
    private readonly diagnostics: Diagnostics,
    private readonly source: string,
  ) {}

  line(bytes: Buffer, start: number, end: number, lineNo: number, ending: LineEnd = LineEnd.LF): boolean {
    // Lines come without their end; a quoted field may hold line ends and blank lines: they are put
    // back when the block is parsed (see joinLines).
    const line = this.writer.decode(bytes, start, end, lineNo);
    if (!this.headerSeen) {
      // The recording's stated cost (convert writes it first) is read from the head by readTrace.
      if (!line.startsWith('ts_ns,')) return line.trim() === '' || isCostLine(line);
      this.headerSeen = true;
      this.readHeader(line.trimEnd(), lineNo);
      return true;
    }
    if (this.block.length === 0) this.blockFirstLine = lineNo;
    this.addToBlock(line, ending, lineNo);
    this.blockChars += line.length + 1;
    if (this.quotesOpen && this.block.length - this.openRecordIndex > MAX_RECORD_LINES) this.dropStrayQuote();
    if (!this.quotesOpen && this.blockChars >= BLOCK_CHARS) this.parseBlock();
    return true;
  }

  /**
   * A quote opened MAX_RECORD_LINES lines ago and never closed: no name pyflame writes spans that
   * many lines, so that line held a stray quote. It is skipped as junk and the lines after it are
   * read again as records of their own (bounding memory, and losing one line, not the file).
   */
  private dropStrayQuote(): void {
    this.diagnostics.warn('junk-line', 'a CSV line with an unbalanced quote was skipped', this.openRecordLine);
    const after = this.block.splice(this.openRecordIndex);
    const endings = this.endings.splice(this.openRecordIndex);
    after.shift();
    endings.shift();
    this.quotesOpen = false;
    let lineNo = this.openRecordLine;
    after.forEach((line, i) => this.addToBlock(line, endings[i], ++lineNo));
  }

  /** Appends a line to the block, following whether a quoted field is open. */
  private addToBlock(line: string, ending: LineEnd, lineNo: number): void {
    if (countQuotes(line) % 2 === 1) {
      this.quotesOpen = !this.quotesOpen;
      if (this.quotesOpen) {
        this.openRecordIndex = this.block.length;
        this.openRecordLine = lineNo;
      }
    }
    this.block.push(line);
    this.endings.push(ending);
  }

  finish(): void {
    if (this.quotesOpen) {
      this.diagnostics.warn(
        'truncated-line',
        'the last CSV record has an unclosed quote (file cut short?); it was skipped',
        this.openRecordLine,
      );
      this.block.length = this.openRecordIndex;
      this.endings.length = this.openRecordIndex;
      this.quotesOpen = false;
    }
    this.parseBlock();
  }

  private readHeader(line: string, lineNo: number): void {
    const names = line.split(',').map((name) => name.trim());
    names.forEach((name, index) => (this.column[name] = index));
    const missing = ['ts_ns', 'event'].filter((required) => this.column[required] === undefined);
    if (missing.length > 0)
      throw new TraceInputError(
        this.source,
        lineNo,
        `the CSV header has no ${missing.map((m) => `"${m}"`).join(' or ')} column (expected ${EVENT_LOG_HEADER})`,
      );
  }

  private parseBlock(): void {
    if (this.block.length === 0) return;
    const lines = this.block;
    const endings = this.endings;
    const firstLine = this.blockFirstLine;
    this.block = [];
    this.endings = [];
    this.blockChars = 0;
    this.quotesOpen = false;
    const rows = parseRecords(joinLines(lines, endings, 0, lines.length));
    if (rows !== undefined) {
      for (const { record, info } of rows) this.readRecord(record, firstLine + info.lines - 1);
      return;
    }
    // A malformed record throws csv-parse off for the records after it too: read this block
    // record by record (records are whole lines with balanced quotes) to skip just the bad ones.
    let open = false;
    let recordStart = 0;
    for (let i = 0; i < lines.length; i++) {
      if (countQuotes(lines[i]) % 2 === 1) open = !open;
      if (open) continue;
      const lineNo = firstLine + recordStart;
      const records = parseRecords(joinLines(lines, endings, recordStart, i + 1));
      if (records === undefined)
        this.diagnostics.warn('junk-line', 'malformed CSV record (bad quoting) skipped', lineNo);
      else for (const { record } of records) this.readRecord(record, lineNo);
      recordStart = i + 1;
    }
  }

  private readRecord(record: string[], lineNo: number): void {
    const field = (name: string): string => record[this.column[name]] ?? '';
    const ts = field('ts_ns');
    const kind = eventKindFromName(field('event'));
    const pid = field('pid');
    const tid = field('tid');
    const line = field('line');
    const value = field('value');
    const sourceLine = field('source_line');
    const bad =
      kind === undefined ||
      !DIGITS.test(ts) ||
      (pid !== '' && !DIGITS.test(pid)) ||
      (tid !== '' && !DIGITS.test(tid)) ||
      (value !== '' && !Number.isFinite(Number(value))) ||
      (sourceLine !== '' && !DIGITS.test(sourceLine)) ||
      (kind !== undefined && kindHasFrame(kind) && !INTEGER.test(line));
    if (bad) {
      this.diagnostics.warn(
        'junk-line',
        `CSV row is not an event of the pyflame event log (${EVENT_LOG_HEADER}); skipped`,
        lineNo,
      );
      return;
    }
    const writer = this.writer;
    // Numbers past what the log holds exactly are refused, before anything is interned.
    const range = outOfRange(pid, tid, kindHasFrame(kind) ? line : '', value, sourceLine);
    if (range !== undefined) {
      writer.outOfRange(range.what, range.text, range.limit, lineNo);
      return;
    }
    const time = writer.time.fromDecimalString(ts);
    if (time !== time) {
      writer.timestampOutOfRange(ts, lineNo);
      return;
    }
    // Names are written with a leading ' when they would start a spreadsheet formula.
    const frame = kindHasFrame(kind)
      ? writer.frame(csvTextValue(field('file')), csvTextValue(field('function')), Number(line), lineNo)
      : NO_REF;
    const nameText = csvTextValue(field('name'));
    writer.emit(
      kind,
      time,
      pid === '' ? UNKNOWN_ID : Number(pid),
      tid === '' ? UNKNOWN_ID : Number(tid),
      frame,
      value === '' ? 0 : Number(value),
      nameText === '' ? NO_REF : writer.name(nameText, lineNo),
      sourceLine === '' ? lineNo : Number(sourceLine),
    );
  }
}

/** The first field (of those checked: digits, or an integer for `line`) out of range, if any. */
function outOfRange(
  pid: string,
  tid: string,
  line: string,
  value: string,
  sourceLine: string,
): { what: string; text: string; limit: string } | undefined {
  if (pid !== '' && !idInRange(Number(pid))) return { what: 'pid', text: pid, limit: ID_LIMIT };
  if (tid !== '' && !idInRange(Number(tid))) return { what: 'tid', text: tid, limit: ID_LIMIT };
  if (line !== '' && !lineInRange(Number(line))) return { what: 'line number', text: line, limit: LINE_LIMIT };
  if (value !== '' && !valueInRange(Number(value))) return { what: 'value', text: value, limit: VALUE_LIMIT };
  if (sourceLine !== '' && Number(sourceLine) > MAX_ID)
    return { what: 'source_line', text: sourceLine, limit: ID_LIMIT };
  return undefined;
}

/**
 * The text of lines[from, to), whole records: each line ends with LF, or where a quoted field goes
 * on to the next line, with the line end it had (CR LF, or CR: data in the field).
 */
function joinLines(lines: readonly string[], endings: readonly LineEnd[], from: number, to: number): string {
  const parts: string[] = [];
  let open = false;
  for (let i = from; i < to; i++) {
    const line = lines[i];
    if (countQuotes(line) % 2 === 1) open = !open;
    parts.push(line, open ? ENDING_TEXT[endings[i]] : '\n');
  }
  return parts.join('');
}

type CsvParse = (input: string, options: import('csv-parse/sync').Options) => unknown;
let csvParse: CsvParse | undefined;

/**
 * csv-parse, loaded when a CSV log is first read rather than at every start of pyflame (the
 * format registry imports this module for its detector; most traces are not CSV).
 */
function parse(input: string, options: import('csv-parse/sync').Options): unknown {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: CsvParse }).parse;
  return csvParse(input, options);
}

/** The records of a CSV text with their line numbers, or undefined if any record is malformed. */
function parseRecords(text: string): Array<{ record: string[]; info: { lines: number } }> | undefined {
  let malformed = false;
  const rows = parse(text, {
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: () => {
      malformed = true;
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  return malformed ? undefined : rows;
}

function countQuotes(line: string): number {
  let count = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) count++;
  return count;
}

export const csvEventLogFormat: TraceFormat = {
  name: 'csv',
  description: `pyflame's CSV event log (${EVENT_LOG_COLUMNS.join(', ')}), as written by pyflame convert --to csv`,
  detect(head: readonly string[]): Detection {
    // `#` lines are no part of the format: they are skipped (as junk) before the header.
    const first = head.find((line) => line.trim() !== '' && !line.startsWith('#'));
    return first?.startsWith('ts_ns,pid,tid,event') ? 'yes' : 'no';
  },
  rawLines: true,
  createParser: (writer: EventWriter, diagnostics: Diagnostics) =>
    new CsvEventLogParser(writer, diagnostics, writer.source),
};
