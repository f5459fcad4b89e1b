import type { Argv } from 'yargs';
import { RecordError } from '../../record/record-error.js';
import { recordTrace, type RecordTarget } from '../../record/record.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { terminalSafe } from '../terminal.js';
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
      .epilog('Needs Linux, root, bpftrace, and a CPython built --with-dtrace (Debian/Ubuntu /usr/bin/python3.X). On CPython 3.12-3.14 only GC, import and audit events can be recorded. See docs/recording.md.'),
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
    const say = (text: string) => context.stderr.write(`pyflame: ${text}\n`);
    const how = recording.interrupted ? 'stopped by interrupt; kept what was recorded' : 'the program ended';
    say(`wrote ${recording.output}: ${recording.events} events (${how})`);
    if (recording.lost > 0) say(`warning: bpftrace lost ${recording.lost} events (its buffer overflowed): calls around them are incomplete. Record again with a bigger buffer, e.g. BPFTRACE_PERF_RB_PAGES=${Number(recording.perfPages) * 4} (now ${recording.perfPages} pages per CPU)`);
    if (!recording.probes.functionCalls) say('the trace has no function calls (this CPython has no function markers): analyze shows GC, imports and audit events only');
    if (!args.analyze) {
      say(`next: pyflame analyze ${shellWord(recording.output)}`);
      return ExitCode.Ok;
    }
    const analyzeArgs: AnalyzeArgs = { traces: [recording.output], weight: 'self-us', 'per-thread': false, minwidth: 0.1, inverted: false, top: 15, sort: 'self', lines: args.lines };
    return analyzeCommand.run(analyzeArgs, context);
  },
};
