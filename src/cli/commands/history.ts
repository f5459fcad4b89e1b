import type { Argv } from 'yargs';
import type { RunLabel } from '../../export/parquet/analysis-tables.js';
import { reportWidth } from '../../export/terminal/report.js';
import { TraceInputError } from '../../model/diagnostics.js';
import { colorWanted } from '../color-wanted.js';
import type { CommandContext } from '../command-context.js';
import { destination, writeText } from '../destination.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { parseLabels } from '../parquet-flags.js';
import { readOptionFlags, readOptionsFrom } from '../read-flags.js';
import { onlyOnce, topOption, topRows } from '../shared-flags.js';

export interface HistoryArgs {
  action: string;
  args?: string[];
  store?: string;
  label?: string[] | string;
  by?: string;
  order?: string;
  from?: string;
  to?: string;
  top: number;
  html?: string;
  format?: string;
  'reorder-window'?: number;
}

const ACTIONS = ['add', 'trend', 'movers', 'sql'] as const;

export const historyCommand = {
  command: 'history <action> [args..]',
  describe: "A history of runs (Parquet files queried with embedded DuckDB): add runs; a function's trend; movers; SQL",
  builder: (yargs: Argv) =>
    readOptionFlags(yargs)
      .positional('action', { type: 'string', choices: ACTIONS, describe: 'add | trend | movers | sql' })
      .positional('args', {
        type: 'string',
        array: true,
        describe:
          'add: RESULT... (traces, --json results, --parquet folders); trend: FUNCTION... (NAME or FILE:NAME); sql: QUERY',
      })
      .option('store', { type: 'string', describe: 'the history folder (default .pyflame/history)' })
      .option('label', {
        type: 'string',
        describe: 'add: a label of the runs added, key=value (commit=abc123, branch=main); repeatable',
      })
      .option('by', { type: 'string', describe: 'trend: one row per value of this label (medians of its runs)' })
      .option('order', {
        type: 'string',
        choices: ['added', 'value'],
        describe: "trend --by: rows in the order their first run was added (default), or by the label's value",
      })
      .option('html', {
        type: 'string',
        describe:
          'trend: also one offline page charting each FUNCTION: to PATH, out/history-trend.html without one, - for stdout',
      })
      .option('from', { type: 'string', describe: 'movers: the runs labelled key=value to compare from' })
      .option('to', { type: 'string', describe: 'movers: the runs labelled key=value to compare to' })
      .option('top', topOption(20))
      .example('$0 history add trace.txt --label commit=$(git rev-parse --short HEAD) --label branch=main', 'add a run')
      .example('$0 history trend parse --by commit', "parse's self/total/calls, one row per commit in the order added")
      .example('$0 history movers --from commit=abc123 --to commit=def456', 'largest self-time changes')
      .example('$0 history sql "SELECT count(*) FROM runs"', 'any query over the tables (docs/history.md)')
      .epilog('See docs/history.md.'),
  async run(args: HistoryArgs, context: CommandContext): Promise<number> {
    for (const flag of ['store', 'by', 'order', 'from', 'to'] as const) onlyOnce(flag, args[flag]);
    const store = args.store ?? (await import('../../history/store.js')).DEFAULT_STORE;
    if (store === '') throw new UsageError('--store takes the history folder');
    const rest = (args.args ?? []).map(String);
    const flagsFor: Record<string, readonly string[]> = {
      add: ['label', 'format', 'reorder-window'],
      trend: ['by', 'order', 'html'],
      movers: ['from', 'to', 'top'],
      sql: [],
    };
    for (const flag of ['label', 'by', 'order', 'from', 'to', 'html', 'format', 'reorder-window'] as const)
      if (args[flag] !== undefined && !flagsFor[args.action].includes(flag))
        throw new UsageError(`--${flag} is not an option of history ${args.action}`);
    const style = { color: colorWanted(context.stdout), width: reportWidth(context.stdout) };
    switch (args.action) {
      case 'add':
        return addRuns(store, rest, args, context);
      case 'trend': {
        if (rest.length === 0) throw new UsageError('history trend takes a FUNCTION (NAME or FILE:NAME), or several');
        const html = destination('html', args.html, ['history-trend'], '.html', {
          nameOf: (name) => name,
          noun: 'pages',
          command: 'history trend',
        })('history-trend');
        const { functionChoice, functionTrend } = await import('../../history/trend.js');
        const { renderTrend } = await import('../../history/render.js');
        const trends = await withHistory(store, ['functions', 'labels', 'added'], async (engine) => {
          const found = [];
          for (const text of rest)
            found.push(
              await functionTrend(engine, functionChoice(text), {
                by: args.by,
                order: args.order as 'added' | 'value' | undefined,
              }),
            );
          return found;
        });
        if (html.kind !== 'stdout') context.stdout.write(trends.map((trend) => renderTrend(trend, style)).join('\n'));
        await writeText(
          html,
          async () => (await import('../../history/trend-html.js')).trendHtmlPage(trends, store),
          context,
        );
        return ExitCode.Ok;
      }
      case 'movers': {
        if (rest.length > 0) throw new UsageError('history movers takes --from key=value --to key=value, no argument');
        const from = sideLabel('from', args.from);
        const to = sideLabel('to', args.to);
        const limit = topRows(args.top);
        const { selfTimeMovers } = await import('../../history/movers.js');
        const { renderMovers } = await import('../../history/render.js');
        const movers = await withHistory(store, ['functions', 'labels'], (engine) =>
          selfTimeMovers(engine, from, to, limit),
        );
        context.stdout.write(renderMovers(movers, String(args.from), String(args.to), style));
        return ExitCode.Ok;
      }
      default: {
        if (rest.length !== 1) throw new UsageError('history sql takes one QUERY (quote it)');
        const { renderRows } = await import('../../history/render.js');
        const result = await withHistory(store, undefined, async (engine) => {
          try {
            const reader = await engine.connection.runAndReadAll(rest[0]);
            return { columns: reader.columnNames(), rows: reader.getRowsJS() };
          } catch (error) {
            throw new UsageError(`history sql: ${(error as Error).message}`);
          }
        });
        context.stdout.write(renderRows(result.columns, result.rows, style));
        return ExitCode.Ok;
      }
    }
  },
};

