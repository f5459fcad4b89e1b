import type { Argv } from 'yargs';
import { convertTrace } from '../../convert.js';
import { EVENT_LOG_FORMATS, type EventLogFormatName } from '../../export/event-log/registry.js';
import { openOutput } from '../../io/output.js';
import { formatNames } from '../../parse/registry.js';
import { reportWarnings, type CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { readOptionsFrom, readOptionFlags, tracePath } from '../read-flags.js';
import { checkDestinations, type Destination } from '../destination.js';
import { terminalText } from '../../text/untrusted.js';

/** Besides the text event logs: Parquet, written to a file only (docs/parquet.md). */
const CONVERT_TARGETS = [...Object.keys(EVENT_LOG_FORMATS), 'parquet'] as const;

export interface ConvertArgs {
  trace: string;
  to: EventLogFormatName | 'parquet';
  output?: string;
  format?: string;
  'reorder-window'?: number;
}

export const convertCommand = {
  command: 'convert <trace>',
  describe: 'Write the normalized event log of a trace as CSV, JSONL or Parquet',
  builder: (yargs: Argv) =>
    readOptionFlags(yargs)
      .positional('trace', { type: 'string', describe: 'recorded trace (any format; .gz accepted; - for stdin)' })
      .option('to', { choices: CONVERT_TARGETS, demandOption: true, describe: 'event log format' })
      .option('output', { alias: 'o', type: 'string', describe: 'output file (default stdout; - is stdout)' })
      .example('$0 convert trace.txt --to csv -o out/trace.csv', 'CSV event log')
      .example('$0 convert trace.txt.gz --to jsonl | head', 'JSON lines to stdout')
      .example('$0 convert trace.txt --to parquet -o out/trace.parquet', 'Parquet (zstd), for DuckDB, Spark, ...')
      .epilog(`Formats read: ${formatNames().join(', ')}`),
  async run(args: ConvertArgs, context: CommandContext): Promise<number> {
    const trace = tracePath(args.trace);
    const to: Destination =
      args.output === undefined || args.output === '-' ? { kind: 'stdout' } : { kind: 'file', path: args.output };
    if (args.to === 'parquet') {
      if (to.kind !== 'file')
        throw new UsageError('--to parquet writes a file: give it -o FILE (Parquet is not written to stdout)');
      checkDestinations([{ flag: '-o', to }], [trace], context);
      // Loaded only here: DuckDB is a large native module that no other command needs.
      const { convertTraceToParquet } = await import('../../export/parquet/event-log-parquet.js');
      // Before any trace is read: a platform without DuckDB costs no conversion.
      (await import('../../export/parquet/duckdb-engine.js')).duckDbModule();
      const summary = await convertTraceToParquet(trace, to.path, readOptionsFrom(args, context));
      reportWarnings(context, summary);
      context.stderr.write(`pyflame: wrote ${summary.events} events to ${terminalText(to.path)}\n`);
      return ExitCode.Ok;
    }
    checkDestinations([{ flag: '-o', to }], [trace], context);
    const output = await openOutput(to.kind === 'file' ? to.path : '-', context.stdout);
    try {
      const summary = await convertTrace(trace, output, { to: args.to, ...readOptionsFrom(args, context) });
      await output.commit();
      reportWarnings(context, summary);
      if (to.kind === 'file')
        context.stderr.write(`pyflame: wrote ${summary.events} events to ${terminalText(to.path)}\n`);
      return ExitCode.Ok;
    } catch (error) {
      await output.abort();
      throw error;
    }
  },
};
