import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { RecordError } from './record-error.js';

/**
 * Runs bpftrace on a generated program and leaves its output under the final name only when the
 * recording is done: written to a temporary name beside it, renamed at the end. Ctrl-C stops
 * bpftrace cleanly (SIGINT: it detaches, flushes its buffers and stops the program it started)
 * and what was recorded is kept.
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
  readonly env?: NodeJS.ProcessEnv;
  /** bpftrace's messages go here (the traced program's stderr too: bpftrace's child inherits it). */
  readonly stderr: NodeJS.WritableStream;
}

export interface BpftraceResult {
  /** Stopped by SIGINT / SIGTERM before the program ended. */
  readonly interrupted: boolean;
  /** Event lines written. */
  readonly events: number;
  /** Sum of bpftrace's `Lost N events`. */
  readonly lost: number;
  readonly perfPages: string;
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

export async function runBpftrace(run: BpftraceRun): Promise<BpftraceResult> {
  const env = run.env ?? process.env;
  const perfPages = env.BPFTRACE_PERF_RB_PAGES ?? String(DEFAULT_PERF_RB_PAGES);
  const targetArgs = 'command' in run.target ? ['-c', commandLine(run.target.command)] : ['-p', String(run.target.pid)];
  await mkdir(dirname(run.output), { recursive: true });
  const temp = join(dirname(run.output), `.${basename(run.output)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const child = spawn(run.bpftrace, ['-q', '-o', temp, ...targetArgs, '-e', run.program, run.markerFile], {
    env: { ...env, BPFTRACE_STRLEN: String(STRLEN), BPFTRACE_PERF_RB_PAGES: perfPages },
    // The traced program inherits bpftrace's stdio: its input and output stay the user's.
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let interrupted = false;
  const stop = (signal: NodeJS.Signals) => {
    interrupted = true;
    // A terminal's Ctrl-C reaches bpftrace itself too; a signal sent to pyflame alone must be
    // passed on. SIGINT either way: bpftrace flushes on it, SIGTERM would lose the buffers.
    if (child.exitCode === null) child.kill('SIGINT');
    void signal;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const messages: string[] = [];
  const lines = createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    if (HARMLESS.test(line)) return;
    messages.push(line);
    if (messages.length > 20) messages.shift();
    run.stderr.write(`${line}\n`);
  });
  let status: number | null;
  try {
    status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const counts = await countLines(temp).catch(() => undefined);
  if (counts === undefined || (status !== 0 && !(interrupted && counts.events > 0))) {
    await unlink(temp).catch(() => {});
    const said = messages.filter((line) => /error/i.test(line)).slice(-3).join(' / ');
    throw new RecordError(`bpftrace failed (exit status ${status ?? 'killed'})${said === '' ? '' : `: ${said}`}; nothing was recorded`);
  }
  await rename(temp, run.output);
  return { interrupted, events: counts.events, lost: counts.lost, perfPages };
}

/** Event lines and lost events in a finished output file (read as a stream: traces are big). */
async function countLines(path: string): Promise<{ events: number; lost: number }> {
  let events = 0;
  let lost = 0;
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of reader) {
    const drop = /^Lost (\d+) events/.exec(line);
    if (drop !== null) lost += Number(drop[1]);
    else if (line !== '' && !line.startsWith('#')) events++;
  }
  return { events, lost };
}
