import { constants as osConstants } from 'node:os';
import type { Argv } from 'yargs';
import { RecordError } from '../../record/record-error.js';
import type { ProgramExit } from '../../record/finish-trace.js';
import { recordTrace, type Recording, type RecordTarget } from '../../record/record.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { terminalSafe } from '../terminal.js';
import { invokedAs } from '../invoked-as.js';
import { analyzeCommand, type AnalyzeArgs } from './analyze.js';

export interface RecordArgs {
  /** Before `--` (yargs reads options there), and `_`: `record` then all that follows `--`. */
  command?: string[];
  _: (string | number)[];
  pid?: number;
  output?: string;
  lines: boolean;
  analyze: boolean;
}

/** A path as it can be pasted into a shell. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** The warning for a trace that is not proven complete, if it is not. */
export function incompleteWarning(recording: Recording): string | undefined {
  const { end } = recording;
  if (end.complete) return undefined;
  const cut = end.cutLine ? ' Its last line was cut short and removed.' : '';
  if (end.fired === undefined || end.missing === undefined) {
    const why = recording.bpftraceFailure ?? 'it stopped before writing them, or its writes failed';
    return `warning: recording incomplete: bpftrace's final event counts are missing (${why}): the trace may end early, and how many events are missing is unknown.${cut} The trace is kept and its last line says "result=incomplete"; record again.`;
  }
  if (end.missing < 0) return `warning: recording incomplete: the trace has ${-end.missing} more event lines than the probes fired (${end.fired}): it is not what this recording wrote.${cut}`;
  return (
    `warning: recording incomplete: ${end.missing} of ${end.fired} events missing (the probes fired ${end.fired} times; ${end.events} were written, ${end.lost} reported lost): ` +
    `bpftrace stopped before writing them all${recording.interrupted ? ' (when stopped, bpftrace 0.17 throws away what it has not written yet: a busy --pid recording loses its last moments)' : ''}.${cut} ` +
    'The trace is kept and its last line says "result=incomplete"; record again.'
  );
}

/** How the program ended, in words; failed unless it exited with status 0. */
export function programEnd(exit: ProgramExit | undefined): { text: string; failed: boolean } | undefined {
  if (exit === undefined) return undefined;
  if ('status' in exit) return exit.status === 0 ? undefined : { text: `the program exited with status ${exit.status}`, failed: true };
  const name = Object.entries(osConstants.signals).find(([, number]) => number === exit.signal)?.[0] ?? `signal ${exit.signal}`;
  return { text: `the program was killed by ${name} (signal ${exit.signal})`, failed: true };
}

export const recordCommand = {
  command: 'record [command..]',
  describe: 'Record a trace with bpftrace (Linux, root): a command from its start, or a running process with --pid',
  builder: (yargs: Argv) =>
    yargs
      .positional('command', { type: 'string', array: true, describe: 'the program to run, after --: the python interpreter, the script and its arguments' })
      .option('pid', { type: 'number', describe: 'attach to this running Python process instead (stop with Ctrl-C)' })
      .option('output', { alias: 'o', type: 'string', describe: 'the trace file (default out/<script>.pyflame.txt, out/pid-<PID>.pyflame.txt)' })
      .option('lines', { type: 'boolean', default: false, describe: 'also write line events (one per executed line: big traces)' })
      .option('analyze', { type: 'boolean', default: false, describe: 'run pyflame analyze on the trace afterwards' })
      .example('sudo $0 record -- /usr/bin/python3.11 script.py arg', 'writes out/script.pyflame.txt')
      .example('sudo $0 record -o trace.txt --pid 1234', 'attach to a running process; Ctrl-C stops and keeps the trace')
      .example('sudo $0 record --analyze -- /usr/bin/python3.11 -m mymodule', 'record, then print the report')
      .epilog('Needs Linux, root, bpftrace, and a CPython built --with-dtrace (Debian/Ubuntu /usr/bin/python3.X). On CPython 3.12-3.14 only GC, import and audit events can be recorded. Ctrl-C, SIGTERM and SIGHUP go to the program; the trace is kept. Exit status: 0 a complete trace, 2 nothing kept, 3 the program failed (the trace is complete), 4 the trace is incomplete (kept, labelled in its last line). See docs/recording.md.'),
  async run(args: RecordArgs, context: CommandContext): Promise<number> {
    const command = [...(args.command ?? []), ...args._.slice(1)].map(String);
    if (args.pid !== undefined && command.length > 0) throw new UsageError('give either a command (after --) or --pid, not both');
    if (args.pid === undefined && command.length === 0) throw new UsageError('name the program to record after --, e.g. pyflame record -- /usr/bin/python3.11 script.py (or attach with --pid PID)');
    if (args.pid !== undefined && (!Number.isInteger(args.pid) || args.pid <= 0)) throw new UsageError(`--pid takes a process id (a whole number above 0); got ${String(args.pid)}`);
    if (args.output === '' || args.output === '-') throw new UsageError('-o takes a file path (bpftrace writes the trace to a file; stdout is the program\'s)');
    const target: RecordTarget = args.pid !== undefined ? { pid: args.pid } : { command };
    let recording;
    try {
      recording = await recordTrace({ target, output: args.output, lines: args.lines, stderr: context.stderr });
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      context.stderr.write(`pyflame: error: ${terminalSafe(error.message)}\n`);
      return ExitCode.Error;
    }
    const say = (text: string) => context.stderr.write(`pyflame: ${terminalSafe(text)}\n`);
    const signal = recording.stoppedBy === undefined || recording.stoppedBy === 'SIGINT' ? 'interrupt' : recording.stoppedBy;
    const how = recording.interrupted ? `stopped by ${signal}; kept what was recorded` : 'the program ended';
    say(`wrote ${recording.output}: ${recording.events} events (${how})`);
    if (recording.lost > 0) say(`warning: bpftrace lost ${recording.lost} events (its buffer overflowed): calls around them are incomplete. Record again with a bigger buffer, e.g. BPFTRACE_PERF_RB_PAGES=${Number(recording.perfPages) * 4} (now ${recording.perfPages} pages per CPU)`);
    const incomplete = incompleteWarning(recording);
    if (incomplete !== undefined) say(incomplete);
    const ended = programEnd(recording.end.exit);
    if (ended !== undefined) say(ended.text);
    const status = incomplete !== undefined ? ExitCode.Incomplete : ended?.failed && !recording.interrupted ? ExitCode.ProgramFailed : ExitCode.Ok;
    if (!recording.probes.functionCalls) say('the trace has no function calls (this CPython has no function markers): analyze shows GC, imports and audit events only');
    if (!args.analyze) {
      say(`next: ${invokedAs()} analyze ${shellWord(recording.output)}`);
      return status;
    }
    const analyzeArgs: AnalyzeArgs = { traces: [recording.output], weight: 'self-us', 'per-thread': false, minwidth: 0.1, inverted: false, top: 15, sort: 'self', lines: args.lines };
    const analyzed = await analyzeCommand.run(analyzeArgs, context);
    return analyzed === ExitCode.Ok ? status : analyzed;
  },
};
