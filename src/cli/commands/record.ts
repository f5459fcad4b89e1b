import { constants as osConstants } from 'node:os';
import type { Argv } from 'yargs';
import { RecordError } from '../../record/record-error.js';
import type { ProgramExit, TraceEnd } from '../../record/finish-trace.js';
import { recordTrace, type Recording, type RecordTarget } from '../../record/record.js';
import { markersUnusable, type RecordWay } from '../../record/choose-way.js';
import { recordInProcess, type InProcessRecording } from '../../record/record-inprocess.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { terminalText } from '../../text/untrusted.js';
import { invokedAs } from '../invoked-as.js';
import { ANALYZE_DEFAULTS, analyzeCommand, type AnalyzeArgs } from './analyze.js';

export interface RecordArgs {
  /** Before `--` (yargs reads options there), and `_`: `record` then all that follows `--`. */
  command?: string[];
  _: (string | number)[];
  pid?: number;
  output?: string;
  lines: boolean;
  audit: boolean;
  followChildren: boolean;
  analyze: boolean;
  /** --no-calibrate: no calibration, no cost line in the trace. */
  calibrate: boolean;
  /** Forces a way; by default the markers when usable, else in-process. */
  via?: RecordWay;
}

/** About this many events wait in the in-process recorder's buffer (16,384 words, 3-4 words each). */
const BUFFER_EVENTS = '5,000';

/** A path as it can be pasted into a shell. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The warning for a trace that is not proven complete, if it is not. */
export function incompleteWarning(recording: Recording | InProcessRecording): string | undefined {
  const { end } = recording;
  if (end.complete) return undefined;
  if ('via' in recording) {
    const cut = end.cutLine ? ' Its last chunk was cut short and dropped.' : '';
    const which = recording.processes > 1 ? ` (${end.marker.replace(/^.*reason=/, '')})` : '';
    return `warning: recording incomplete: the recorder inside the program did not finish the trace${which} (the program was killed before its exit handlers ran, e.g. by SIGKILL or a crash): the events of its last buffer (about ${BUFFER_EVENTS} events) are missing.${cut} The trace is kept and its last line says "result=incomplete"; record again.`;
  }
  const cut = end.cutLine ? ' Its last line was cut short and removed.' : '';
  if (end.fired === undefined || end.missing === undefined) {
    const why = recording.bpftraceFailure ?? 'it stopped before writing them, or its writes failed';
    return `warning: recording incomplete: bpftrace's final event counts are missing (${why}): the trace may end early, and how many events are missing is unknown.${cut} The trace is kept and its last line says "result=incomplete"; record again.`;
  }
  if (end.missing < 0)
    return `warning: recording incomplete: the trace has ${-end.missing} more event lines than the probes fired (${end.fired}): it is not what this recording wrote.${cut}`;
  return (
    `warning: recording incomplete: ${end.missing} of ${end.fired} events missing (the probes fired ${end.fired} times; ${end.events} were written, ${end.lost} reported lost): ` +
    `bpftrace stopped before writing them all${recording.interrupted ? ' (when stopped, bpftrace 0.17 throws away what it has not written yet: a busy --pid recording loses its last moments)' : ''}.${cut} ` +
    'The trace is kept and its last line says "result=incomplete"; record again.'
  );
}

/**
 * The warning for a program whose end the probe reported but the trace does not hold: its
 * `# pyflame-exit` line was one of the records bpftrace lost (or, in an incomplete trace, not
 * written), so a failure cannot be told from success.
 */
export function unknownEndWarning(end: TraceEnd): string | undefined {
  if (end.exitReport === undefined) return undefined;
  const why =
    end.exitReport === 'lost'
      ? 'its exit report (# pyflame-exit) was one of the events bpftrace lost'
      : 'its exit report (# pyflame-exit) is missing from the trace';
  return `warning: how the program ended is unknown: ${why}`;
}

