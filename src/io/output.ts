import { chmodSync, chownSync, createWriteStream, openSync, unlinkSync, type WriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { describeFsError } from './fs-errors.js';
import { descriptorIdentity, OutputPathError, resolveOutputTarget, type OutputTarget } from './output-target.js';

/** A text destination written in pieces: a file (atomically), a device or pipe, or stdout. */
export interface TextOutput {
  /** Where it goes: a path, or `-` for stdout. */
  readonly path: string;
  write(text: string | Uint8Array): void;
  /**
   * Writes and resolves once the destination has taken these bytes (a file's write is done, gzip
   * has read them): the caller may then fill the same buffer again.
   */
  writeAndWait(text: string | Uint8Array): Promise<void>;
  /** Resolves when buffered text has been taken by the destination (backpressure). */
  drain(): Promise<void>;
  /** Finishes: a file appears under its name only now, whole. */
  commit(): Promise<void>;
  /** Gives up: nothing is left behind (what a device or pipe already took stays taken). */
  abort(): Promise<void>;
}

export interface OutputOptions {
  /** Compress with gzip on the way (a `.gz` path). */
  readonly gzip?: boolean;
}

/** An output that could not be written, named by the user's path (never by a temporary name). */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
  readonly code: string;
  constructor(path: string, cause: unknown) {
    super(`cannot write ${path === '-' ? 'stdout' : path}: ${describeFsError(cause)}`);
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  }
}

/** Temporary files not yet committed, removed if the process is interrupted. */
const pendingTemps = new Set<string>();

/** Paths of temporary files still open (for an interrupt handler to remove). */
export function pendingTemporaryFiles(): string[] {
  return [...pendingTemps];
}

/**
 * A temporary file made by other means (a Parquet engine's output, a scratch file): removed on an
 * interrupt like the outputs' own until {@link forgetTemporaryFile}.
 */
export function trackTemporaryFile(path: string): void {
  pendingTemps.add(path);
}

/** Stops tracking a temporary file (renamed into place, or removed). */
export function forgetTemporaryFile(path: string): void {
  pendingTemps.delete(path);
}

/** Removes every temporary output not yet committed (on an interrupt or a crash). */
export function removePendingTemporaryFiles(): void {
  for (const temp of pendingTemps) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
  pendingTemps.clear();
}

/**
 * Opens `path` for writing (see {@link resolveOutputTarget} for how each kind of path is written):
 * a regular file goes to a temporary name beside it (beside a symlink's target) and is renamed over
 * it on commit, so no reader ever sees a half-written artefact and a failed run leaves none; a
 * device, FIFO or pipe is written in place; `-` and the process's own stdout go to `stdout`.
 */