/** --from / --to: one key=value label. */
function sideLabel(flag: string, value: string | undefined): RunLabel {
  if (value === undefined)
    throw new UsageError(`history movers needs --${flag} key=value (e.g. --${flag} commit=abc123)`);
  return parseLabels([value])[0];
}

/** Opens the store's views, runs `query`, closes; the history's own errors become exit 2. */
async function withHistory<T>(
  store: string,
  tables: readonly string[] | undefined,
  query: (engine: import('../../export/parquet/duckdb-engine.js').ParquetEngine) => Promise<T>,
): Promise<T> {
  const { openHistory, EmptyHistoryError } = await import('../../history/history-db.js');
  const { FunctionChoiceError } = await import('../../history/trend.js');
  const { NoRunsError } = await import('../../history/movers.js');
  let engine: Awaited<ReturnType<typeof openHistory>>;
  try {
    engine = await openHistory(store, tables);
  } catch (error) {
    if (error instanceof EmptyHistoryError)
      throw new TraceInputError(store, undefined, error.message.replace(/^the history \S+ /, ''));
    throw error;
  }
  try {
    return await query(engine);
  } catch (error) {
    if (error instanceof FunctionChoiceError || error instanceof NoRunsError) throw new UsageError(error.message);
    throw error;
  } finally {
    engine.close();
  }
}

async function addRuns(store: string, results: readonly string[], args: HistoryArgs, context: CommandContext) {
  if (results.length === 0)
    throw new UsageError(
      'history add needs at least one RESULT (a trace, an analyze --json result or a --parquet folder)',
    );
  const labels = parseLabels(args.label === undefined ? [] : Array.isArray(args.label) ? args.label : [args.label]);
  if (results.includes('') || results.includes('-'))
    throw new UsageError('history add reads files and folders, not stdin');
  const readOptions = readOptionsFrom(args, context);
  const { runSourcesOf } = await import('../../history/sources.js');
  const { addToStore, storedRunIds } = await import('../../history/store.js');
  const { terminalText } = await import('../../text/untrusted.js');
  // Every result is read before the store is touched: a bad one adds nothing.
  const sources = [];
  for (const path of results) {
    for (const source of await runSourcesOf(path, labels, readOptions)) sources.push({ path, source });
  }
  const outcomes = await addToStore(
    store,
    sources.map(({ source }) => source),
  );
  for (const [index, outcome] of outcomes.entries()) {
    const from = terminalText(sources[index].path);
    context.stdout.write(
      'already' in outcome
        ? `run ${outcome.runId} (${from}) is already in the history\n`
        : `added run ${outcome.runId} (${from}) as #${outcome.added}\n`,
    );
  }
  const total = storedRunIds(store).length;
  context.stderr.write(`pyflame: history ${terminalText(store)} holds ${total} run${total === 1 ? '' : 's'}\n`);
  return ExitCode.Ok;
}
