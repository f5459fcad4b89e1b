import { wasmModule } from '../io/wasm-module.js';
import { NO_REF } from '../model/event-batch.js';
import type { EventWriter } from './event-writer.js';
import type { RejectedLine } from './trace-format.js';

/** The formats the WebAssembly loop reads (src/wasm/fast-lines.ts). */
export const FastFormat = { Pyflame: 0, Dtrace: 1, Stap: 2 } as const;
export type FastFormat = (typeof FastFormat)[keyof typeof FastFormat];

const STOP_FULL = 1;
const STOP_LINE = 2;
const NEWLINE = 10;
const CR = 13;
/** Events one run of the loop writes at most (a batch holds as many). */
const RUN_EVENTS = 65536;

interface FastLinesExports {
  memory: WebAssembly.Memory;
  inputAt(bytes: number): number;
  setCapacity(events: number): void;
  kindAt(): number;
  tsAt(): number;
  pidAt(): number;
  tidAt(): number;
  frameAt(): number;
  lineAt(): number;
  valueAt(): number;
  resultAt(): number;
  run(format: number, pos: number, end: number, room: number, base: bigint, lineNo: number): void;
  runStap(pos: number, end: number, room: number, lineNo: number): void;
}

/**
 * What the SystemTap layout needs of its parser: its times are µs on per-thread clocks the parser
 * keeps (for the lines it reads itself too), and its frame keys are `FUNC in FILE:LINE`.
 */
export interface StapClocks {
  /**
   * The frame of the key bytes[keyStart, keyEnd) (`FUNC in FILE:LINE`, function before funcSep,
   * line after lineSep) of an event of thread `tid` printed at `printedUs`; -1, interning nothing,
   * when the parser would refuse the event (line number or time out of range).
   */
  newFrame(
    bytes: Buffer,
    keyStart: number,
    funcSep: number,
    lineSep: number,
    keyEnd: number,
    lineNo: number,
    tid: number,
    printedUs: number,
  ): number;
  /** The event's relative ns, moving the thread's clock; NaN (nothing moved) when refused. */
  clock(tid: number, printedUs: number): number;
}

/** Compiles the loop now rather than at the first trace (a parsing thread waiting for its work). */
export function prepareFastLines(): void {
  wasmModule('fast-lines');
}

/** Is the WebAssembly loop in use? (tests run the parsers both ways) */
export function fastLinesAvailable(): boolean {
  return wasmModule('fast-lines') !== null;
}

/**
 * Runs a parser's runs of whole lines through the WebAssembly loop: the function events it reads
 * are copied into the writer's batch column by column; each line it stops at goes to the parser's
 * own `line` (and, if that rejects it, to `reject`), exactly as the line-by-line path would.
 * One instance per parser: it holds that trace's frame keys.
 */
export class FastLines {
  private readonly exports: FastLinesExports;
  private inputPtr = 0;
  private input: Buffer | undefined;
  private inputStart = 0;
  private writer: EventWriter | undefined;

  private constructor(
    instanceOf: (imports: WebAssembly.Imports) => WebAssembly.Instance,
    private readonly stap: StapClocks | undefined,
  ) {
    const instance = instanceOf({
      env: {
        newFrame: (keyStart: number, funcSep: number, lineSep: number, keyEnd: number, lineNo: number) =>
          this.newFrame(keyStart, funcSep, lineSep, keyEnd, lineNo),
        newStapFrame: (
          keyStart: number,
          funcSep: number,
          lineSep: number,
          keyEnd: number,
          lineNo: number,
          tid: number,
          printedUs: number,
        ) => {
          const offset = this.inputStart;
          return this.stap!.newFrame(
            this.input!,
            offset + keyStart,
            offset + funcSep,
            offset + lineSep,
            offset + keyEnd,
            lineNo,
            tid,
            printedUs,
          );
        },
        stapClock: (tid: number, printedUs: number) => this.stap!.clock(tid, printedUs),
        abort: () => {},
      },
    });
    this.exports = instance.exports as unknown as FastLinesExports;
    this.exports.setCapacity(RUN_EVENTS);
  }

