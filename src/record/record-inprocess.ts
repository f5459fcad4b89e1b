import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputTarget } from '../io/output-target.js';
import { resolveProgram, type PythonVersion } from './find-python.js';
import { finishInProcessTrace } from './inprocess-end.js';
import { calibrateInProcess } from './calibrate-inprocess.js';
import { CalibrationInterrupted, calibrationSummary, costLine } from './calibrate.js';
import type { TraceEnd } from './finish-trace.js';
import { splitPythonCommand } from './python-command.js';
import { RecordError } from './record-error.js';
import { checkRecordOutput, checkScript, defaultTracePath } from './record.js';
import { deliver } from './run-bpftrace.js';

/**
 * `pyflame record --via inprocess`: runs `python [options] <recorder> -o <temp> -- script args`,
 * the recorder being plain Python shipped in the package (recorder/pyflame_recorder.py), and puts
 * the checked trace under its final name at the end (as the bpftrace path does).
 */

/** The recorder, at the package root (this file is dist/src/record/record-inprocess.js). */
export const RECORDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../recorder/pyflame_recorder.py');

/** The oldest CPython the recorder supports (threading.get_native_id, gc.callbacks, setprofile). */
const OLDEST = { major: 3, minor: 8 };

export interface InProcessOptions {
  readonly command: readonly string[];
  readonly output?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Line events (sys.monitoring LINE on 3.12+, sys.settrace before). */
  readonly lines?: boolean;
  /** Audit events (sys.addaudithook). */
  readonly audit?: boolean;
  /** Python subprocesses record themselves too; their events go into the same trace. */
  readonly followChildren?: boolean;
  /** Progress and notices (the program's own stderr is inherited). */
  readonly stderr: NodeJS.WritableStream;
  /** Measure what one firing costs first and state it in the trace (default true; calibrate.ts). */
  readonly calibrate?: boolean;
}

export interface InProcessRecording {
  readonly via: 'inprocess';
  readonly output: string;
  readonly interpreter: string;
  readonly version: PythonVersion;
  readonly interrupted: boolean;
  readonly stoppedBy?: NodeJS.Signals;
  readonly events: number;
  readonly lost: 0;
  readonly end: TraceEnd;
  /** Processes in the trace: the program and the children it started (with --follow-children). */
  readonly processes: number;
}

