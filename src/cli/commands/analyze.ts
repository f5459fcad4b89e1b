import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import type { Argv } from 'yargs';
import type { Analysis } from '../../analyze/analysis.js';
import { analyzeTrace } from '../../analyze/analyze.js';
import type { FoldedWeight } from '../../export/folded.js';
import type { TimelineRecorder } from '../../export/speedscope/timeline-recorder.js';
import { VERSION } from '../../version.js';
import { formatNames } from '../../parse/registry.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { filterFlags, filtersFrom, type FilterArgs } from '../filter-flags.js';
import { parseDurationFlag } from '../flag-values.js';
import { readOptionFlags, readOptionsFrom, tracePath } from '../read-flags.js';
import { renderReport, reportWidth, SORT_KEYS, type SortKey } from '../../export/terminal/report.js';
import { formatWarnings } from '../../export/terminal/warnings.js';
import { terminalText } from '../../text/untrusted.js';
import { onInterrupt } from '../interrupt.js';
import { foldedGivenAsTrace } from '../wrong-command.js';
import { checkDestinations, destination, outputName, writeStreamed, writeText } from '../destination.js';

// Kept importable from here, where it was first defined.
export { outputName };

export interface AnalyzeArgs extends FilterArgs {
  traces: string[];
  format?: string;
  'reorder-window'?: number;
  json?: string;
  importtime?: string;
  folded?: string;
  weight: FoldedWeight;
  'per-thread': boolean;
  speedscope?: string;
  svg?: string;
  html?: string;
  chart?: string;
  minwidth: number;
  inverted: boolean;
  top: number;
  sort: SortKey;
  lines: boolean;
  overhead?: string;
}

const FOLDED_WEIGHTS: readonly FoldedWeight[] = ['self-us', 'self-ns', 'calls'];

/** Inputs at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

/** Are colours wanted on this stream? NO_COLOR (non-empty) disables, FORCE_COLOR forces, TERM=dumb disables, else a TTY. */
export function colorWanted(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  // A dumb terminal (Emacs' shell, some CI logs) shows escape codes as text.
  if (env.TERM === 'dumb') return false;
  return (stream as NodeJS.WriteStream).isTTY === true;
}

/** Below this size a trace is parsed on the main thread: a parsing thread takes ~90 ms to start. */
const THREAD_MIN_BYTES = 16 * 1024 * 1024;

