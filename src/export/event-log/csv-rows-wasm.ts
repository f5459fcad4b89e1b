import type { EventBatch } from '../../model/event-batch.js';
import { wasmModule } from '../../io/wasm-module.js';
import type { EncodedStrings } from './encoded-strings.js';
import type { FrameCells } from './frame-cells.js';

const STOP_ROW_FOR_JS = 2;

interface CsvRowsExports {
  memory: WebAssembly.Memory;
  reserveRows(count: number): void;
  kindsAt(): number;
  tsAt(): number;
  pidsAt(): number;
  tidsAt(): number;
  frameIdsAt(): number;
  valuesAt(): number;
  namesAt(): number;
  srcLinesAt(): number;
  reserveCells(bytes: number, count: number, usedBytes: number, usedCount: number): void;
  cellBytesAt(): number;
  cellOffsetsAt(): number;
  reserveFrames(bytes: number, count: number, usedBytes: number, usedCount: number): void;
  frameBytesAt(): number;
  frameStartsAt(): number;
  frameEndsAt(): number;
  reserveKinds(bytes: number, count: number): void;
  kindBytesAt(): number;
  kindOffsetsAt(): number;
  kindColumnsAt(): number;
  outAt(bytes: number, rowRoom: number): number;
  resultAt(): number;
  format(from: number, to: number, seconds: number, nanos: number, limit: number): void;
}

/**
 * The most bytes of names' cells, and of frames' cells, copied into the WebAssembly memory: it
 * only grows (doubling, without freeing), so a trace of millions of distinct names would
 * otherwise hold them two or three times over. Past it, rows go to JavaScript.
 */
export const MIRROR_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * How many of the entries up to `count` fit the budget: entry i ends at ends[i + shift] (non-
 * decreasing), from `from` on (those before are mirrored already).
 */
function withinBudget(ends: Uint32Array, from: number, count: number, shift: number, budget: number): number {
  if (count === 0 || ends[count - 1 + shift] <= budget) return count;
  let to = from;
  while (to < count && ends[to + shift] <= budget) to++;
  return to;
}

/** What one run of the formatter did. */
export interface CsvRowsRun {
  /** The bytes written: valid until the next call. */
  readonly text: Uint8Array;
  /** The rows read up to (an index into the batch). */
  readonly next: number;
  /** The row at `next` is one JavaScript writes (an odd number or time, a frame's cells not kept). */
  readonly rowForJs: boolean;
}

/** The event kinds' cells as csv.ts makes them: kind k is bytes[offsets[k], offsets[k + 1]). */
export interface KindCells {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  /** Per kind: 1 when it has a frame (file, function, line), 2 when a value, 3 both. */
  readonly columns: Uint8Array;
}

/**
 * The CSV event log's rows formatted by WebAssembly (src/wasm/csv-rows.ts), a batch at a time:
 * the same bytes as csv.ts's JavaScript loop, several times faster. The names' and frames' cells
 * are the JavaScript writer's (EncodedStrings, FrameCells), mirrored as they grow. Unavailable
 * (create() gives undefined) where the module cannot be loaded or PYFLAME_WASM=0 says not to.
 */
export class CsvRows {
  private readonly wasm: CsvRowsExports;
  private count = 0;
  private cellsSynced = 0;
  private framesSynced = 0;
  private frameBytesSynced = 0;

  private constructor(
    instance: WebAssembly.Instance,
    kinds: KindCells,
    private readonly budget: number,
  ) {
    this.wasm = instance.exports as unknown as CsvRowsExports;
    const wasm = this.wasm;
    wasm.reserveKinds(kinds.bytes.length, kinds.columns.length);
    const buffer = wasm.memory.buffer;
    new Uint8Array(buffer, wasm.kindBytesAt(), kinds.bytes.length).set(kinds.bytes);
    new Uint32Array(buffer, wasm.kindOffsetsAt(), kinds.offsets.length).set(kinds.offsets);
    new Uint8Array(buffer, wasm.kindColumnsAt(), kinds.columns.length).set(kinds.columns);
  }

