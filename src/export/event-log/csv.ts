import { NO_REF, UNKNOWN_ID, type EventBatch } from '../../model/event-batch.js';
import { EVENT_KIND_NAMES, EventKind, kindHasFrame } from '../../model/event-kind.js';
import { EVENT_LOG_HEADER } from '../../model/event-log-columns.js';
import type { FrameTable } from '../../model/frame-table.js';
import { costLineText } from '../../model/recording-cost.js';
import type { TraceContext } from '../../parse/read-trace.js';
import { csvField, csvTextField, csvTextValue } from '../../model/csv-text.js';
import { MAX_NUMBER_BYTES, writeAbsoluteNs, writeAscii, writeNumber } from './ascii-numbers.js';
import { ByteChunks } from './byte-chunks.js';
import { copyBytes, EncodedStrings, viewOf } from './encoded-strings.js';
import { batchText, type EventLogFormat, type EventLogWriter } from './event-log-format.js';
import { FrameCells } from './frame-cells.js';
import { CsvRows } from './csv-rows-wasm.js';

export { csvField, csvTextField, csvTextValue };

/** The kinds whose `value` column means something (others leave it empty). */
export function kindHasValue(kind: number): boolean {
  return (
    kind === EventKind.GcStart ||
    kind === EventKind.GcDone ||
    kind === EventKind.ImportDone ||
    kind === EventKind.CallCount ||
    kind === EventKind.Dropped ||
    kind === EventKind.OffCpu ||
    kind === EventKind.Unwritten
  );
}

const COMMA = 44;
const NEWLINE = 10;
/** A row's bytes besides its names: six numbers, the event name, nine commas and the newline. */
const ROW_BYTES_BESIDES_NAMES = 6 * MAX_NUMBER_BYTES + 32;

/** Beyond this, room is made for each row by its own size. */
const MAX_ROOM_FOR_ANY_ROW = 64 * 1024;

/** Per kind: its name and a comma, as bytes: kind `k`'s are KIND_CELLS[KIND_CELL_OFFSETS[k], KIND_CELL_OFFSETS[k + 1]). */
const KIND_CELLS = new TextEncoder().encode(EVENT_KIND_NAMES.map((name) => `${name},`).join(''));
const KIND_CELLS_VIEW = viewOf(KIND_CELLS);
const KIND_CELL_OFFSETS = Uint32Array.from({ length: EVENT_KIND_NAMES.length + 1 }, (_, kind) =>
  EVENT_KIND_NAMES.slice(0, kind).reduce((bytes, name) => bytes + name.length + 1, 0),
);
/** Per kind: 1 when it has a frame (file, function, line), 2 when a value, 3 both. */
const KIND_COLUMNS = Uint8Array.from(
  EVENT_KIND_NAMES,
  (_, kind) => (kindHasFrame(kind) ? 1 : 0) | (kindHasValue(kind) ? 2 : 0),
);

/** The kinds' cells for the WebAssembly formatter. */
const KIND_CELLS_FOR_WASM = { bytes: KIND_CELLS, offsets: KIND_CELL_OFFSETS, columns: KIND_COLUMNS };

/** Bytes the WebAssembly formatter writes before they are copied into the output's chunk. */
const WASM_PIECE_BYTES = 1024 * 1024;

/**
 * Writes rows as bytes into large chunks (ByteChunks) rather than a string per row: every name is
 * quoted and encoded once (EncodedStrings), numbers are written as digits in place
 * (ascii-numbers.ts). The bytes are those of the rows joined as text and encoded as UTF-8.
 */
class CsvWriter implements EventLogWriter {
  constructor(private readonly options: CsvWriterOptions = {}) {}

  private readonly cells = new EncodedStrings(csvTextField);
  private readonly frameCells = new FrameCells();
  private chunks: ByteChunks | undefined;
  /** The WebAssembly formatter: made at the first batch it can take (null: unavailable). */
  private rows: CsvRows | null | undefined;

