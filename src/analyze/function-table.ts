import type { FrameTable } from '../model/frame-table.js';

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
  private readonly ids = new Map<number, number>();
  private readonly fileIds: number[] = [];
  private readonly nameIds: number[] = [];
  private readonly lines: number[] = [];

  constructor(private readonly frames: FrameTable) {}

  /** The function of frame `frame`'s (file, name) at identity line `line`. */
  intern(frame: number, line: number): number {
    // (file, function) pair id and line fit one exact double key.
    const key = this.frames.fn(frame) * 4_294_967_296 + (line + 2_147_483_648);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.lines.length;
      this.ids.set(key, id);
      this.fileIds.push(this.frames.fileId(frame));
      this.nameIds.push(this.frames.funcId(frame));
      this.lines.push(line);
    }
    return id;
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
    return this.lines[id];
  }

  get(id: number): FunctionInfo {
    return { file: this.file(id), name: this.name(id), line: this.lines[id] };
  }
}
