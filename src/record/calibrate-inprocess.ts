import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolDecoder } from '../parse/spool/spool-decoder.js';
import {
  CALIBRATE_PROGRAM,
  CalibrationStop,
  estimate,
  programArguments,
  readPair,
  type Calibration,
  type CalibrationPair,
  type CalibrationPlan,
  type Phase,
} from './calibrate.js';
import type { PythonVersion } from './find-python.js';
import { RecordError } from './record-error.js';

/**
 * The in-process recorder's calibration: calibrate.py run by the interpreter of the recording,
 * with its options, untraced and under recorder/pyflame_recorder.py with the recording's --lines
 * and --audit (they change what every firing does), three pairs interleaved.
 */

export interface InProcessCalibrationOptions {
  readonly interpreter: string;
  /** The interpreter's own options of the recorded command (-X ..., -O): the same here. */
  readonly pythonOptions: readonly string[];
  readonly recorder: string;
  readonly version: PythonVersion;
  readonly lines: boolean;
  readonly audit: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Where the scratch files go (removed at the end). */
  readonly folder: string;
}

export function inProcessPlan(version: PythonVersion, lines: boolean, audit: boolean): CalibrationPlan {
  // 3.8-3.11: setprofile is called for every C call too (written as u=N: the unwritten kind).
  const setprofile = version.major === 3 && version.minor <= 11;
  const phases: Phase[] = [
    'empty',
    'calls',
    ...(setprofile ? (['ccalls'] as const) : []),
    ...(lines ? (['lines'] as const) : []),
    'gc',
  ];
  return {
    // About 50-200 ms per phase traced (0.3-2 µs a firing; --lines fires on every iteration of
    // every phase): long enough that a moment's load on a busy machine is averaged out; three
    // pairs take 3-6 s on an idle machine.
    iterations: lines ? 20_000 : 50_000,
    gcIterations: 1_000,
    repetitions: 2,
    runs: 3,
    phases,
    lineKind: lines ? 'line' : undefined,
    cCallsUnwritten: setprofile,
    lineInsideLeaf: lines,
    imports: true,
    audit,
  };
}

/** Runs a command to its end; its stderr is kept for the error message. */
export function runToEnd(command: readonly string[], env: NodeJS.ProcessEnv, stop: CalibrationStop): Promise<void> {
  stop.check();
  return new Promise((done, fail) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    stop.watch(child);
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (said.length < 4000) said += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      stop.watch(undefined);
      if (stop.signal !== undefined) fail(stop.interrupted());
      else if (code === 0) done();
      else
        fail(
          new RecordError(
            `the calibration run (${command.join(' ')}) failed (${signal ?? `exit status ${code}`})${said.trim() === '' ? '' : `: ${said.trim().split('\n').slice(-2).join(' / ')}`}`,
          ),
        );
    });
  });
}

/** Decodes a spool whole into pyflame text (calibration spools are small). */
async function spoolText(path: string): Promise<string> {
  const decoder = new SpoolDecoder(path, { lines: false });
  decoder.push(await readFile(path));
  const text = decoder.takeText();
  decoder.finish();
  return `${decoder.traceHeader()}\n${text.toString('latin1')}`;
}

export async function calibrateInProcess(options: InProcessCalibrationOptions): Promise<Calibration> {
  const started = performance.now();
  const plan = inProcessPlan(options.version, options.lines, options.audit);
  const stem = join(options.folder, `.pyflame-calibration-${process.pid}-${randomBytes(4).toString('hex')}`);
  const python = [options.interpreter, ...options.pythonOptions];
  const recorderOptions = [...(options.lines ? ['--lines'] : []), ...(options.audit ? ['--audit'] : [])];
  const pairs: CalibrationPair[] = [];
  let leafNs: number | undefined;
  const stop = new CalibrationStop();
  let version = `${options.version.major}.${options.version.minor}`;
  try {
    for (let run = 0; run < plan.runs; run++) {
      // Untraced, then traced: a slower moment of the machine hits both of a pair.
      await runToEnd(
        [...python, CALIBRATE_PROGRAM, ...programArguments(plan, `${stem}.untraced.json`)],
        options.env,
        stop,
      );
      const spool = `${stem}.spool`;
      await runToEnd(
        [
          ...python,
          options.recorder,
          '-o',
          spool,
          ...recorderOptions,
          '--',
          CALIBRATE_PROGRAM,
          ...programArguments(plan, `${stem}.traced.json`),
        ],
        options.env,
        stop,
      );
      const read = await readPair(stem, await spoolText(spool), run === 0 ? `${stem}.trace.txt` : undefined);
      if (run === 0) leafNs = read.leafNs;
      version = read.version;
      pairs.push(read.pair);
    }
  } finally {
    stop.dispose();
    for (const suffix of ['.untraced.json', '.traced.json', '.spool', '.trace.txt'])
      await rm(`${stem}${suffix}`, { force: true });
  }
  return estimate(plan, pairs, leafNs, performance.now() - started, version);
}