  begin(trace: TraceContext | undefined): string {
    // The recording's stated cost goes along (the CSV reader reads it as the trace's own does).
    const cost = trace?.cost === undefined ? '' : `${costLineText(trace.cost)}\n`;
    return `${cost}${EVENT_LOG_HEADER}\n`;
  }

  batch(batch: EventBatch, trace: TraceContext, write: (bytes: Uint8Array) => void): void;
  batch(batch: EventBatch, trace: TraceContext): string;
  batch(batch: EventBatch, trace: TraceContext, write?: (bytes: Uint8Array) => void): string | undefined {
    return batchText((to) => this.writeBatch(batch, trace, to), write);
  }

  private writeBatch(batch: EventBatch, trace: TraceContext, write: (bytes: Uint8Array) => void): void {
    const { frames, time } = trace;
    const cells = this.cells;
    cells.update(frames.strings);
    this.frameCells.update(frames, cells);
    const out = (this.chunks ??= new ByteChunks());
    // Room for any row (three names at most), or, when some name is huge, for each row as it is.
    const anyRow = ROW_BYTES_BESIDES_NAMES + 3 * cells.longest;
    const base = time.parts;
    // A huge name (each row then gets room by its own size) or no time base yet: JavaScript.
    const rows = anyRow > MAX_ROOM_FOR_ANY_ROW || base === undefined ? undefined : this.wasmRows();
    if (rows === undefined || base === undefined) this.writeRows(batch, trace, 0, batch.length, out, write);
    else this.writeRowsByWasm(rows, batch, trace, base, anyRow, out, write);
    out.flush(write);
  }

  /** The WebAssembly formatter, made once; undefined where it cannot be had (or PYFLAME_WASM=0). */
  private wasmRows(): CsvRows | undefined {
    if (this.rows === undefined) this.rows = CsvRows.create(KIND_CELLS_FOR_WASM, this.options.wasmMirrorBytes) ?? null;
    return this.rows ?? undefined;
  }

  /**
   * Rows by WebAssembly, a piece at a time copied into the chunks; the rows it leaves (an odd
   * number or time, a frame whose cells were not kept) by JavaScript, one at a time.
   */
  private writeRowsByWasm(
    rows: CsvRows,
    batch: EventBatch,
    trace: TraceContext,
    base: readonly [number, number],
    anyRow: number,
    out: ByteChunks,
    write: (bytes: Uint8Array) => void,
  ): void {
    rows.sync(this.cells, this.frameCells);
    rows.load(batch);
    let i = 0;
    while (i < batch.length) {
      const run = rows.run(i, base[0], base[1], anyRow, WASM_PIECE_BYTES);
      const text = run.text;
      if (text.length > 0) {
        out.reserve(text.length, write);
        out.buf.set(text, out.pos);
        out.pos += text.length;
      }
      i = run.next;
      if (run.rowForJs) {
        this.writeRows(batch, trace, i, i + 1, out, write);
        i++;
      }
    }
  }

