import { viewOf } from './encoded-strings.js';

/** Bytes per output chunk: large writes, few system calls, a few MiB in memory. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Output bytes written into large chunks and handed on in pieces. Bytes handed on are never
 * written again (the destination may hold them until its stream gets to them): a full chunk is
 * replaced by a new one, not reused, so memory is what the destination holds plus one chunk.
 */
export class ByteChunks {
  buf: Uint8Array;
  /** A DataView over `buf` (for copies four bytes at a time). */
  view: DataView;
  /** Where the next byte goes. */
  pos = 0;
  /** The first byte not handed on yet. */
  private start = 0;

  constructor(private readonly chunkBytes: number = CHUNK_BYTES) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.view = viewOf(this.buf);
  }

  /** Makes room for `bytes` more after `pos` (handing on what is written when the chunk is full). */
  reserve(bytes: number, write: (bytes: Uint8Array) => void): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush(write);
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, bytes));
    this.view = viewOf(this.buf);
    this.pos = 0;
    this.start = 0;
  }

  /** Hands on the bytes written since the last hand-over. */
  flush(write: (bytes: Uint8Array) => void): void {
    if (this.pos === this.start) return;
    write(this.buf.subarray(this.start, this.pos));
    this.start = this.pos;
  }
}
