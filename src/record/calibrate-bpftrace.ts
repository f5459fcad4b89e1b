import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
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
import type { ProbeSet } from './probe-set.js';
import { RecordError } from './record-error.js';
import { runToEnd } from './calibrate-inprocess.js';
import { runBpftrace } from './run-bpftrace.js';

/**
 * The bpftrace recording's calibration: calibrate.py under the very bpftrace program of the
 * recording (same markers, same --lines; on 3.11 the line marker attached and not written), and
 * untraced, three pairs interleaved. bpftrace's start (about a second each) is most of its time.
 */

export interface BpftraceCalibrationOptions {
  readonly bpftrace: string;
  readonly probes: ProbeSet;
  readonly markerFile: string;
  readonly interpreter: string;
  readonly pythonOptions: readonly string[];
  readonly lines: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export function bpftracePlan(probes: ProbeSet, lines: boolean): CalibrationPlan {
  const lineHooked = probes.attached.includes('line');
  const phases: Phase[] = ['empty', 'calls', ...(lineHooked ? (['lines'] as const) : []), 'gc'];
  return {
    // A firing costs microseconds here (a uprobe trap): fewer iterations say as much.
    iterations: 5_000,
    gcIterations: 1_000,
    repetitions: 1,
    runs: 3,
    phases: probes.attached.includes('gc__start') ? phases : phases.filter((phase) => phase !== 'gc'),
    lineKind: !lineHooked ? undefined : lines ? 'line' : 'unwritten',
    cCallsUnwritten: false,
    lineInsideLeaf: lineHooked,
    imports: probes.attached.includes('import__find__load__start'),
    audit: probes.attached.includes('audit'),
  };
}

/** bpftrace's messages during calibration are kept for an error, not shown. */
class Kept extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    if (this.text.length < 4000) this.text += chunk.toString('utf8');
    done();
  }
}

export async function calibrateBpftrace(options: BpftraceCalibrationOptions): Promise<Calibration> {
  if (!options.probes.functionCalls)
    throw new RecordError('this CPython has no function markers: there is no call cost to calibrate');
  const started = performance.now();
  const plan = bpftracePlan(options.probes, options.lines);
  // bpftrace's -c splits at spaces: the scratch files go where the path has none.
  const stem = join(tmpdir(), `pyflame-calibration-${process.pid}-${randomBytes(4).toString('hex')}`);
  const python = [options.interpreter, ...options.pythonOptions];
  const pairs: CalibrationPair[] = [];
  let leafNs: number | undefined;
  let version = '?';
  // While bpftrace runs, its own handlers pass a stop signal to the calibration program (which
  // ends, and bpftrace with it); this one ends the calibration after it.
  const stop = new CalibrationStop();
  try {
    for (let run = 0; run < plan.runs; run++) {
      await runToEnd(
        [...python, CALIBRATE_PROGRAM, ...programArguments(plan, `${stem}.untraced.json`)],
        options.env,
        stop,
      );
      const said = new Kept();
      const trace = `${stem}.trace.txt`;
      await runBpftrace({
        bpftrace: options.bpftrace,
        program: options.probes.program,
        markerFile: options.markerFile,
        target: { command: [...python, CALIBRATE_PROGRAM, ...programArguments(plan, `${stem}.traced.json`)] },
        output: trace,
        env: options.env,
        stderr: said,
        detachedStdio: true,
      }).catch((error: unknown) => {
        if (error instanceof RecordError)
          throw new RecordError(`the calibration under bpftrace failed: ${error.message}`);
        throw error;
      });
      stop.check();
      const read = await readPair(
        stem,
        await readFile(trace, 'latin1'),
        run === 0 ? `${stem}.stripped.txt` : undefined,
      );
      if (run === 0) leafNs = read.leafNs;
      version = read.version;
      pairs.push(read.pair);
    }
  } finally {
    stop.dispose();
    for (const suffix of ['.untraced.json', '.traced.json', '.trace.txt', '.stripped.txt'])
      await rm(`${stem}${suffix}`, { force: true });
  }
  return estimate(plan, pairs, leafNs, performance.now() - started, version);
}

/** Options of `python` that take the next argument as their value. */
const WITH_VALUE = new Set(['-X', '-W', '--check-hash-based-pycs']);

/** The interpreter's own options of `python [options] script|-m|-c ...` (they change the cost). */
export function interpreterOptions(command: readonly string[]): string[] {
  const options: string[] = [];
  for (let index = 1; index < command.length; index++) {
    const arg = command[index]!;
    if (
      !arg.startsWith('-') ||
      arg === '-' ||
      arg === '-m' ||
      arg === '-c' ||
      arg.startsWith('-c') ||
      arg.startsWith('-m')
    )
      break;
    options.push(arg);
    if (WITH_VALUE.has(arg) && index + 1 < command.length) options.push(command[++index]!);
  }
  return options;
}

/**
 * The recording program with the cost line printed by its BEGIN probe, right after the header
 * line (the trace is written by bpftrace as it runs: no copy of a big file afterwards). The line
 * holds only letters, digits and `=.,-` (the version is digits): nothing printf would read.
 */
export function withCostLine(program: string, line: string): string {
  if (!/^[\w =.,#+-]+$/.test(line))
    throw new RecordError(`the cost line has characters bpftrace's printf cannot take: ${line}`);
  const header = /^(BEGIN\n\{\n[^\n]*pyflame-trace[^\n]*\n)/m.exec(program);
  if (header === null) throw new RecordError('the recording program has no header line to put the cost line after');
  const at = header.index + header[0].length;
  return `${program.slice(0, at)}\tprintf("${line}\\n");\n${program.slice(at)}`;
}
