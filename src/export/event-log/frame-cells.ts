import type { FrameTable } from '../../model/frame-table.js';
import { MAX_NUMBER_BYTES, writeNumber } from './ascii-numbers.js';
import { viewOf, type EncodedStrings } from './encoded-strings.js';

const COMMA = 44;
/** A frame's cells longer than this are not kept (the writer puts them together per row). */
const MAX_FRAME_CELLS_BYTES = 4096;
/** The most bytes kept for all frames: beyond, later frames are put together per row. */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;

/**
 * Each frame's `file,function,line,` cells, as bytes, kept once per frame id: a row then copies
 * one piece instead of two names and a number. Bounded (MAX_KEPT_BYTES, MAX_FRAME_CELLS_BYTES):
 * a frame not kept has an empty range, and the writer builds its cells from `strings`.
 */
export class FrameCells {
  bytes: Uint8Array = new Uint8Array(1 << 16);
  view: DataView = viewOf(this.bytes);
  /** Frame `id`'s cells are `bytes[starts[id], ends[id])` (empty when not kept). */
  starts: Uint32Array = new Uint32Array(1024);
  ends: Uint32Array = new Uint32Array(1024);
  /** Frames whose cells are made (ids 0 .. count - 1). */
  count = 0;
  private used = 0;

  /** Adds the frames interned since the last call (`strings` must be up to date). */
  update(frames: FrameTable, strings: EncodedStrings): void {
    if (frames.size > this.starts.length) {
      let size = this.starts.length * 2;
      while (size < frames.size) size *= 2;
      this.starts = grownTo(this.starts, size);
      this.ends = grownTo(this.ends, size);
    }
    const offsets = strings.offsets;
    for (let id = this.count; id < frames.size; id++) {
      const file = frames.fileId(id);
      const func = frames.funcId(id);
      const fileBytes = offsets[file + 1] - offsets[file];
      const funcBytes = offsets[func + 1] - offsets[func];
      const most = fileBytes + funcBytes + MAX_NUMBER_BYTES + 3;
      this.starts[id] = this.used;
      this.ends[id] = this.used;
      if (most > MAX_FRAME_CELLS_BYTES || this.used + most > MAX_KEPT_BYTES) continue;
      if (this.used + most > this.bytes.length) {
        const bytes = new Uint8Array(Math.min(MAX_KEPT_BYTES, this.bytes.length * 2));
        bytes.set(this.bytes.subarray(0, this.used));
        this.bytes = bytes;
        this.view = viewOf(bytes);
      }
      const buf = this.bytes;
      buf.set(strings.bytes.subarray(offsets[file], offsets[file + 1]), this.used);
      let pos = this.used + fileBytes;
      buf[pos++] = COMMA;
      buf.set(strings.bytes.subarray(offsets[func], offsets[func + 1]), pos);
      pos += funcBytes;
      buf[pos++] = COMMA;
      pos = writeNumber(buf, pos, frames.line(id));
      buf[pos++] = COMMA;
      this.ends[id] = pos;
      this.used = pos;
    }
    this.count = frames.size;
  }
}

function grownTo(array: Uint32Array, size: number): Uint32Array {
  const copy = new Uint32Array(size);
  copy.set(array);
  return copy;
}
