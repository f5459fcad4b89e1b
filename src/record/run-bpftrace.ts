import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, statfs, unlink } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finishTrace, type TraceEnd } from './finish-trace.js';
import { resolveOutputTarget, type OutputTarget } from '../io/output-target.js';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { RecordError } from './record-error.js';

/**
 * Runs bpftrace on a generated program and leaves its output under the final name only when the
 * recording is done: written to a temporary name beside it, checked complete and labelled
 * (finish-trace.ts), renamed at the end. Ctrl-C, SIGTERM and SIGHUP to pyflame stop the recording
 * and keep what was recorded: passed to the program it started (bpftrace then writes everything
 * and ends), or, for --pid, stopping bpftrace (which loses what it has not written yet).
 */

/** bpftrace 0.17's str() limit that pyflame's two-string printf still fits in the BPF stack. */
export const STRLEN = 152;
/** Perf buffer pages per CPU (bpftrace's default is 64, which lost events on small programs). */
export const DEFAULT_PERF_RB_PAGES = 1024;

export interface BpftraceRun {
  readonly bpftrace: string;
  readonly program: string;
  /** `$1`: the file holding the markers. */
  readonly markerFile: string;
  /** The command to start (`-c`), or the process to attach to (`-p`). */
  readonly target: { readonly command: readonly string[] } | { readonly pid: number };
  /** The trace file to produce. */
  readonly output: string;
  /** How `output` is written (checked before recording); found from `output` when not given. */
  readonly writeTo?: OutputTarget;
  readonly env?: NodeJS.ProcessEnv;
  /** bpftrace's messages go here (the traced program's stderr too: bpftrace's child inherits it). */
  readonly stderr: NodeJS.WritableStream;
  /** No terminal for bpftrace and the program (a calibration run: bpftrace's stdout gets blank lines). */
  readonly detachedStdio?: boolean;
}

export interface BpftraceResult {
  /** Stopped by SIGINT / SIGTERM / SIGHUP before the program ended. */
  readonly interrupted: boolean;
  /** The first of those signals pyflame received. */
  readonly stoppedBy?: NodeJS.Signals;
  /** Event lines written. */
  readonly events: number;
  /** Sum of bpftrace's `Lost N events`. */
  readonly lost: number;
  readonly perfPages: string;
  /** The completeness check and how the program ended (finish-trace.ts). */
  readonly end: TraceEnd;
  /** Set when bpftrace itself failed after writing events (kept, incomplete). */
  readonly bpftraceFailure: string | undefined;
}

// Harmless on current kernels (memory for BPF is accounted by cgroup, not RLIMIT_MEMLOCK), but
// bpftrace 0.17 prints it as "ERROR: ..." on every start, which would alarm for nothing.
const HARMLESS = /couldn't set RLIMIT_MEMLOCK/;

/**
 * The `-c` command line. bpftrace 0.17 splits it at spaces and knows no quoting, so an
 * argument with white space (or an empty one) cannot be passed: say so rather than run
 * something else.
 */
export function commandLine(command: readonly string[]): string {
  const bad = command.find((arg) => arg === '' || /\s/.test(arg));
  if (bad !== undefined) {
    throw new RecordError(
      `cannot pass the argument ${JSON.stringify(bad)} to the program: bpftrace 0.17 splits its -c command at spaces and knows no quotes. ` +
        'Rename the file, or start the program yourself and use pyflame record --pid PID.',
    );
  }
  return command.join(' ');
}

/**
 * How bpftrace is started so that it never outlives pyflame: `setpriv --pdeathsig TERM` makes the
 * kernel send it SIGTERM when pyflame dies, even by SIGKILL (Node cannot call prctl itself).
 * Without a setpriv that knows --pdeathsig, bpftrace is started directly.
 */
export function launcher(path: string | undefined): string[] {
  const setpriv = findSetpriv(path);
  return setpriv === undefined ? [] : [setpriv, '--pdeathsig', 'TERM', '--'];
}

