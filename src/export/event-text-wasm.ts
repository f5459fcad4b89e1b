import { wasmModule } from '../io/wasm-module.js';

const STOP_END = 0;
const STOP_FULL = 1;

interface EventTextExports {
  memory: WebAssembly.Memory;
  framesAt(count: number): number;
  eventsAt(count: number): number;
  timesAt(): number;
  outAt(bytes: number): number;
  resultAt(): number;
  format(from: number, to: number, origin: number, first: boolean, limit: number): void;
}

/** What one run of the formatter did. */
export interface EventTextRun {
  /** The bytes written: valid until the next run. */
  readonly text: Uint8Array;
  /** The events read up to (an index into the piece). */
  readonly next: number;
  /** The event at `next` has a time the formatter leaves to JavaScript (not a safe whole number). */
  readonly oddTime: boolean;
}

/**
 * speedscope's evented profile events (`{"type":"O","frame":F,"at":T}`, comma-separated),
 * formatted by WebAssembly (src/wasm/event-text.ts) a piece of a timeline at a time: the same bytes
 * as speedscope.ts's JavaScript loop, several times faster. Unavailable (create() gives undefined)
 * where the module cannot be loaded or PYFLAME_WASM=0 says not to.
 */
export class EventText {
  private readonly wasm: EventTextExports;
  private count = 0;

  private constructor(
    instance: WebAssembly.Instance,
    private readonly limit: number,
  ) {
    this.wasm = instance.exports as unknown as EventTextExports;
    this.wasm.outAt(limit);
  }

  /** A formatter for functions' frame indices `frameOf` (every function of the timeline has one), writing runs of about `limit` bytes. */
  static create(frameOf: Int32Array, limit: number): EventText | undefined {
    const compiledModule = wasmModule('event-text');
    if (compiledModule === null) return undefined;
    const text = new EventText(new WebAssembly.Instance(compiledModule, { env: { abort: () => {} } }), limit);
    const at = text.wasm.framesAt(frameOf.length);
    new Int32Array(text.wasm.memory.buffer, at, frameOf.length).set(frameOf);
    return text;
  }

  /** Takes a piece of a timeline (fn + 1 for an opening, -(fn + 1) for a closing, and times) to format. */
  load(events: Int32Array, at: Float64Array): void {
    const wasm = this.wasm;
    const eventsAt = wasm.eventsAt(events.length);
    new Int32Array(wasm.memory.buffer, eventsAt, events.length).set(events);
    new Float64Array(wasm.memory.buffer, wasm.timesAt(), at.length).set(at);
    this.count = events.length;
  }

  /**
   * Formats the loaded events from `from`, times less `origin`, until about `limit` bytes are
   * written, the piece ends or an event's time must be written by JavaScript. `first`: the event
   * at `from` is its thread's first (no comma before it).
   */
  run(from: number, origin: number, first: boolean): EventTextRun {
    const wasm = this.wasm;
    wasm.format(from, this.count, origin, first, this.limit);
    const [stop, next, bytes] = new Float64Array(wasm.memory.buffer, wasm.resultAt(), 3);
    return {
      text: new Uint8Array(wasm.memory.buffer, wasm.outAt(0), bytes),
      next,
      oddTime: stop !== STOP_END && stop !== STOP_FULL,
    };
  }
}
