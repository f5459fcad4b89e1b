import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A named pipe in a private temporary folder; `remove` takes both away. */
export interface NamedPipe {
  readonly path: string;
  remove(): void;
}

/**
 * A named pipe (FIFO) made with mkfifo(1), or undefined where there is none (Windows, a system
 * without coreutils): the caller then goes through a scratch file instead. A FIFO takes no disk
 * space, so it lives in the system's temporary folder, mode 600 inside a folder of mode 700.
 */
export function namedPipe(): NamedPipe | undefined {
  if (process.platform === 'win32') return undefined;
  const folder = mkdtempSync(join(tmpdir(), 'pyflame-parquet-'));
  const path = join(folder, 'events.csv');
  const made = spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
  if (made.status !== 0) {
    rmSync(folder, { recursive: true, force: true });
    return undefined;
  }
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Where the CSV rows go while `reader` (DuckDB) reads them from the other end of the pipe. */
export interface PipeWriter {
  write(bytes: Uint8Array | string): void;
  /** Resolves when the reader has taken what was written; rejects when it stopped reading. */
  drain(): Promise<void>;
  /** Ends the rows: the reader sees the end of its input. */
  end(): Promise<void>;
  /** Gives up: the pipe is closed, the reader sees an early end. */
  abort(): void;
}

/**
 * Opens the writing end of `pipe` once its reader has opened the other (opening a FIFO for
 * writing waits for a reader). `reading` is the reader's work: if it ends first (an error before
 * it opened the pipe), the wait is released and its error thrown.
 */
export async function openPipeWriter(pipe: string, reading: Promise<unknown>): Promise<PipeWriter> {
  const opening = open(pipe, 'w');
  const winner = await Promise.race([
    opening.then((handle) => ({ handle })),
    reading.then(
      () => ({ failure: new Error('the reader finished before reading the events') as unknown }),
      (error: unknown) => ({ failure: error }),
    ),
  ]);
  if (!('handle' in winner)) {
    // Release the open still waiting for a reader: be one, for a moment.
    const reader = openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
    await (await opening).close();
    closeSync(reader);
    throw winner.failure;
  }
  const handle = winner.handle;
  const stream = handle.createWriteStream();
  let failure: unknown;
  stream.on('error', (error) => (failure ??= error));
  return {
    write: (bytes) => void stream.write(bytes),
    drain: async () => {
      if (failure !== undefined) throw failure;
      // once() rejects on 'error': a reader that stopped leaves a write failing with EPIPE.
      if (stream.writableNeedDrain) await once(stream, 'drain');
    },
    end: async () => {
      stream.end();
      await finished(stream);
    },
    abort: () => void stream.destroy(),
  };
}
