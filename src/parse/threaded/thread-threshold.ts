import { stat } from 'node:fs/promises';
import { readTrace } from '../read-trace.js';
import { sizeWorthAThread, THREAD_MIN_BYTES } from './prestart.js';

export { THREAD_MIN_BYTES };

/**
 * Is the trace at `path` big enough for the parsing thread to pay? A gzip file counts 8 times its
 * size (what it inflates to, about). Stdin (`-`) never: a worker has no stdin, and a pipe's size
 * is unknown until it has been read.
 */
export async function worthAThread(path: string): Promise<boolean> {
  if (path === '-') return false;
  try {
    return sizeWorthAThread(path, (await stat(path)).size);
  } catch {
    return false; // the read itself reports what is wrong
  }
}

/**
 * The reader for `path`: the threaded one when `parseThread` says so, or (unset) when the trace is
 * worth a thread; else readTrace. The threaded reader (and node:worker_threads) is loaded only
 * when used: a small trace is read without it, and its modules would cost a run more than the
 * parse itself. Same results either way.
 */
export async function readerFor(path: string, parseThread: boolean | undefined): Promise<typeof readTrace> {
  const threaded = parseThread ?? (await worthAThread(path));
  return threaded ? (await import('./read-trace-threaded.js')).readTraceThreaded : readTrace;
}