  /** Rows [from, to) of `batch` by JavaScript (names and frames' cells up to date). */
  private writeRows(
    batch: EventBatch,
    trace: TraceContext,
    from: number,
    to: number,
    out: ByteChunks,
    write: (bytes: Uint8Array) => void,
  ): void {
    const { frames, time } = trace;
    const cells = this.cells;
    const bytes = cells.bytes;
    const bytesView = cells.view;
    const offsets = cells.offsets;
    const { bytes: frameBytes, view: frameView, starts: frameStarts, ends: frameEnds } = this.frameCells;
    const base = time.parts;
    const baseSeconds = base?.[0] ?? 0;
    const baseNanos = base?.[1] ?? 0;
    const anyRow = ROW_BYTES_BESIDES_NAMES + 3 * cells.longest;
    const exact = anyRow > MAX_ROOM_FOR_ANY_ROW;
    const { kind: kinds, ts, pid, tid, frame: frameIds, value, name: names, srcLine } = batch;
    let buf = out.buf;
    let view = out.view;
    let pos = out.pos;
    for (let i = from; i < to; i++) {
      const rowBytes = exact ? rowBytesOf(batch, i, frames, offsets) : anyRow;
      if (pos + rowBytes > buf.length) {
        out.pos = pos;
        out.reserve(rowBytes, write);
        buf = out.buf;
        view = out.view;
        pos = out.pos;
      }
      const kind = kinds[i];
      const columns = KIND_COLUMNS[kind];
      const at = base === undefined ? -1 : writeAbsoluteNs(buf, pos, baseSeconds, baseNanos, ts[i]);
      pos = at < 0 ? writeAscii(buf, pos, time.absolute(ts[i])) : at;
      buf[pos++] = COMMA;
      if (pid[i] !== UNKNOWN_ID) pos = writeNumber(buf, pos, pid[i]);
      buf[pos++] = COMMA;
      if (tid[i] !== UNKNOWN_ID) pos = writeNumber(buf, pos, tid[i]);
      buf[pos++] = COMMA;
      pos = copyBytes(
        KIND_CELLS,
        KIND_CELLS_VIEW,
        KIND_CELL_OFFSETS[kind],
        KIND_CELL_OFFSETS[kind + 1],
        buf,
        view,
        pos,
      );
      const frame = frameIds[i];
      if ((columns & 1) !== 0 && frame !== NO_REF && frameEnds[frame] !== frameStarts[frame]) {
        pos = copyBytes(frameBytes, frameView, frameStarts[frame], frameEnds[frame], buf, view, pos);
      } else if ((columns & 1) !== 0 && frame !== NO_REF) {
        const file = frames.fileId(frame);
        pos = copyBytes(bytes, bytesView, offsets[file], offsets[file + 1], buf, view, pos);
        buf[pos++] = COMMA;
        const func = frames.funcId(frame);
        pos = copyBytes(bytes, bytesView, offsets[func], offsets[func + 1], buf, view, pos);
        buf[pos++] = COMMA;
        pos = writeNumber(buf, pos, frames.line(frame));
        buf[pos++] = COMMA;
      } else {
        buf[pos++] = COMMA;
        buf[pos++] = COMMA;
        buf[pos++] = COMMA;
      }
      if ((columns & 2) !== 0) pos = writeNumber(buf, pos, value[i]);
      buf[pos++] = COMMA;
      const name = names[i];
      if (name !== NO_REF) pos = copyBytes(bytes, bytesView, offsets[name], offsets[name + 1], buf, view, pos);
      buf[pos++] = COMMA;
      pos = writeNumber(buf, pos, srcLine[i]);
      buf[pos++] = NEWLINE;
    }
    out.pos = pos;
  }
}

/** The most bytes event `i` takes as a row (its names' cells as they are). */
function rowBytesOf(batch: EventBatch, i: number, frames: FrameTable, offsets: Uint32Array): number {
  let bytes = ROW_BYTES_BESIDES_NAMES;
  const frame = batch.frame[i];
  if ((KIND_COLUMNS[batch.kind[i]] & 1) !== 0 && frame !== NO_REF) {
    const file = frames.fileId(frame);
    const func = frames.funcId(frame);
    bytes += offsets[file + 1] - offsets[file] + offsets[func + 1] - offsets[func];
  }
  const name = batch.name[i];
  if (name !== NO_REF) bytes += offsets[name + 1] - offsets[name];
  return bytes;
}

export interface CsvWriterOptions {
  /**
   * The most bytes of names' (and of frames') cells the WebAssembly formatter keeps a copy of
   * (default MIRROR_BUDGET_BYTES); rows with later ones are written by JavaScript. For tests.
   */
  readonly wasmMirrorBytes?: number;
}

/** A CSV writer (csvEventLog.create() with options). */
export function createCsvWriter(options: CsvWriterOptions = {}): EventLogWriter {
  return new CsvWriter(options);
}

export const csvEventLog: EventLogFormat = {
  name: 'csv',
  extension: 'csv',
  description: 'one row per event: ' + EVENT_LOG_HEADER,
  create: () => createCsvWriter(),
};
