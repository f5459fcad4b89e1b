import type { FrameTable } from '../model/frame-table.js';
import { Int32List } from './growable.js';
import { IntPairMap } from './int-pair-map.js';

const LINE_OFFSET = 1 << 30;

/** A Python function as pyflame identifies it: (file, function, identity line). */
export interface FunctionInfo {
  readonly file: string;
  readonly name: string;
  readonly line: number;
}

/**
 * Interns function identities. A function is (file, name, identity line), where the identity line
 * is its def line (CPython's entry line), the same for every resume of a generator.
 */
export class FunctionTable {
  /** (file, function) pair and identity line (+ LINE_OFFSET) -> function. */
  private readonly ids = new IntPairMap();
  /** Frame -> the function at the frame's own line, + 1 (0: not interned yet). */
  private readonly byFrame = new Int32List(1024);
  private readonly fileIds: number[] = [];
  private readonly nameIds: number[] = [];
  private readonly lines: number[] = [];
  /** Functions seen entered as a new call (at their def line), by (file, function) pair. */
  private readonly enteredByPair = new Map<number, number[]>();
  private readonly entered: boolean[] = [];

  /**
   * Functions named by a line that may not be their def line: calls found running when the trace
   * began, named by their return or first line because no call of theirs had been entered yet.
   * By function, the frame that named them.
   */
  private readonly provisional = new Map<number, number>();
  /** What a provisional function turned out to be (resolveProvisional), by function. */
  private readonly aliasOf: (number | undefined)[] = [];

  constructor(private readonly frames: FrameTable) {}

  /** The function of frame `frame` itself (its own line is the identity line). */
  ofFrame(frame: number): number {
    const byFrame = this.byFrame;
    while (byFrame.length <= frame) byFrame.push(0);
    const known = byFrame.get(frame);
    if (known > 0) return known - 1;
    const id = this.intern(frame, this.frames.line(frame));
    byFrame.set(frame, id + 1);
    return id;
  }

  /** The function of frame `frame`'s (file, name) at identity line `line`. */
  intern(frame: number, line: number): number {
    const pair = this.frames.fn(frame);
    // Line numbers can be negative (the probes pass a C int): shifted into the map's range.
    const lineKey = line + LINE_OFFSET;
    let id = this.ids.get(pair, lineKey);
    if (id < 0) {
      id = this.lines.length;
      this.ids.set(pair, lineKey, id);
      this.fileIds.push(this.frames.fileId(frame));
      this.nameIds.push(this.frames.funcId(frame));
      this.lines.push(line);
    }
    return id;
  }

  /** Notes that `fn` was entered at `frame`: a new call when the frame's line is its def line. */
  noteEntered(fn: number, frame: number): void {
    if (this.entered[fn] === true || this.lines[fn] !== this.frames.line(frame)) return;
    this.entered[fn] = true;
    const pair = this.frames.fn(frame);
    const list = this.enteredByPair.get(pair);
    if (list === undefined) this.enteredByPair.set(pair, [fn]);
    else list.push(fn);
  }

  /**
   * The function of frame's (file, name) entered before whose def line is the nearest at or above
   * the frame's line (the function a return at that line most likely leaves), if any.
   */
  enteredAbove(frame: number): number | undefined {
    const candidates = this.enteredByPair.get(this.frames.fn(frame));
    if (candidates === undefined) return undefined;
    const line = this.frames.line(frame);
    let best: number | undefined;
    for (const fn of candidates) {
      if (this.lines[fn] <= line && (best === undefined || this.lines[fn] > this.lines[best])) best = fn;
    }
    return best;
  }

  /** Notes that `fn` was named by `frame`'s line only for want of a def line (see `provisional`). */
  noteProvisional(fn: number, frame: number): void {
    if (this.entered[fn] !== true && !this.provisional.has(fn)) this.provisional.set(fn, frame);
  }

  /**
   * At the trace's end, when every def line is known: each provisional function whose (file,
   * name) was entered later at a def line at or above its line is that function. Returns those
   * pairs (provisional -> function); from now on the first reads as the second.
   */
  resolveProvisional(): ReadonlyMap<number, number> {
    const aliases = new Map<number, number>();
    for (const [fn, frame] of this.provisional) {
      // Entered at its own line after all: it is a def line, the name was right.
      if (this.entered[fn] === true) continue;
      const target = this.enteredAbove(frame);
      if (target === undefined || target === fn) continue;
      aliases.set(fn, target);
      this.aliasOf[fn] = target;
    }
    return aliases;
  }

  /** The function `id` stands for: itself, or what a provisional one turned out to be. */
  canonical(id: number): number {
    return this.aliasOf[id] ?? id;
  }

  get size(): number {
    return this.lines.length;
  }

  file(id: number): string {
    return this.frames.strings.get(this.fileIds[id]);
  }

  name(id: number): string {
    return this.frames.strings.get(this.nameIds[id]);
  }

  line(id: number): number {
    return this.lines[this.canonical(id)];
  }

  get(id: number): FunctionInfo {
    return { file: this.file(id), name: this.name(id), line: this.line(id) };
  }
}
