import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findPythonForCommand, findPythonForPid, type MarkerTarget } from './find-python.js';
import { chooseProbeSet, type ProbeSet } from './probe-set.js';
import { checkPlatform, checkRoot, ensureTracefs, findBpftrace, TRACEFS } from './preflight.js';
import { terminalText } from '../text/untrusted.js';
import { RecordError } from './record-error.js';
import { checkOutputs, OutputPathError, type OutputTarget } from '../io/output-target.js';
import { commandLine, runBpftrace, type BpftraceResult } from './run-bpftrace.js';
import { calibrateBpftrace, interpreterOptions, withCostLine } from './calibrate-bpftrace.js';
import { CalibrationInterrupted, calibrationSummary, costLine } from './calibrate.js';

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const EXIT_TRACEPOINT = 'events/sched/sched_process_exit';
const SWITCH_TRACEPOINT = 'events/sched/sched_switch';

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
  /** Measure what one firing costs first and state it in the trace (default true; calibrate.ts). */
  readonly calibrate?: boolean;
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
  return runs(command)?.name;
}

/** The script (a path) or module `python [options] ...` runs; undefined for -c, stdin, a REPL. */
export function runs(
  command: readonly string[],
): { readonly kind: 'script' | 'module'; readonly name: string } | undefined {
  for (let index = 1; index < command.length; index++) {
    const arg = command[index];
    if (arg === '-m')
      return command[index + 1] === undefined ? undefined : { kind: 'module', name: command[index + 1] };
    if (arg === '-c' || arg === '-') return undefined;
    if (arg === '-X' || arg === '-W' || arg === '--check-hash-based-pycs')
      index++; // options that take the next argument
    else if (!arg.startsWith('-')) return { kind: 'script', name: arg };
  }
  return undefined;
}

/**
 * The script must exist before anything runs: otherwise the interpreter fails to open it and the
 * recording is of that failure. (A module of -m is not looked up: that is the interpreter's search.)
 */
export function checkScript(command: readonly string[], cwd = process.cwd()): void {
  const target = runs(command);
  if (target?.kind !== 'script' || existsSync(resolve(cwd, target.name))) return;
  throw new RecordError(
    `${target.name}: no such file (the script ${command[0] ?? 'python'} would run, from ${cwd}); nothing was recorded`,
  );
}

/**
 * How the trace file is written (see resolveOutputTarget): refused when it is the script the
 * command runs (`record -o victim.py -- python victim.py`) or the interpreter, also through links.
 */
export function checkRecordOutput(output: string, command: readonly string[], interpreter: string): OutputTarget {
  const script = runs(command);
  const inputs = [interpreter, ...(script?.kind === 'script' ? [script.name] : [])];
  try {
    return checkOutputs([{ flag: '-o', path: output }], inputs)[0]!;
  } catch (error) {
    if (error instanceof OutputPathError) throw new RecordError(`${error.message}; nothing was recorded`);
    throw error;
  }
}

/** Checks what recording needs, finds the interpreter and its markers, and records. */
export async function recordTrace(options: RecordOptions): Promise<Recording> {
  const env = options.env ?? process.env;
  checkPlatform();
  checkRoot();
  const bpftrace = findBpftrace(env.PATH);
  const { target } = options;
  if ('command' in target && target.command.length === 0)
    throw new RecordError('name the program to record after --, e.g. pyflame record -- /usr/bin/python3.11 script.py');
  const python = 'pid' in target ? findPythonForPid(target.pid) : findPythonForCommand(target.command[0], env);
  if ('command' in target) {
    commandLine(target.command); // arguments bpftrace cannot pass are refused first
    checkScript(target.command);
  }
  // The trace's destination is checked before anything runs: never the script, nor the interpreter.
  const output = options.output ?? defaultTracePath(target);
  const writeTo = checkRecordOutput(output, 'command' in target ? target.command : [], python.interpreter);
  const mounted = ensureTracefs();
  // The program's exit status comes from the kernel: a tracepoint, and curtask->exit_code, which needs BTF.
  const canReportExit = existsSync(KERNEL_BTF) && existsSync(join(TRACEFS, EXIT_TRACEPOINT));
  const exitOf = canReportExit ? ('pid' in target ? target.pid : 'cpid') : undefined;
  // The scheduler's switches split the times into on and off the CPU (no BTF needed).
  const canSeeSwitches = existsSync(join(TRACEFS, SWITCH_TRACEPOINT)) && existsSync(join(TRACEFS, EXIT_TRACEPOINT));
  const switchesOf = canSeeSwitches ? ('pid' in target ? target.pid : 'cpid') : undefined;
  const probes = chooseProbeSet(python.notes, python.version, options.lines ?? false, exitOf, switchesOf);
  const say = (text: string) => options.stderr.write(`pyflame: ${terminalText(text)}\n`);
  if (mounted !== undefined) say(mounted);
  const version =
    python.version === undefined
      ? 'CPython (version unknown)'
      : `CPython ${python.version.major}.${python.version.minor}`;
  const markers = probes.attached
    .map((marker) => (marker === 'line' && probes.silentLine ? 'line (attached, not written)' : marker))
    .join(', ');
  say(
    `recording ${'pid' in target ? `process ${target.pid} (${python.interpreter})` : python.interpreter}: ${version}, markers in ${python.markerFile}: ${markers}`,
  );
  for (const notice of probes.notices) say(notice);
  if (switchesOf === undefined && probes.functionCalls)
    say(
      `times will be wall-clock only (not split into on and off the CPU): that needs the tracepoint ${join(TRACEFS, SWITCH_TRACEPOINT)}`,
    );
  if (exitOf === undefined)
    say(
      `how the program ends cannot be reported: that needs kernel BTF (${KERNEL_BTF}) and the tracepoint ${join(TRACEFS, EXIT_TRACEPOINT)}`,
    );
  let program = probes.program;
  if (options.calibrate !== false) {
    // Before the program: the cost line is printed by the program's BEGIN, after the header.
    try {
      const calibration = await calibrateBpftrace({
        bpftrace,
        probes,
        markerFile: python.markerFile,
        interpreter: python.interpreter,
        pythonOptions: 'command' in target ? interpreterOptions(target.command) : [],
        lines: options.lines ?? false,
        env,
      });
      say(calibrationSummary(calibration));
      program = withCostLine(program, costLine(calibration, 'bpftrace'));
    } catch (error) {
      if (!(error instanceof RecordError) || error instanceof CalibrationInterrupted) throw error;
      say(`warning: ${error.message}: the trace will not state its recording cost (analyze cannot take it out)`);
    }
  }
  // Under -c bpftrace starts the interpreter found on PATH (absolute, so bpftrace need not search).
  const run = 'pid' in target ? { pid: target.pid } : { command: [python.interpreter, ...target.command.slice(1)] };
  const result = await runBpftrace({
    bpftrace,
    program,
    markerFile: python.markerFile,
    target: run,
    output,
    writeTo,
    env,
    stderr: options.stderr,
  });
  return { ...result, output, python, probes };
}
