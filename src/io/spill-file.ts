import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch file for what a large trace's analysis cannot keep in memory (call durations, the
 * call timeline): appended to, read back at any offset. Made in PYFLAME_TMPDIR, else the
 * system's temp folder, and unlinked as soon as it is open, so the system removes it when the
 * descriptor closes, whatever ends the process (an error, Ctrl-C, a kill). Where an open file
 * cannot be unlinked, it is removed by close() or when the process exits.
 */
export class SpillFile {
  private fd: number;
  private path: string | undefined;
  /** Bytes written so far: the next write's offset. */
  size = 0;

  constructor() {
    const dir = process.env.PYFLAME_TMPDIR || tmpdir();
    const path = join(dir, `pyflame-spill-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    this.fd = openSync(path, 'wx+', 0o600);
    try {
      unlinkSync(path);
    } catch {
      this.path = path;
      stillOnDisk.add(path);
    }
    open.add(this);
  }

  /** Appends `bytes`; returns the offset they were written at. */
  append(bytes: Uint8Array): number {
    const at = this.size;
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, at + done);
    this.size += bytes.byteLength;
    spilledBytes += bytes.byteLength;
    return at;
  }

  /** Overwrites bytes already written at `offset` (same length). */
  rewrite(bytes: Uint8Array, offset: number): void {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, offset + done);
  }

  /** Fills `into` with the bytes at `offset`. */
  read(into: Uint8Array, offset: number): void {
    let done = 0;
    while (done < into.byteLength) {
      const got = readSync(this.fd, into, done, into.byteLength - done, offset + done);
      if (got === 0) throw new Error(`pyflame: temporary file ended at ${offset + done} bytes (expected more)`);
      done += got;
    }
  }

  /** Closes (and so removes) the file; idempotent. */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    open.delete(this);
    if (this.path !== undefined) {
      removeQuietly(this.path);
      stillOnDisk.delete(this.path);
    }
  }
}

const open = new Set<SpillFile>();
/** Spill files that could not be unlinked while open (not POSIX), by path. */
const stillOnDisk = new Set<string>();
let spilledBytes = 0;

/** Bytes written to spill files by this process so far (what did not fit in memory). */
export function spilledByteCount(): number {
  return spilledBytes;
}

/** Spill files still open (tests check that none is left after a run). */
export function openSpillFiles(): number {
  return open.size;
}

/** Closes every spill file still open (on an interrupt, a crash, or at exit). */
export function closeSpillFiles(): void {
  for (const file of [...open]) {
    try {
      file.close();
    } catch {
      // The process is ending: the others still get closed.
    }
  }
  for (const path of stillOnDisk) removeQuietly(path);
  stillOnDisk.clear();
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

process.once('exit', closeSpillFiles);