/** Asks the interpreter its version; refuses anything but CPython 3.8+. */
export function askPythonVersion(interpreter: string, env: NodeJS.ProcessEnv): PythonVersion {
  const result = spawnSync(
    interpreter,
    ['-c', 'import sys, platform; print(sys.version_info[0], sys.version_info[1], platform.python_implementation())'],
    { encoding: 'utf8', timeout: 30_000, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const match = /^(\d+) (\d+) (\w+)/.exec(result.stdout ?? '');
  if (result.status !== 0 || match === null)
    throw new RecordError(
      `${interpreter} did not answer as a Python interpreter (${interpreter} -c 'import sys; ...' failed); nothing was recorded`,
    );
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (match[3] !== 'CPython')
    throw new RecordError(
      `${interpreter} is ${match[3]} ${version.major}.${version.minor}; the in-process recorder needs CPython 3.8 or later; nothing was recorded`,
    );
  if (version.major < OLDEST.major || (version.major === OLDEST.major && version.minor < OLDEST.minor)) {
    throw new RecordError(
      `${interpreter} is CPython ${version.major}.${version.minor}; the in-process recorder needs CPython 3.8 or later; nothing was recorded`,
    );
  }
  return version;
}

/** SIGTERM and SIGHUP sent to pyflame go to the program; a terminal's Ctrl-C reaches both already. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export async function recordInProcess(options: InProcessOptions): Promise<InProcessRecording> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const split = splitPythonCommand(options.command);
  checkScript(options.command, cwd);
  if (!existsSync(RECORDER))
    throw new RecordError(`the in-process recorder is missing from this installation (${RECORDER}); reinstall pyflame`);
  const interpreter = resolveProgram(split.interpreter, env.PATH, cwd);
  const version = askPythonVersion(interpreter, env);
  const output = options.output ?? defaultTracePath({ command: options.command });
  const writeTo: OutputTarget = checkRecordOutput(output, options.command, realpathSync(interpreter));
  const folder = writeTo.kind === 'replace' ? dirname(writeTo.file) : tmpdir();
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(output)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // The recorder's spool, and a folder where followed children put theirs, beside the trace.
  const spool = `${temp}.spool`;
  const childFolder = `${temp}.children`;
  if (options.followChildren) await mkdir(childFolder);
  const say = (text: string) => options.stderr.write(`pyflame: ${text}\n`);
  const extras = [
    options.lines ? 'lines' : '',
    options.audit ? 'audit events' : '',
    options.followChildren ? 'Python subprocesses' : '',
  ]
    .filter((what) => what !== '')
    .map((what) => `, ${what}`)
    .join('');
  say(
    `recording ${interpreter} in-process: CPython ${version.major}.${version.minor}, ${version.minor >= 12 ? 'sys.monitoring' : 'sys.setprofile'} (calls), gc.callbacks, imports${extras}`,
  );
  const cost =
    options.calibrate === false
      ? undefined
      : await calibrationLine(interpreter, split.options, version, options, env, folder, say);
  const recorderOptions = [
    '-o',
    spool,
    ...(options.lines ? ['--lines'] : []),
    ...(options.audit ? ['--audit'] : []),
    ...(options.followChildren ? ['--follow-children', childFolder] : []),
  ];
  const child = spawn(interpreter, [...split.options, RECORDER, ...recorderOptions, '--', ...split.program], {
    cwd,
    env,
    stdio: 'inherit',
  });
  let interrupted = false;
  let stoppedBy: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    interrupted = true;
    stoppedBy ??= signal;
    if (signal !== 'SIGINT' && child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of [...FORWARDED, 'SIGINT' as const]) process.on(signal, forward);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
      child.on('error', fail);
      child.on('close', (exitCode, exitSignal) => done([exitCode, exitSignal]));
    });
    if (!existsSync(spool))
      throw new RecordError(
        `${interpreter} ended (${code === null ? `killed by ${signal ?? 'a signal'}` : `exit status ${code}`}) before the recorder began; nothing was recorded`,
      );
    const pid = child.pid ?? 0;
    const signalNumber = signal === null ? 0 : osConstants.signals[signal];
    const exit = code !== null ? { pid, status: code } : { pid, signal: signalNumber };
    let children = options.followChildren ? await childSpools(childFolder) : [];
    if (children.length > 0) {
      const running = await waitForChildren(children, CHILD_WAIT_MS);
      children = await childSpools(childFolder); // with any started meanwhile
      if (running.length > 0)
        say(
          `warning: ${running.length} Python subprocess${running.length === 1 ? ' was' : 'es were'} still running ${CHILD_WAIT_MS / 1000} s after the program ended (pid ${running.join(', ')}): ${running.length === 1 ? 'its' : 'their'} events up to now are in the trace, without ${running.length === 1 ? 'its' : 'their'} end`,
        );
    }
    let end: TraceEnd;
    try {
      end = await finishInProcessTrace(spool, children, temp, exit, cost);
    } catch (error) {
      await unlink(temp).catch(() => {});
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === 'ENOSPC' || errno === 'EDQUOT')
        throw new RecordError(
          `${output}: the file system is full (${errno}): the trace could not be completed, nothing was kept. Free some space, or record to another file system with -o`,
        );
      throw error;
    }
    await deliver(temp, writeTo);
    return {
      via: 'inprocess',
      output,
      interpreter,
      version,
      interrupted,
      stoppedBy,
      events: end.events,
      lost: 0,
      end,
      processes: 1 + children.length,
    };
  } finally {
    for (const signal of [...FORWARDED, 'SIGINT' as const]) process.off(signal, forward);
    await rm(spool, { force: true });
    if (options.followChildren) await rm(childFolder, { recursive: true, force: true });
  }
}

/**
 * The trace's `# pyflame-cost v1` line, from a calibration run before the program (one line on
 * stderr says its result). A calibration that fails is said, and the trace has no cost line
 * (analyze then works as for any trace without one).
 */
async function calibrationLine(
  interpreter: string,
  pythonOptions: readonly string[],
  version: PythonVersion,
  options: InProcessOptions,
  env: NodeJS.ProcessEnv,
  folder: string,
  say: (text: string) => void,
): Promise<string | undefined> {
  try {
    const calibration = await calibrateInProcess({
      interpreter,
      pythonOptions,
      recorder: RECORDER,
      version,
      lines: options.lines ?? false,
      audit: options.audit ?? false,
      env,
      folder,
    });
    say(calibrationSummary(calibration));
    return costLine(calibration, 'inprocess');
  } catch (error) {
    if (!(error instanceof RecordError) || error instanceof CalibrationInterrupted) throw error;
    say(`warning: ${error.message}: the trace will not state its recording cost (analyze cannot take it out)`);
    return undefined;
  }
}

/**
 * How long pyflame waits, after the program ended, for its followed subprocesses to end (and their
 * spools with them): multiprocessing's resource tracker and forkserver end just after the program.
 */
const CHILD_WAIT_MS = 10_000;

/** Waits until every child process that wrote a spool has ended, or `limit` ms; returns the pids still running. */
async function waitForChildren(spools: readonly string[], limit: number): Promise<number[]> {
  const pids = spools.map((spool) => Number(/child-(\d+)\.spool$/.exec(spool)![1]));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    // An orphan that ended stays a zombie where nothing reaps it (a container whose first process
    // does not): ended all the same. (Linux; elsewhere a zombie is waited for.)
    try {
      return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    } catch {
      return true;
    }
  };
  const until = Date.now() + limit;
  let running = pids.filter(alive);
  while (running.length > 0 && Date.now() < until) {
    await new Promise((done) => setTimeout(done, 20));
    running = running.filter(alive);
  }
  return running;
}

/** The spools the followed children wrote, in the order of their process ids. */
async function childSpools(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter((name) => /^child-\d+\.spool$/.test(name));
  const pid = (name: string) => Number(/\d+/.exec(name)![0]);
  return names.sort((a, b) => pid(a) - pid(b)).map((name) => join(folder, name));
}