let setprivFound: string | null | undefined;

/** util-linux's setpriv, if it knows --pdeathsig (2.33 and later). */
function findSetpriv(path: string | undefined): string | undefined {
  if (setprivFound === undefined) {
    setprivFound = null;
    for (const dir of (path ?? '').split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, 'setpriv');
      if (!existsSync(candidate)) continue;
      if (spawnSync(candidate, ['--pdeathsig', 'TERM', '--', '/bin/true'], { stdio: 'ignore' }).status === 0)
        setprivFound = candidate;
      break;
    }
  }
  return setprivFound ?? undefined;
}

/**
 * The program bpftrace started (its one child, from /proc): running, still starting (it waits
 * under ptrace for bpftrace to attach, and a signal then would break bpftrace's start), or gone.
 */
function programOf(pid: number): number | 'starting' | 'gone' {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
    if (children.length !== 1 || !/^\d+$/.test(children[0]!)) return 'gone';
    const stat = readFileSync(`/proc/${children[0]}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return 'gone';
    return state === 't' || state === 'T' ? 'starting' : Number(children[0]);
  } catch {
    return 'gone';
  }
}

/** The signals that stop a recording cleanly (HUP: the terminal or SSH session closed). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function runBpftrace(run: BpftraceRun): Promise<BpftraceResult> {
  const env = run.env ?? process.env;
  const perfPages = env.BPFTRACE_PERF_RB_PAGES ?? String(DEFAULT_PERF_RB_PAGES);
  const targetArgs = 'command' in run.target ? ['-c', commandLine(run.target.command)] : ['-p', String(run.target.pid)];
  // A regular file (or a symlink's target) gets the trace by a rename beside it; a device, FIFO or
  // pipe is written in place, from a temporary file in the system's temporary folder.
  const writeTo: OutputTarget = run.writeTo ?? resolveOutputTarget(run.output);
  const folder = writeTo.kind === 'replace' ? dirname(writeTo.file) : tmpdir();
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(run.output)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const wrapper = launcher(env.PATH);
  const argv = [...wrapper, run.bpftrace, '-q', '-o', temp, ...targetArgs, '-e', run.program, run.markerFile];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...env, BPFTRACE_STRLEN: String(STRLEN), BPFTRACE_PERF_RB_PAGES: perfPages },
    // The traced program inherits bpftrace's stdio: its input and output stay the user's.
    stdio: run.detachedStdio ? ['ignore', 'ignore', 'pipe'] : ['inherit', 'inherit', 'pipe'],
    // Its own session: a terminal's Ctrl-C or hang-up reaches pyflame alone, which stops the
    // recording without loss (see stop below). bpftrace 0.17, when signalled, throws away all it
    // has not yet written (seen: 37,000 to 128,000 events of a busy program, without a word).
    detached: true,
  });
  let interrupted = false;
  let stoppedBy: NodeJS.Signals | undefined;
  const stopNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  /** Has bpftrace begun (its BEGIN probe writes the header line)? */
  const recordingBegan = () => {
    try {
      return statSync(temp).size > 0;
    } catch {
      return false;
    }
  };
  let forwarded = 0;
  let warned = false;
  const stop = (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return; // recorded: being checked
    interrupted = true;
    stoppedBy ??= signal;
    // A command: the signal goes to the program, as it would without pyflame. When it ends,
    // bpftrace writes everything and stops on its own. --pid, or a program that survived two
    // signals: bpftrace must be stopped (SIGTERM: SIGINT would kill it while it writes its final
    // counts, which it does with SIGINT reset to the default), losing what it has not written:
    // so that is said first, and done on the next signal (people press Ctrl-C twice).
    let program = 'command' in run.target && child.pid !== undefined ? programOf(child.pid) : 'gone';
    if (program === 'gone' && !recordingBegan()) program = 'starting'; // bpftrace has not started it yet
    if (typeof program === 'number' && forwarded < 2) {
      try {
        process.kill(program, signal);
        forwarded++;
        return;
      } catch {
        // it has just ended
      }
    }
    // Not started yet (nothing recorded), or --pid (Ctrl-C is how an attached recording ends).
    if (program === 'starting' || 'pid' in run.target) warned = true;
    if (!warned) {
      warned = true;
      const why =
        typeof program === 'number' ? 'the program has not stopped' : 'bpftrace is still writing what it recorded';
      writeSafely(
        `pyflame: ${why}; ${signal} again stops bpftrace now, and the events it has not written yet will be missing\n`,
      );
      return;
    }
    stopNow();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  // A closed terminal (SIGHUP) makes writes to it fail: that must not stop the trace being kept.
  const ignoreWriteError = () => {};
  run.stderr.on?.('error', ignoreWriteError);
  const writeSafely = (text: string) => {
    try {
      run.stderr.write(text);
    } catch {
      // the terminal is gone
    }
  };
  const messages: string[] = [];
  const lines = createInterface({ input: child.stderr! });
  lines.on('line', (line) => {
    if (HARMLESS.test(line)) return;
    messages.push(line);
    if (messages.length > 20) messages.shift();
    run.stderr.write(`${line}\n`);
  });
  // The handlers stay until the trace is checked and in place: a signal meanwhile must not end
  // pyflame with the trace under its temporary name.
  try {
    return await finish();
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
  }

  async function finish(): Promise<BpftraceResult> {
    let killedBy: NodeJS.Signals | null = null;
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        killedBy = signal;
        resolve(code);
      });
    });
    const failed = () => {
      const said = messages
        .filter((line) => /error/i.test(line))
        .slice(-3)
        .join(' / ');
      return `bpftrace failed (${status === null ? `killed by ${killedBy ?? 'a signal'}` : `exit status ${status}`})${said === '' ? '' : `: ${said}`}`;
    };
    if (!existsSync(temp)) throw new RecordError(`${failed()}; nothing was recorded`);
    let end: TraceEnd;
    try {
      end = await finishTrace(temp);
    } catch (error) {
      await unlink(temp).catch(() => {});
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new RecordError(
          `${run.output}: the file system is full (${code}): the trace could not be completed, nothing was kept. Free some space, or record to another file system with -o`,
        );
      throw error;
    }
    if (end.events === 0 && (status !== 0 || !end.complete)) {
      await unlink(temp).catch(() => {});
      throw new RecordError(`${failed()}; nothing was recorded`);
    }
    if (!end.complete && end.fired === undefined && (await fileSystemFull(temp))) {
      await unlink(temp).catch(() => {});
      throw new RecordError(
        `${run.output}: the file system is full: bpftrace could write only ${end.events} events before its writes failed, and the trace is incomplete; nothing was kept. Free some space, or record to another file system with -o`,
      );
    }
    await deliver(temp, writeTo);
    return {
      interrupted,
      stoppedBy,
      events: end.events,
      lost: end.lost,
      perfPages,
      end,
      bpftraceFailure: status === 0 ? undefined : failed(),
    };
  }
}

/** Less than 1 MiB left where the trace is (bpftrace, as root, writes until nothing is). */
async function fileSystemFull(path: string): Promise<boolean> {
  try {
    const stats = await statfs(path);
    return stats.bfree * stats.bsize < 1 << 20;
  } catch {
    return false;
  }
}

/** The finished trace to its destination: renamed over a regular file, copied into anything else. */
export async function deliver(temp: string, writeTo: OutputTarget): Promise<void> {
  if (writeTo.kind === 'replace') {
    await rename(temp, writeTo.file);
    return;
  }
  try {
    const into =
      writeTo.kind === 'stdout'
        ? createWriteStream('', { fd: 1, autoClose: false })
        : writeTo.fd !== undefined
          ? createWriteStream('', { fd: writeTo.fd, autoClose: false })
          : createWriteStream(writeTo.path, { flags: 'w' });
    await pipeline(createReadStream(temp), into);
  } finally {
    await unlink(temp).catch(() => {});
  }
}