export async function openOutput(
  path: string,
  stdout: NodeJS.WritableStream = process.stdout,
  options: OutputOptions = {},
): Promise<TextOutput> {
  let target: OutputTarget;
  if (path === '-') target = { kind: 'stdout' };
  else {
    try {
      target = resolveOutputTarget(path, stdout === process.stdout ? descriptorIdentity(1) : undefined);
    } catch (error) {
      if (error instanceof OutputPathError) throw error;
      throw new OutputWriteError(path, error);
    }
  }
  if (target.kind === 'stdout') {
    // stdout is not closed here, but what was written must have gone through (a full disk, a
    // closed pipe): the last write's callback reports it.
    const flushed = () =>
      new Promise<void>((resolve, reject) =>
        stdout.write('', (error?: Error | null) => (error ? reject(error) : resolve())),
      );
    return streamOutput(path, stdout, options, flushed, async () => {});
  }
  if (target.kind === 'in-place') {
    if (target.fd !== undefined) {
      // The descriptor is the caller's (a shell's >(...), a pipe it passed): written, never closed.
      const stream = createWriteStream('', { fd: target.fd, autoClose: false });
      const flushed = () =>
        new Promise<void>((resolve, reject) =>
          stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      return streamOutput(path, stream, options, flushed, async () => void stream.destroy());
    }
    const stream = createWriteStream(target.path, { flags: 'w' });
    await opened(stream, path);
    return streamOutput(
      path,
      stream,
      options,
      () => finish(stream),
      async () => void stream.destroy(),
    );
  }
  const file = target.file;
  try {
    await ensureDirectory(dirname(file));
  } catch (error) {
    throw new OutputWriteError(path, error);
  }
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number;
  try {
    // Created synchronously, then registered: an interrupt can never find the temporary file half
    // created (an asynchronous open still in flight would create it after the cleanup ran).
    fd = openSync(temp, 'wx', 0o666);
  } catch (error) {
    throw new OutputWriteError(path, error);
  }
  pendingTemps.add(temp);
  keepOwnerAndMode(temp, target.existing);
  const stream = createWriteStream(temp, { fd });
  const remove = async () => {
    stream.destroy();
    await unlink(temp).catch(() => {});
    pendingTemps.delete(temp);
  };
  return streamOutput(
    path,
    stream,
    options,
    async () => {
      await finish(stream);
      await rename(temp, file);
      pendingTemps.delete(temp);
    },
    remove,
  );
}

/** A replaced file keeps its permissions (and, for root, its owner): the rename makes a new inode. */
function keepOwnerAndMode(temp: string, existing: { mode: number; uid: number; gid: number } | undefined): void {
  if (existing === undefined) return;
  try {
    chmodSync(temp, existing.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(temp, existing.uid, existing.gid);
  } catch {
    // Best effort: the content is what matters.
  }
}

async function opened(stream: WriteStream, path: string): Promise<void> {
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new OutputWriteError(path, error);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns for some paths (under /proc).
 */
async function ensureDirectory(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const parent = dirname(dir);
    if (parent !== dir) await ensureDirectory(parent);
    await mkdir(dir).catch((failure: NodeJS.ErrnoException) => {
      if (failure.code !== 'EEXIST') throw failure;
    });
    return;
  }
  throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
}

/**
 * The writing side shared by every kind of destination: text goes (through gzip, if asked) to
 * `stream`; the first error of either is kept and reported, named by the user's path, by the next
 * call, and a wait for `drain` ends on an error too (a full disk must not hang the run).
 */
function streamOutput(
  path: string,
  stream: NodeJS.WritableStream,
  options: OutputOptions,
  commit: () => Promise<void>,
  abort: () => Promise<void>,
): TextOutput {
  let failure: OutputWriteError | undefined;
  const failed = new Set<() => void>();
  const fail = (error: unknown) => {
    failure ??= error instanceof OutputWriteError ? error : new OutputWriteError(path, error);
    for (const wake of failed) wake();
  };
  stream.on('error', fail);
  const gzip: Gzip | undefined = options.gzip ? createGzip() : undefined;
  if (gzip !== undefined) {
    gzip.on('error', fail);
    gzip.on('data', (chunk: Buffer) => {
      if (failure === undefined) stream.write(chunk);
    });
  }
  const check = () => {
    if (failure) throw failure;
  };
  // Waits until `arm`'s signal calls wake, or a failure does (the signal may then never come);
  // `arm` returns what undoes it.
  const waitUntil = async (arm: (wake: () => void) => () => void) => {
    check();
    await new Promise<void>((resolve) => {
      const wake = () => {
        disarm();
        failed.delete(wake);
        resolve();
      };
      const disarm = arm(wake);
      failed.add(wake);
    });
    check();
  };
  const waitFor = (emitter: NodeJS.EventEmitter, event: string) =>
    waitUntil((wake) => {
      emitter.on(event, wake);
      return () => emitter.off(event, wake);
    });
  const needsDrain = (writable: NodeJS.WritableStream) => (writable as WriteStream).writableNeedDrain === true;
  const drainOnce = async () => {
    check();
    if (gzip !== undefined && needsDrain(gzip)) await waitFor(gzip, 'drain');
    if (needsDrain(stream)) await waitFor(stream, 'drain');
  };
  let draining: Promise<void> | undefined;
  return {
    path,
    write(text: string | Uint8Array) {
      check();
      if (text.length === 0) return;
      if (gzip !== undefined) gzip.write(text);
      else stream.write(text);
    },
    async writeAndWait(text: string | Uint8Array) {
      check();
      if (text.length === 0) return;
      const target = gzip ?? stream;
      // The write's callback comes after the write (never during this call).
      await waitUntil((wake) => {
        target.write(text, (error?: Error | null) => {
          if (error) fail(error);
          wake();
        });
        return () => {};
      });
      // Through gzip, the file's own backpressure too.
      if (gzip !== undefined && needsDrain(stream)) await waitFor(stream, 'drain');
    },
    drain() {
      // Callers may wait at once (a parsing thread's batches each wait for room): they share one
      // wait, so the stream gets one listener, not one per caller (Node warns past ten).
      draining ??= drainOnce().finally(() => {
        draining = undefined;
      });
      return draining;
    },
    async commit() {
      check();
      if (gzip !== undefined) {
        const ended = waitFor(gzip, 'end');
        gzip.end();
        await ended;
      }
      try {
        await commit();
      } catch (error) {
        fail(error);
      }
      check();
    },
    async abort() {
      gzip?.destroy();
      await abort();
    },
  };
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
  await new Promise<void>((resolve, reject) => stream.close((error) => (error ? reject(error) : resolve())));
}

/** Writes a whole text atomically. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  const output = await openOutput(path);
  try {
    output.write(text);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
