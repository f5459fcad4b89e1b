import { StringTable } from './string-table.js';

/** One code location as the probes report it. */
export interface Frame {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

/**
 * Interned frames: each distinct (file, function, line) gets an integer id.
 *
 * CPython reports a call's entry and its return with different line numbers (the def line vs the
 * line that returned), so each frame also carries `fn`, the id of its (file, function) pair,
 * on which entries and returns are paired.
 */
export class FrameTable {
  readonly strings: StringTable;
  private readonly fileIds: number[] = [];
  private readonly funcIds: number[] = [];
  private readonly lines: number[] = [];
  private readonly fnIds: number[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly fnByKey = new Map<string, number>();

  constructor(strings: StringTable = new StringTable()) {
    this.strings = strings;
  }

  /** The id of (file, func, line), adding it when new. */
  intern(file: string, func: string, line: number): number {
    const key = `${file}\0${func}\0${line}`;
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.lines.length;
      const fileId = this.strings.intern(file);
      const funcId = this.strings.intern(func);
      this.fileIds.push(fileId);
      this.funcIds.push(funcId);
      this.lines.push(line);
      const fnKey = `${fileId}:${funcId}`;
      let fn = this.fnByKey.get(fnKey);
      if (fn === undefined) {
        fn = this.fnByKey.size;
        this.fnByKey.set(fnKey, fn);
      }
      this.fnIds.push(fn);
      this.byKey.set(key, id);
    }
    return id;
  }

  get size(): number {
    return this.lines.length;
  }

  /** How many distinct (file, function) pairs there are. */
  get functionCount(): number {
    return this.fnByKey.size;
  }

  /** The string id (in `strings`) of the frame's file name. */
  fileId(id: number): number {
    return this.fileIds[id];
  }

  /** The string id (in `strings`) of the frame's function name. */
  funcId(id: number): number {
    return this.funcIds[id];
  }

  file(id: number): string {
    return this.strings.get(this.fileIds[id]);
  }

  func(id: number): string {
    return this.strings.get(this.funcIds[id]);
  }

  line(id: number): number {
    return this.lines[id];
  }

  /** The id of the frame's (file, function) pair. */
  fn(id: number): number {
    return this.fnIds[id];
  }

  get(id: number): Frame {
    if (id < 0 || id >= this.lines.length) throw new RangeError(`no frame with id ${id}`);
    return { file: this.file(id), func: this.func(id), line: this.lines[id] };
  }
}
