import { basename } from 'node:path';
import { findPythonForCommand, findPythonForPid, type MarkerTarget } from './find-python.js';
import { chooseProbeSet, type ProbeSet } from './probe-set.js';
import { checkPlatform, checkRoot, ensureTracefs, findBpftrace } from './preflight.js';
import { RecordError } from './record-error.js';
import { runBpftrace, type BpftraceResult } from './run-bpftrace.js';

/** What to record: a command started from its first instruction, or a running process. */
export type RecordTarget = { readonly command: readonly string[] } | { readonly pid: number };

export interface RecordOptions {
  readonly target: RecordTarget;
  /** The trace file; default {@link defaultTracePath}. */
  readonly output?: string;
  /** Also write `line` events (one per executed line: big traces). */
  readonly lines?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress and notices, one sentence per call, and bpftrace's own messages. */
  readonly stderr: NodeJS.WritableStream;
}

export interface Recording extends BpftraceResult {
  readonly output: string;
  readonly python: MarkerTarget;
  readonly probes: ProbeSet;
}

/**
 * The default trace path: `out/<name>.pyflame.txt`, named after the script (`python3 app.py` →
 * `app`), the module (`-m http.server` → `http.server`), else the program; `out/pid-<PID>` for a
 * process. Deterministic, so a re-run replaces the previous trace of the same program.
 */
export function defaultTracePath(target: RecordTarget): string {
  if ('pid' in target) return `out/pid-${target.pid}.pyflame.txt`;
  const name = basename(scriptOf(target.command) ?? target.command[0] ?? 'python').replace(/\.py$/, '');
  return `out/${name.replace(/[^\w.+-]/g, '_') || 'python'}.pyflame.txt`;
}

/** What `python [options] script|-m module|-c code ...` runs: the script or module, if any. */
function scriptOf(command: readonly string[]): string | undefined {
  for (let index = 1; index < command.length; index++) {
    const arg = command[index];
    if (arg === '-m') return command[index + 1];
    if (arg === '-c' || arg === '-') return undefined;
    if (arg === '-X' || arg === '-W') index++; // options that take the next argument
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Checks what recording needs, finds the interpreter and its markers, and records. */
export async function recordTrace(options: RecordOptions): Promise<Recording> {
  const env = options.env ?? process.env;
  checkPlatform();
  checkRoot();
  const bpftrace = findBpftrace(env.PATH);
  const { target } = options;
  if ('command' in target && target.command.length === 0) throw new RecordError('name the program to record after --, e.g. pyflame record -- /usr/bin/python3.11 script.py');
  const python = 'pid' in target ? findPythonForPid(target.pid) : findPythonForCommand(target.command[0], env);
  const probes = chooseProbeSet(python.notes, python.version, options.lines ?? false);
  const mounted = ensureTracefs();
  const say = (text: string) => options.stderr.write(`pyflame: ${text}\n`);
  if (mounted !== undefined) say(mounted);
  const version = python.version === undefined ? 'CPython (version unknown)' : `CPython ${python.version.major}.${python.version.minor}`;
  const markers = probes.attached.map((marker) => (marker === 'line' && probes.silentLine ? 'line (attached, not written)' : marker)).join(', ');
  say(`recording ${'pid' in target ? `process ${target.pid} (${python.interpreter})` : python.interpreter}: ${version}, markers in ${python.markerFile}: ${markers}`);
  for (const notice of probes.notices) say(notice);
  const output = options.output ?? defaultTracePath(target);
  // Under -c bpftrace starts the interpreter found on PATH (absolute, so bpftrace need not search).
  const run = 'pid' in target ? { pid: target.pid } : { command: [python.interpreter, ...target.command.slice(1)] };
  const result = await runBpftrace({ bpftrace, program: probes.program, markerFile: python.markerFile, target: run, output, env, stderr: options.stderr });
  return { ...result, output, python, probes };
}
