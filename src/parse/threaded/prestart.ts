// Starting the parsing thread ahead of the command line's code. Imported by the launcher
// (bin/pyflame.js) before anything else of pyflame's is loaded, by every run: node's own modules
// only, and node:worker_threads only when a thread is started.
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';

/**
 * Below this size a trace is parsed on the thread that analyzes it: starting the parsing thread
 * (a second V8 isolate that loads the parser's modules and compiles the WebAssembly loop again)
 * costs more than overlapping the parse with the analysis saves. Measured with `pyflame analyze`
 * on bench/generate-trace.mjs traces, parsing thread forced on and off (PYFLAME_THREADED): see
 * docs/benchmarks.md, "Start-up (issue 16)".
 */
export const THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** Is a trace of `size` bytes at `path` worth a thread? A gzip file counts 8 times its size (about what it inflates to). */
export function sizeWorthAThread(path: string, size: number): boolean {
  return path.endsWith('.gz') ? size * 8 >= THREAD_MIN_BYTES : size >= THREAD_MIN_BYTES;
}

/** Commands that read a trace through the parsing thread when it is big enough. */
const READING_COMMANDS = new Set(['analyze', 'convert']);

/** Where the launcher leaves the thread for readTraceThreaded (the bundle has its own copy of this module). */
const KEY = Symbol.for('pyflame.prestartedParseThread');

interface Prestarted {
  /** The parsing thread's script: taken only by a reader that would start the same one. */
  readonly url: string;
  readonly worker: Worker;
  /** It failed or ended before it was taken: a reader starts its own (and meets the error itself). */
  gone: boolean;
}

type Holder = { [KEY]?: Prestarted };

/**
 * Starts the parsing thread (`workerUrl`) when the command line `argv` (without node and the
 * script) reads a trace file big enough for it: `pyflame analyze` or `convert` with an argument
 * naming such a file (PYFLAME_THREADED=1: any file; =0: never). Its own start-up (an isolate,
 * the parser's modules, the WebAssembly loop: ~40-60 ms) then overlaps this thread's loading of
 * the command line, instead of following it. It waits for its work in its first message
 * (readTraceThreaded sends it); until taken it keeps nothing alive, so a command that fails
 * before reading, or reads another way, ends as it would have. Returns whether it started one.
 */
export async function prestartParseThread(
  argv: readonly string[],
  workerUrl: URL,
  env = process.env,
): Promise<boolean> {
  if (!READING_COMMANDS.has(argv[0] ?? '') || env.PYFLAME_THREADED === '0') return false;
  const everyFile = env.PYFLAME_THREADED === '1';
  // Which argument is the trace is the command line's to say: any file argument of the size will
  // do (at worst a thread is started that is not used: an output file as large as a trace).
  const worth = argv.slice(1).some((arg) => {
    if (arg.startsWith('-')) return false;
    try {
      const stats = statSync(arg);
      return stats.isFile() && (everyFile || sizeWorthAThread(arg, stats.size));
    } catch {
      return false;
    }
  });
  if (!worth) return false;
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(workerUrl);
  worker.unref();
  const prestarted: Prestarted = { url: workerUrl.href, worker, gone: false };
  const gone = () => {
    prestarted.gone = true;
  };
  worker.once('error', gone);
  worker.once('exit', gone);
  (globalThis as Holder)[KEY] = prestarted;
  return true;
}

/**
 * The thread started ahead for `workerUrl`, if there is one still waiting: it is then this
 * caller's (kept alive, and never handed out again); undefined otherwise.
 */
export function takePrestartedParseThread(workerUrl: URL): Worker | undefined {
  const holder = globalThis as Holder;
  const prestarted = holder[KEY];
  if (prestarted === undefined || prestarted.url !== workerUrl.href || prestarted.gone) return undefined;
  delete holder[KEY];
  prestarted.worker.ref();
  return prestarted.worker;
}