  /** `mirrorBudgetBytes`: MIRROR_BUDGET_BYTES unless a test makes it small. */
  static create(kinds: KindCells, mirrorBudgetBytes = MIRROR_BUDGET_BYTES): CsvRows | undefined {
    const compiledModule = wasmModule('csv-rows');
    if (compiledModule === null) return undefined;
    const instance = new WebAssembly.Instance(compiledModule, { env: { abort: () => {} } });
    return new CsvRows(instance, kinds, mirrorBudgetBytes);
  }

  /**
   * Takes the names' and frames' cells made since the last call (append-only on both sides), up
   * to the budget for each: a row with a name or frame past it is JavaScript's.
   */
  sync(cells: EncodedStrings, frameCells: FrameCells): void {
    const wasm = this.wasm;
    const from = this.cellsSynced;
    const to = withinBudget(cells.offsets, from, cells.count, 1, this.budget);
    if (to > from || from === 0) {
      const usedBytes = cells.offsets[from];
      const bytes = cells.offsets[to];
      wasm.reserveCells(bytes, to, usedBytes, from);
      const buffer = wasm.memory.buffer;
      new Uint8Array(buffer, wasm.cellBytesAt(), bytes).set(cells.bytes.subarray(usedBytes, bytes), usedBytes);
      // Offsets from the last one synced (the first time, offset 0 too).
      new Uint32Array(buffer, wasm.cellOffsetsAt(), to + 1).set(cells.offsets.subarray(from, to + 1), from);
      this.cellsSynced = to;
    }
    const framesFrom = this.framesSynced;
    const framesTo = withinBudget(frameCells.ends, framesFrom, frameCells.count, 0, this.budget);
    if (framesTo > framesFrom) {
      const usedBytes = this.frameBytesSynced;
      const bytes = frameCells.ends[framesTo - 1];
      wasm.reserveFrames(bytes, framesTo, usedBytes, framesFrom);
      const buffer = wasm.memory.buffer;
      new Uint8Array(buffer, wasm.frameBytesAt(), bytes).set(frameCells.bytes.subarray(usedBytes, bytes), usedBytes);
      new Uint32Array(buffer, wasm.frameStartsAt(), framesTo).set(
        frameCells.starts.subarray(framesFrom, framesTo),
        framesFrom,
      );
      new Uint32Array(buffer, wasm.frameEndsAt(), framesTo).set(
        frameCells.ends.subarray(framesFrom, framesTo),
        framesFrom,
      );
      this.framesSynced = framesTo;
      this.frameBytesSynced = bytes;
    }
  }

  /** Takes a batch's columns to format (its names and frames synced first). */
  load(batch: EventBatch): void {
    const wasm = this.wasm;
    const n = batch.length;
    wasm.reserveRows(n);
    const buffer = wasm.memory.buffer;
    new Uint8Array(buffer, wasm.kindsAt(), n).set(batch.kind.subarray(0, n));
    new Float64Array(buffer, wasm.tsAt(), n).set(batch.ts.subarray(0, n));
    new Float64Array(buffer, wasm.pidsAt(), n).set(batch.pid.subarray(0, n));
    new Float64Array(buffer, wasm.tidsAt(), n).set(batch.tid.subarray(0, n));
    new Int32Array(buffer, wasm.frameIdsAt(), n).set(batch.frame.subarray(0, n));
    new Float64Array(buffer, wasm.valuesAt(), n).set(batch.value.subarray(0, n));
    new Int32Array(buffer, wasm.namesAt(), n).set(batch.name.subarray(0, n));
    new Float64Array(buffer, wasm.srcLinesAt(), n).set(batch.srcLine.subarray(0, n));
    this.count = n;
  }

  /**
   * Formats the loaded rows from `from` at absolute times `seconds` * 10^9 + `nanos` + ts, until
   * about `limit` bytes are written (a row takes at most `rowRoom`), the batch ends, or a row
   * must be written by JavaScript.
   */
  run(from: number, seconds: number, nanos: number, rowRoom: number, limit: number): CsvRowsRun {
    const wasm = this.wasm;
    const outAt = wasm.outAt(limit, rowRoom);
    wasm.format(from, this.count, seconds, nanos, limit);
    const [stop, next, bytes] = new Float64Array(wasm.memory.buffer, wasm.resultAt(), 3);
    return { text: new Uint8Array(wasm.memory.buffer, outAt, bytes), next, rowForJs: stop === STOP_ROW_FOR_JS };
  }
}
