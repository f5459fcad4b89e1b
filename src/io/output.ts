import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

/** A text destination written in pieces: a file (atomically) or stdout. */
export interface TextOutput {
  /** Where it goes: a path, or `-` for stdout. */
  readonly path: string;
  write(text: string | Uint8Array): void;
  /** Resolves when buffered text has been taken by the destination (backpressure). */
  drain(): Promise<void>;
  /** Finishes: a file appears under its name only now, whole. */
  commit(): Promise<void>;
  /** Gives up: nothing is left behind. */
  abort(): Promise<void>;
}

/** Temporary files not yet committed, removed if the process is interrupted. */
const pendingTemps = new Set<string>();

/** Paths of temporary files still open (for an interrupt handler to remove). */
export function pendingTemporaryFiles(): string[] {
  return [...pendingTemps];
}

/**
 * Opens `path` for writing. A file is written to a temporary name beside it and renamed over the
 * target on commit, so no reader ever sees a half-written artefact and a failed run leaves none.
 * `-` writes to stdout.
 */
export async function openOutput(path: string, stdout: NodeJS.WritableStream = process.stdout): Promise<TextOutput> {
  if (path === '-') {
    // stdout is not closed here, but what was written must have gone through (a full disk, a
    // closed pipe): the last write's callback reports it.
    const flushed = () => new Promise<void>((resolve, reject) => stdout.write('', (error?: Error | null) => (error ? reject(error) : resolve())));
    return streamOutput('-', stdout, flushed, async () => {});
  }
  await ensureDirectory(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  pendingTemps.add(temp);
  const stream = createWriteStream(temp);
  await once(stream, 'open');
  return streamOutput(
    path,
    stream,
    async () => {
      await finish(stream);
      await rename(temp, path);
      pendingTemps.delete(temp);
    },
    async () => {
      stream.destroy();
      await unlink(temp).catch(() => {});
      pendingTemps.delete(temp);
    },
  );
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

function streamOutput(path: string, stream: NodeJS.WritableStream, commit: () => Promise<void>, abort: () => Promise<void>): TextOutput {
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  return {
    path,
    write(text: string | Uint8Array) {
      if (failure) throw failure;
      if (text.length > 0) stream.write(text);
    },
    async drain() {
      if (failure) throw failure;
      if ((stream as WriteStream).writableNeedDrain) await once(stream, 'drain');
    },
    async commit() {
      if (failure) throw failure;
      await commit();
    },
    abort,
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
