import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import type { Analysis } from '../../analyze/analysis.js';
import { analyzeTrace } from '../../analyze/analyze.js';
import type { FoldedWeight } from '../../export/folded.js';
import { formatNames } from '../../parse/registry.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { filterFlags, filtersFrom, type FilterArgs } from '../filter-flags.js';
import { parseDurationFlag } from '../flag-values.js';
import { readOptionFlags, readOptionsFrom, tracePath } from '../read-flags.js';
import { renderReport, reportWidth, SORT_KEYS, type SortKey } from '../../export/terminal/report.js';
import { formatWarnings } from '../../export/terminal/warnings.js';
import { onInterrupt } from '../interrupt.js';
import { foldedGivenAsTrace } from '../wrong-command.js';
import { outputName, sayWrote, writeText } from '../destination.js';
import type { TableRows } from '../../export/parquet/analysis-tables.js';
import { labelOption, labelsFrom, parquetDirFrom, parquetOption } from '../parquet-flags.js';
import { colorWanted } from '../color-wanted.js';
import { ANALYZE_OUTPUTS, DEFAULT_FOLDED_WEIGHT, speedscopeMaxBytes } from '../outputs/analyze-outputs.js';
import { DEFAULT_SPEEDSCOPE_MAX_MB } from '../../export/speedscope/size-budget.js';
import { declareOutputFlags, listFlags } from '../outputs/output-spec.js';
import { planOutputs } from '../outputs/plan-outputs.js';
import {
  DEFAULT_MIN_WIDTH_PERCENT,
  invertedOption,
  minWidthOption,
  minWidthPercent,
  stdinAtMostOnce,
  topOption,
  topRows,
} from '../shared-flags.js';

// Kept importable from here, where they were first defined.
export { colorWanted, outputName };

/** The flags as yargs hands them over; the output flags (--json, --svg, ...) are read by ANALYZE_OUTPUTS' flag names. */
export interface AnalyzeArgs extends FilterArgs {
  traces: string[];
  format?: string;
  'reorder-window'?: number;
  weight: FoldedWeight;
  'per-thread': boolean;
  'speedscope-max-mb': number;
  minwidth: number;
  inverted: boolean;
  top: number;
  sort: SortKey;
  lines: boolean;
  mergeable: boolean;
  overhead?: string;
  parquet?: string;
  label?: string[];
}

/** The flags' defaults, declared below; also what `record --analyze` runs with. */
export const ANALYZE_DEFAULTS = {
  weight: DEFAULT_FOLDED_WEIGHT,
  'per-thread': false,
  'speedscope-max-mb': DEFAULT_SPEEDSCOPE_MAX_MB,
  minwidth: DEFAULT_MIN_WIDTH_PERCENT,
  inverted: false,
  top: 15,
  sort: 'self',
  lines: false,
  mergeable: false,
} as const satisfies Partial<AnalyzeArgs>;