/** Is `path` big enough for the parsing thread to pay (a compressed file counts for more)? */
async function worthAThread(path: string): Promise<boolean> {
  try {
    const size = (await stat(path)).size;
    return path.endsWith('.gz') ? size * 8 >= THREAD_MIN_BYTES : size >= THREAD_MIN_BYTES;
  } catch {
    return true; // the read itself reports what is wrong
  }
}

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
  describe: 'Report where the time went (functions, GC pauses, imports, lines) and write flame graphs, charts, HTML, JSON, speedscope, folded stacks',
  builder: (yargs: Argv) =>
    filterFlags(readOptionFlags(yargs))
      .positional('traces', { type: 'string', array: true, describe: 'recorded traces (any format; .gz accepted; - for stdin)' })
      .option('json', { type: 'string', describe: 'write the analysis as JSON: to PATH, to out/<name>.json without one, to stdout with -' })
      .option('importtime', { type: 'string', describe: 'write the imports as `python -X importtime` text: to PATH, to out/<name>.importtime.txt without one, to stdout with -' })
      .option('folded', { type: 'string', describe: 'write folded stacks (flamegraph.pl, inferno, speedscope): to PATH, to out/<name>.folded without one, to stdout with -' })
      .option('weight', { choices: FOLDED_WEIGHTS, default: 'self-us' as FoldedWeight, describe: 'what a folded line counts: self time in µs or ns, or calls' })
      .option('per-thread', { type: 'boolean', default: false, describe: 'folded stacks: the thread as the root frame (default: threads merged)' })
      .option('speedscope', { type: 'string', describe: 'write a speedscope file (a timeline per thread + all threads by self time): to PATH (.gz compresses), to out/<name>.speedscope.json without one, to stdout with -' })
      .option('svg', { type: 'string', describe: 'write an interactive SVG flame graph (hover, click to zoom, search): to PATH, to out/<name>.svg without one, to stdout with -' })
      .option('html', { type: 'string', describe: 'write a self-contained HTML report (summary, warnings, flame graph, sortable function table, GC charts, import tree): to PATH, to out/<name>.html without one, to stdout with -' })
      .option('chart', { type: 'string', describe: 'write an interactive SVG flame chart (calls in time order, one lane per thread, GC pauses, imports): to PATH, to out/<name>.chart.svg without one, to stdout with -' })
      .option('minwidth', { type: 'number', default: 0.1, describe: 'SVG, chart: leave out frames narrower than PCT percent of the whole graph (of the time span, for --chart)' })
      .option('inverted', { type: 'boolean', default: false, describe: 'SVG: an icicle graph (root at the top)' })
      .option('top', { type: 'number', default: 15, describe: 'rows in each table' })
      .option('sort', { choices: SORT_KEYS, default: 'self' as SortKey, describe: 'order of the first function table' })
      .option('lines', { type: 'boolean', default: false, describe: 'show the hottest source lines (traces with line events)' })
      .option('overhead', { type: 'string', describe: 'probe cost per event to subtract (ns, or 8us...; see docs/analyze.md)' })
      .example('$0 analyze trace.txt', 'the terminal report')
      .example('$0 analyze trace.txt --json', 'also write out/trace.json')
      .example('$0 analyze trace.txt --json - | jq .gc', 'JSON on stdout (no report)')
      .example("$0 analyze trace.txt --focus '^main$'", 'only what runs under main()')
      .example("$0 analyze trace.txt --exclude '<frozen'", 'importlib frames folded into callers')
      .example('$0 analyze trace.txt --folded --speedscope', 'also out/trace.folded and out/trace.speedscope.json')
      .example('$0 analyze trace.txt --svg', 'also out/trace.svg, an interactive flame graph')
      .example('$0 analyze trace.txt --html', 'also out/trace.html, a one-page offline report')
      .example('$0 analyze trace.txt --chart', 'also out/trace.chart.svg, calls in time order')
      .epilog(`Put --json, --importtime, --folded, --speedscope, --svg, --chart and --html after the traces (or write --json=PATH): a word after them is taken as their path.\nFormats read: ${formatNames().join(', ')}. See docs/analyze.md.`),
  async run(args: AnalyzeArgs, context: CommandContext): Promise<number> {
    const traces = (args.traces ?? []).map((trace) => tracePath(trace));
    if (traces.length === 0) throw new UsageError('name at least one trace to analyze (- reads stdin)');
    if (traces.filter((trace) => trace === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
    if (!Number.isInteger(args.top) || args.top < 1) throw new UsageError(`--top takes a whole number of rows (1 or more); got ${String(args.top)}`);
    const { filters, described } = filtersFrom(args);
    // Whole ns, so every time in the analysis (and the --json document) stays an integer.
    const overheadNs = args.overhead === undefined ? undefined : Math.round(parseDurationFlag('overhead', args.overhead));
    const jsonTo = destination('json', args.json, traces, '.json');
    const importTimeTo = destination('importtime', args.importtime, traces, '.importtime.txt');
    const foldedTo = destination('folded', args.folded, traces, '.folded');
    const speedscopeTo = destination('speedscope', args.speedscope, traces, '.speedscope.json');
    const svgTo = destination('svg', args.svg, traces, '.svg');
    const htmlTo = destination('html', args.html, traces, '.html');
    const chartTo = destination('chart', args.chart, traces, '.chart.svg');
    if (typeof args.minwidth !== 'number' || !Number.isFinite(args.minwidth) || args.minwidth < 0 || args.minwidth > 100) throw new UsageError(`--minwidth takes a percentage from 0 to 100; got ${String(args.minwidth)}`);
    const outputs = { '--json': jsonTo, '--importtime': importTimeTo, '--folded': foldedTo, '--speedscope': speedscopeTo, '--svg': svgTo, '--html': htmlTo, '--chart': chartTo };
    // Every destination is checked before the first trace is read: a mistake costs no analysis.
    const { toStdout } = checkDestinations(
      traces.flatMap((trace) => Object.entries(outputs).map(([flag, to]) => ({ flag, to: to(trace) }))),
      traces,
      context,
    );
    const readOptions = readOptionsFrom(args, context);
    const width = reportWidth(context.stdout);
    const color = colorWanted(context.stdout);

    for (const [index, trace] of traces.entries()) {
      const progress = await progressFor(trace, context);
      let analysis: Analysis;
      // The call timeline is kept only for the outputs that draw it.
      const timeline: TimelineRecorder | undefined = speedscopeTo(trace).kind === 'none' && chartTo(trace).kind === 'none' ? undefined : new (await import('../../export/speedscope/timeline-recorder.js')).TimelineRecorder();
      try {
        // Stdin only for `-`: given a stream, analyzeTrace parses on this thread instead of a second
        // one; a small file too (starting the thread costs more than it saves).
        const parseThread = trace !== '-' && (await worthAThread(trace));
        analysis = await analyzeTrace(trace, { ...readOptions, stdin: trace === '-' ? readOptions.stdin : undefined, onProgress: progress?.update, filters, overheadNs, timeline, parseThread });
      } catch (error) {
        throw foldedGivenAsTrace(error, trace);
      } finally {
        progress?.stop();
      }
      // Each exporter is loaded only when its output is asked for: start-up is most of a small run.
      await writeText(jsonTo(trace), async () => (await import('../../export/analysis-json.js')).analysisJsonText(analysis), context);
      await writeText(importTimeTo(trace), async () => (await import('../../export/importtime.js')).importTimeText(analysis), context);
      if (foldedTo(trace).kind !== 'none' && analysis.callCounts !== undefined && analysis.threads.length === 0) {
        context.stderr.write(`pyflame: note: ${terminalText(trace)} is a counts-only trace (no call stacks, no times): its folded stacks are one frame per function, weighted by its calls whatever --weight says\n`);
      }
      await writeText(foldedTo(trace), async () => (await import('../../export/folded.js')).foldedText(analysis, { weight: args.weight, perThread: args['per-thread'] }), context);
      await writeText(svgTo(trace), async () => (await import('../../export/svg/render.js')).flameGraphSvg(analysis, { title: outputName(trace), minWidthPercent: args.minwidth, inverted: args.inverted }), context);
      if (timeline !== undefined) await writeText(chartTo(trace), async () => (await import('../../export/chart/render-chart.js')).flameChartSvg(analysis, timeline, { title: outputName(trace), minWidthPercent: args.minwidth }), context);
      await writeText(htmlTo(trace), async () => (await import('../../export/html/report.js')).htmlReport(analysis, { title: outputName(trace), filters: described, version: VERSION, minWidthPercent: args.minwidth, inverted: args.inverted }), context);
      if (timeline !== undefined) {
        const { writeSpeedscope } = await import('../../export/speedscope/speedscope.js');
        await writeStreamed(speedscopeTo(trace), (write) => writeSpeedscope(analysis, timeline, write, `pyflame@${VERSION}`), context);
      }
      if (toStdout) {
        // Only the document goes to stdout: the warnings the report would show go to stderr.
        for (const line of formatWarnings(analysis.source.path, analysis.warnings)) context.stderr.write(`${line}\n`);
      } else {
        const report = renderReport(analysis, { top: args.top, sort: args.sort, lines: args.lines, color, width, filters: described });
        await writeText({ kind: 'stdout' }, () => (index > 0 ? `\n${report}` : report), context);
      }
    }
    return ExitCode.Ok;
  },
};