/** How the program ended, in words; failed unless it exited with status 0. */
export function programEnd(exit: ProgramExit | undefined): { text: string; failed: boolean } | undefined {
  if (exit === undefined) return undefined;
  if ('status' in exit)
    return exit.status === 0 ? undefined : { text: `the program exited with status ${exit.status}`, failed: true };
  const name =
    Object.entries(osConstants.signals).find(([, number]) => number === exit.signal)?.[0] ?? `signal ${exit.signal}`;
  return { text: `the program was killed by ${name} (signal ${exit.signal})`, failed: true };
}

export const recordCommand = {
  command: 'record [command..]',
  describe:
    'Record a trace: with bpftrace on the CPython markers (Linux, root), or with a recorder inside the program (any CPython 3.8+); a running process with --pid (markers)',
  builder: (yargs: Argv) =>
    yargs
      .positional('command', {
        type: 'string',
        array: true,
        describe: 'the program to run, after --: the python interpreter, the script and its arguments',
      })
      .option('pid', { type: 'number', describe: 'attach to this running Python process instead (stop with Ctrl-C)' })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'the trace file (default out/<script>.pyflame.txt, out/pid-<PID>.pyflame.txt)',
      })
      .option('lines', {
        type: 'boolean',
        default: false,
        describe: 'also write line events (one per executed line: big traces)',
      })
      .option('audit', {
        type: 'boolean',
        default: false,
        describe: 'in-process: also write audit events (sys.addaudithook; the markers always write them)',
      })
      .option('follow-children', {
        type: 'boolean',
        default: false,
        describe:
          'in-process: Python subprocesses (subprocess, multiprocessing) record themselves too, into the same trace (implies --via inprocess)',
      })
      .option('calibrate', {
        type: 'boolean',
        // PYFLAME_CALIBRATE=0 makes --no-calibrate the default (scripts and test suites that record often).
        default: process.env.PYFLAME_CALIBRATE !== '0',
        describe:
          'first measure what one recorder firing costs (a few seconds) and state it in the trace, so that analyze can take it out; --no-calibrate (or PYFLAME_CALIBRATE=0) skips it',
      })
      .option('analyze', { type: 'boolean', default: false, describe: 'run pyflame analyze on the trace afterwards' })
      .option('via', {
        type: 'string',
        choices: ['markers', 'inprocess'],
        describe:
          'markers: bpftrace on the CPython markers (Linux, root); inprocess: a recorder inside the program (any CPython 3.8+). Default: the markers when usable, else in-process',
      })
      .example('sudo $0 record -- /usr/bin/python3.11 script.py arg', 'writes out/script.pyflame.txt')
      .example(
        'sudo $0 record -o trace.txt --pid 1234',
        'attach to a running process; Ctrl-C stops and keeps the trace',
      )
      .example('sudo $0 record --analyze -- /usr/bin/python3.11 -m mymodule', 'record, then print the report')
      .example('$0 record --via inprocess -- python3 script.py', 'no root, any CPython 3.8+: the in-process recorder')
      .example(
        '$0 record --follow-children -- python3 pool.py',
        'the program and its Python subprocesses, in one trace',
      )
      .epilog(
        'Two ways. The markers need Linux, root, bpftrace, and a CPython built --with-dtrace whose markers include function entry (Debian/Ubuntu /usr/bin/python3.X up to 3.11). Otherwise (or with --via inprocess) the in-process recorder runs the script or -m module under any CPython 3.8+, on any system, without root; it cannot attach to a running process. Ctrl-C, SIGTERM and SIGHUP go to the program; the trace is kept. Exit status: 0 a complete trace, 2 nothing kept, 3 the program failed (the trace is complete), 4 the trace is incomplete (kept, labelled in its last line). See docs/recording.md.',
      ),
  async run(args: RecordArgs, context: CommandContext): Promise<number> {
    const command = [...(args.command ?? []), ...args._.slice(1)].map(String);
    if (args.pid !== undefined && command.length > 0)
      throw new UsageError('give either a command (after --) or --pid, not both');
    if (args.pid === undefined && command.length === 0)
      throw new UsageError(
        'name the program to record after --, e.g. pyflame record -- /usr/bin/python3.11 script.py (or attach with --pid PID)',
      );
    if (args.pid !== undefined && (!Number.isInteger(args.pid) || args.pid <= 0))
      throw new UsageError(`--pid takes a process id (a whole number above 0); got ${String(args.pid)}`);
    if (args.output === '' || args.output === '-')
      throw new UsageError("-o takes a file path (bpftrace writes the trace to a file; stdout is the program's)");
    if (args.pid !== undefined && args.via === 'inprocess')
      throw new UsageError(
        '--pid attaches with bpftrace and the markers; --via inprocess records a program it starts (name it after --)',
      );
    if (args.followChildren && (args.pid !== undefined || args.via === 'markers'))
      throw new UsageError(
        "--follow-children is the in-process recorder's (each Python subprocess records itself); the markers record one process",
      );
    const target: RecordTarget = args.pid !== undefined ? { pid: args.pid } : { command };
    let recording: Recording | InProcessRecording;
    try {
      let way: RecordWay = args.via ?? 'markers';
      if (args.via === undefined && args.followChildren) way = 'inprocess';
      else if (args.via === undefined && 'command' in target) {
        const why = markersUnusable(command);
        if (why !== undefined) {
          way = 'inprocess';
          context.stderr.write(
            `pyflame: ${terminalText(`recording in-process (a recorder inside the program), not with bpftrace and the markers: ${why}`)}\n`,
          );
        }
      }
      recording =
        way === 'inprocess'
          ? await recordInProcess({
              command,
              output: args.output,
              lines: args.lines,
              audit: args.audit,
              followChildren: args.followChildren,
              stderr: context.stderr,
              calibrate: args.calibrate,
            })
          : await recordTrace({
              target,
              output: args.output,
              lines: args.lines,
              stderr: context.stderr,
              calibrate: args.calibrate,
            });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      context.stderr.write(`pyflame: error: ${terminalText(error.message)}\n`);
      return ExitCode.Error;
    }
    const say = (text: string) => context.stderr.write(`pyflame: ${terminalText(text)}\n`);
    const signal =
      recording.stoppedBy === undefined || recording.stoppedBy === 'SIGINT' ? 'interrupt' : recording.stoppedBy;
    const how = recording.interrupted ? `stopped by ${signal}; kept what was recorded` : 'the program ended';
    const processes = 'via' in recording && recording.processes > 1 ? ` of ${recording.processes} processes` : '';
    say(`wrote ${recording.output}: ${recording.events} events${processes} (${how})`);
    if (recording.lost > 0 && !('via' in recording))
      say(
        `warning: bpftrace lost ${recording.lost} events (its buffer overflowed): calls around them are incomplete. Record again with a bigger buffer, e.g. BPFTRACE_PERF_RB_PAGES=${Number(recording.perfPages) * 4} (now ${recording.perfPages} pages per CPU)`,
      );
    const incomplete = incompleteWarning(recording);
    if (incomplete !== undefined) say(incomplete);
    const ended = programEnd(recording.end.exit);
    if (ended !== undefined) say(ended.text);
    const unknownEnd = unknownEndWarning(recording.end);
    if (unknownEnd !== undefined) say(unknownEnd);
    const status =
      incomplete !== undefined
        ? ExitCode.Incomplete
        : ended?.failed && !recording.interrupted
          ? ExitCode.ProgramFailed
          : ExitCode.Ok;
    if (!('via' in recording) && !recording.probes.functionCalls)
      say(
        'the trace has no function calls (this CPython has no function markers): analyze shows GC, imports and audit events only',
      );
    if (!args.analyze) {
      say(`next: ${invokedAs()} analyze ${shellWord(recording.output)}`);
      return status;
    }
    const analyzeArgs: AnalyzeArgs = {
      ...ANALYZE_DEFAULTS,
      traces: [recording.output],
      lines: args.lines,
    };
    const analyzed = await analyzeCommand.run(analyzeArgs, context);
    return analyzed === ExitCode.Ok ? status : analyzed;
  },
};