/** Inputs at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

/** A cli-progress bar on stderr for a large file read from a terminal session; undefined otherwise. */
async function progressFor(path: string, context: CommandContext): Promise<CommandContext['progress']> {
  if (context.progress !== undefined) return context.progress;
  if (path === '-' || (context.stderr as NodeJS.WriteStream).isTTY !== true) return undefined;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return undefined; // the read itself reports what is wrong
  }
  if (size < PROGRESS_MIN_BYTES) return undefined;
  const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
  // Loaded only here: most runs show no bar, and cli-progress (with readline) costs start-up time.
  const cliProgress = (await import('cli-progress')).default;
  const bar = new cliProgress.SingleBar(
    {
      stream: context.stderr,
      format: `pyflame: reading ${basename(path)} {bar} {percentage}% | {done}/{size} MB | ETA {eta_formatted}`,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 30,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(size, 0, { done: mb(0), size: mb(size) });
  // Ctrl-C must not leave the bar's line open (nor the cursor hidden).
  const forget = onInterrupt(() => bar.stop());
  return {
    update: (bytesRead: number) => bar.update(Math.min(bytesRead, size), { done: mb(bytesRead) }),
    stop: () => {
      forget();
      bar.stop();
    },
  };
}

export const analyzeCommand = {
  command: 'analyze <traces..>',
  describe:
    'Report where the time went (functions, GC pauses, imports, lines) and write flame graphs, charts, HTML, JSON, speedscope, folded stacks',
  builder: (yargs: Argv) =>
    declareOutputFlags(
      filterFlags(readOptionFlags(yargs)).positional('traces', {
        type: 'string',
        array: true,
        describe: 'recorded traces (any format; .gz accepted; - for stdin)',
      }),
      ANALYZE_OUTPUTS,
    )
      .option(
        'minwidth',
        minWidthOption(
          'SVG, chart: leave out frames narrower than PCT percent of the whole graph (of the time span, for --chart)',
        ),
      )
      .option('inverted', invertedOption('SVG: '))
      .option('top', topOption(ANALYZE_DEFAULTS.top))
      .option('sort', {
        choices: SORT_KEYS,
        default: ANALYZE_DEFAULTS.sort as SortKey,
        describe: 'order of the first function table',
      })
      .option('lines', {
        type: 'boolean',
        default: ANALYZE_DEFAULTS.lines,
        describe: 'show the hottest source lines (traces with line events)',
      })
      .option('mergeable', {
        type: 'boolean',
        default: ANALYZE_DEFAULTS.mergeable,
        describe:
          "JSON: add each function's duration sketch, so that pyflame merge of saved results gives percentiles (within 1%; a larger file)",
      })
      .option('parquet', parquetOption)
      .option('label', labelOption)
      .option('overhead', {
        type: 'string',
        describe: 'probe cost per event to subtract (ns, or 8us...; see docs/analyze.md)',
      })
      .example('$0 analyze trace.txt', 'the terminal report')
      .example('$0 analyze trace.txt --json', 'also write out/trace.json')
      .example('$0 analyze trace.txt --json - | jq .gc', 'JSON on stdout (no report)')
      .example("$0 analyze trace.txt --focus '^main$'", 'only what runs under main()')
      .example("$0 analyze trace.txt --exclude '<frozen'", 'importlib frames folded into callers')
      .example('$0 analyze trace.txt --folded --speedscope', 'also out/trace.folded and out/trace.speedscope.json')
      .example('$0 analyze trace.txt --svg', 'also out/trace.svg, an interactive flame graph')
      .example('$0 analyze trace.txt --html', 'also out/trace.html, a one-page offline report')
      .example('$0 analyze trace.txt --chart', 'also out/trace.chart.svg, calls in time order')
      .example(
        '$0 analyze trace.txt --parquet out/tables --label commit=abc123',
        'also Parquet tables in out/tables (docs/parquet.md)',
      )
      .epilog(
        `Put ${listFlags(ANALYZE_OUTPUTS)} after the traces (or write --json=PATH): a word after them is taken as their path.\nFormats read: ${formatNames().join(', ')}. See docs/analyze.md.`,
      ),
  async run(args: AnalyzeArgs, context: CommandContext): Promise<number> {
    const traces = (args.traces ?? []).map((trace) => tracePath(trace));
    if (traces.length === 0) throw new UsageError('name at least one trace to analyze (- reads stdin)');
    stdinAtMostOnce(traces);
    const top = topRows(args.top);
    const { filters, described } = filtersFrom(args);
    // Whole ns, so every time in the analysis (and the --json document) stays an integer.
    const overheadNs =
      args.overhead === undefined ? undefined : Math.round(parseDurationFlag('overhead', args.overhead));
    const outputs = planOutputs(ANALYZE_OUTPUTS, args, traces);
    const minWidth = minWidthPercent(args.minwidth);
    speedscopeMaxBytes(args['speedscope-max-mb']); // a bad value stops the run before any trace is read
    const parquetDir = parquetDirFrom(args.parquet);
    const labels = labelsFrom(args.label, parquetDir);
    // Each trace's rows, kept (not its analysis) until every trace is read: one file per table.
    const parquetRuns: TableRows[] = [];
    // DuckDB loaded before any trace is read: a platform without it costs no analysis.
    if (parquetDir !== undefined) (await import('../../export/parquet/duckdb-engine.js')).duckDbModule();
    // Every destination is checked before the first trace is read: a mistake costs no analysis.
    const { toStdout } = outputs.check(context);
    const readOptions = readOptionsFrom(args, context);
    const width = reportWidth(context.stdout);
    const color = colorWanted(context.stdout);

    for (const [index, trace] of traces.entries()) {
      const progress = await progressFor(trace, context);
      let analysis: Analysis;
      // The call timeline is kept only for the outputs that draw it.
      const timeline =
        outputs.needing('timeline', trace).length > 0
          ? new (await import('../../export/speedscope/timeline-recorder.js')).TimelineRecorder()
          : undefined;
      try {
        try {
          // Stdin only for `-`. A second parsing thread only for a big file (analyzeTrace decides,
          // unless PYFLAME_THREADED says: readOptionsFrom).
          analysis = await analyzeTrace(trace, {
            ...readOptions,
            stdin: trace === '-' ? readOptions.stdin : undefined,
            onProgress: progress?.update,
            filters,
            overheadNs,
            timeline,
            sketches: args.mergeable,
          });
        } catch (error) {
          throw foldedGivenAsTrace(error, trace);
        } finally {
          progress?.stop();
        }
        const note = (line: string) => context.stderr.write(`${line}\n`);
        await outputs.write(
          trace,
          {
            trace,
            analysis,
            timeline,
            title: outputName(trace),
            filters: described,
            minWidthPercent: minWidth,
            inverted: args.inverted,
            weight: args.weight,
            perThread: args['per-thread'],
            speedscopeMaxMb: args['speedscope-max-mb'],
            note,
          },
          context,
        );
        if (parquetDir !== undefined) {
          const { runRows } = await import('../../export/parquet/analysis-tables.js');
          parquetRuns.push(runRows({ analysis, labels }).rows);
        }
      } finally {
        // A long trace's timeline may be in a temporary file: given back once its outputs are written.
        timeline?.dispose();
      }
      if (toStdout) {
        // Only the document goes to stdout: the warnings the report would show go to stderr.
        for (const line of formatWarnings(analysis.source.path, analysis.warnings)) context.stderr.write(`${line}\n`);
      } else {
        const report = renderReport(analysis, {
          top,
          sort: args.sort,
          lines: args.lines,
          color,
          width,
          filters: described,
        });
        await writeText({ kind: 'stdout' }, () => (index > 0 ? `\n${report}` : report), context);
      }
    }
    if (parquetDir !== undefined) {
      // Loaded only here: DuckDB is a large native module that no other output needs.
      const { writeAnalysisTables } = await import('../../export/parquet/write-tables.js');
      const files = await writeAnalysisTables(parquetDir, parquetRuns);
      sayWrote(
        context,
        parquetDir,
        ` (${files.length} Parquet tables, ${parquetRuns.length} run${parquetRuns.length === 1 ? '' : 's'})`,
      );
    }
    return ExitCode.Ok;
  },
};