  /**
   * A loop for one parser, or undefined when WebAssembly is not available. A SystemTap parser gives
   * its clocks (FastFormat.Stap reads nothing without them).
   */
  static create(stap?: StapClocks): FastLines | undefined {
    // The compiled loop, or null where it cannot be had (file missing, PYFLAME_WASM=0).
    const compiledModule = wasmModule('fast-lines');
    return compiledModule === null
      ? undefined
      : new FastLines((imports) => new WebAssembly.Instance(compiledModule, imports), stap);
  }

  /** Reads bytes[start, end) (whole lines) for `format`; returns how many lines there were. */
  lines(
    format: FastFormat,
    bytes: Buffer,
    start: number,
    end: number,
    firstLineNo: number,
    writer: EventWriter,
    line: (bytes: Buffer, start: number, end: number, lineNo: number) => boolean,
    reject: RejectedLine,
  ): number {
    if (format === FastFormat.Stap && this.stap === undefined) throw new Error('the SystemTap loop needs its clocks');
    const wasm = this.exports;
    const length = end - start;
    this.inputPtr = wasm.inputAt(length);
    new Uint8Array(wasm.memory.buffer, this.inputPtr, length).set(bytes.subarray(start, end));
    this.input = bytes;
    this.inputStart = start;
    this.writer = writer;
    let pos = 0;
    let lineNo = firstLineNo;
    while (pos < length) {
      if (writer.time.isSet) {
        const batch = writer.currentBatch();
        if (format === FastFormat.Stap) wasm.runStap(pos, length, batch.capacity - batch.length, lineNo);
        else wasm.run(format, pos, length, batch.capacity - batch.length, writer.time.base, lineNo);
        const result = new Float64Array(wasm.memory.buffer, wasm.resultAt(), 4);
        const [stop, reached, events, lines] = result;
        if (events > 0) this.copyEvents(batch, events, writer);
        pos = reached;
        lineNo += lines;
        if (stop === STOP_FULL || pos >= length) continue;
        if (stop !== STOP_LINE) break;
      }
      // One line for the TypeScript parser: one the loop does not read, or the first event that
      // sets the time base.
      const nl = bytes.indexOf(NEWLINE, start + pos);
      const lineStart = start + pos;
      const lineEnd = nl > lineStart && bytes[nl - 1] === CR ? nl - 1 : nl;
      if (lineEnd > lineStart && !line(bytes, lineStart, lineEnd, lineNo)) reject(bytes, lineStart, lineEnd, lineNo);
      pos = nl - start + 1;
      lineNo++;
    }
    this.input = undefined;
    this.writer = undefined;
    return lineNo - firstLineNo;
  }

  private copyEvents(batch: ReturnType<EventWriter['currentBatch']>, events: number, writer: EventWriter): void {
    const wasm = this.exports;
    const memory = wasm.memory.buffer;
    const at = batch.length;
    batch.kind.set(new Uint8Array(memory, wasm.kindAt(), events), at);
    batch.ts.set(new Float64Array(memory, wasm.tsAt(), events), at);
    batch.pid.set(new Float64Array(memory, wasm.pidAt(), events), at);
    batch.tid.set(new Float64Array(memory, wasm.tidAt(), events), at);
    batch.frame.set(new Int32Array(memory, wasm.frameAt(), events), at);
    batch.srcLine.set(new Float64Array(memory, wasm.lineAt(), events), at);
    batch.value.set(new Float64Array(memory, wasm.valueAt(), events), at);
    batch.name.fill(NO_REF, at, at + events);
    batch.length = at + events;
    writer.wroteDirectly(events, batch.ts[at + events - 1]);
  }

  /** Called by the loop for a key it has not seen: interns the frame, from the input's bytes. */
  private newFrame(keyStart: number, funcSep: number, lineSep: number, keyEnd: number, lineNo: number): number {
    const bytes = this.input!;
    const offset = this.inputStart;
    return this.writer!.frameFromKey(
      bytes,
      offset + keyStart,
      offset + funcSep,
      offset + lineSep,
      offset + keyEnd,
      lineNo,
    );
  }
}
