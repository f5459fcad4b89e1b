import type { Options } from 'yargs';
import type { Analysis } from '../../analyze/analysis.js';
import type { FoldedWeight } from '../../export/folded.js';
import type { TimelineRecorder } from '../../export/speedscope/timeline-recorder.js';
import { DEFAULT_SPEEDSCOPE_MAX_MB, speedscopeReductionWarning } from '../../export/speedscope/size-budget.js';
import { UsageError } from '../exit-codes.js';
import { terminalText } from '../../text/untrusted.js';
import { VERSION } from '../../version.js';
import type { OutputTable } from './output-spec.js';

/** What an analyze output is made from: one trace's analysis and the flags that shape outputs. */
export interface AnalyzedTrace {
  /** The trace as given (`-` for stdin). */
  readonly trace: string;
  readonly analysis: Analysis;
  /** The calls in time order: recorded only when an output that needs a `timeline` is asked for. */
  readonly timeline: TimelineRecorder | undefined;
  /** The graphs' title: the trace's output name. */
  readonly title: string;
  /** The filters applied, described for the reader. */
  readonly filters: readonly string[];
  readonly minWidthPercent: number;
  readonly inverted: boolean;
  readonly weight: FoldedWeight;
  readonly perThread: boolean;
  /** --speedscope-max-mb: the speedscope file's budget in MiB (0: none). */
  readonly speedscopeMaxMb: number;
  /** Says something on stderr (a line, without its newline). */
  readonly note: (line: string) => void;
}

/** What an analyze output may need beyond the analysis itself: the call timeline costs memory, so it is kept only on demand. */
export type AnalyzeNeed = 'timeline';

const FOLDED_WEIGHTS: readonly FoldedWeight[] = ['self-us', 'self-ns', 'calls'];

export const SPEEDSCOPE_MAX_MB_FLAG = 'speedscope-max-mb';

/** --speedscope-max-mb, for analyze and view. */
export const speedscopeMaxMbOption: Options = {
  type: 'number',
  default: DEFAULT_SPEEDSCOPE_MAX_MB,
  describe:
    'speedscope: the largest file in MiB; a larger one leaves the shortest calls out of its timelines (a warning says which); 0: every call, whatever the size',
};

/** The budget in bytes from --speedscope-max-mb (0: none), or a usage error. */
export function speedscopeMaxBytes(mb: number | undefined): number {
  if (mb === undefined) return DEFAULT_SPEEDSCOPE_MAX_MB * 1024 * 1024;
  if (typeof mb !== 'number' || !Number.isFinite(mb) || mb < 0)
    throw new UsageError(`--${SPEEDSCOPE_MAX_MB_FLAG} takes a size in MiB (0: no limit); got ${String(mb)}`);
  return mb === 0 ? Number.POSITIVE_INFINITY : Math.floor(mb * 1024 * 1024);
}

/** What a folded line counts unless --weight says otherwise. */
export const DEFAULT_FOLDED_WEIGHT: FoldedWeight = 'self-us';

function timelineOf(document: AnalyzedTrace): TimelineRecorder {
  // analyze records one whenever an output that needs it is asked for (planOutputs' needing) made one for every output that needs it.
  if (document.timeline === undefined)
    throw new Error('an output that needs the call timeline was asked for without one');
  return document.timeline;
}

/**
 * The documents `pyflame analyze` writes beside its report. Adding one is adding an entry here
 * (test/outputs-table.test.ts checks that each is complete and written).
 */
export const ANALYZE_OUTPUTS: OutputTable<AnalyzedTrace, AnalyzeNeed> = {
  command: 'analyze',
  nameWord: 'name',
  outputs: [
    {
      flag: 'json',
      describe: 'write the analysis as JSON',
      suffix: '.json',
      stdout: true,
      needs: [],
      write: {
        text: async ({ analysis }) => (await import('../../export/analysis-json.js')).analysisJsonText(analysis),
      },
    },
    {
      flag: 'importtime',
      describe: 'write the imports as `python -X importtime` text',
      suffix: '.importtime.txt',
      stdout: true,
      needs: [],
      write: { text: async ({ analysis }) => (await import('../../export/importtime.js')).importTimeText(analysis) },
    },
    {
      flag: 'folded',
      describe: 'write folded stacks (flamegraph.pl, inferno, speedscope)',
      suffix: '.folded',
      stdout: true,
      needs: [],
      options: {
        weight: {
          choices: FOLDED_WEIGHTS,
          default: DEFAULT_FOLDED_WEIGHT,
          describe: 'what a folded line counts: self time in µs or ns, or calls',
        } as Options,
        'per-thread': {
          type: 'boolean',
          default: false,
          describe: 'folded stacks: the thread as the root frame (default: threads merged)',
        },
      },
      write: {
        text: async ({ trace, analysis, weight, perThread, note }) => {
          if (analysis.callCounts !== undefined && analysis.threads.length === 0) {
            note(
              `pyflame: note: ${terminalText(trace)} is a counts-only trace (no call stacks, no times): its folded stacks are one frame per function, weighted by its calls whatever --weight says`,
            );
          }
          return (await import('../../export/folded.js')).foldedText(analysis, { weight, perThread });
        },
      },
    },
    {
      flag: 'speedscope',
      describe: 'write a speedscope file (a timeline per thread + all threads by self time)',
      suffix: '.speedscope.json',
      stdout: true,
      needs: ['timeline'],
      options: { [SPEEDSCOPE_MAX_MB_FLAG]: speedscopeMaxMbOption },
      write: {
        stream: async (document, write) => {
          const written = await (await import('../../export/speedscope/speedscope.js')).writeSpeedscope(
            document.analysis,
            timelineOf(document),
            write,
            `pyflame@${VERSION}`,
            // writeStreamed's write resolves once the piece is taken (output-spec.ts).
            { maxBytes: speedscopeMaxBytes(document.speedscopeMaxMb), reuseChunks: true },
          );
          const warning = speedscopeReductionWarning(written, `--${SPEEDSCOPE_MAX_MB_FLAG}`);
          if (warning !== undefined)
            document.note(`pyflame: warning: ${terminalText(`${document.trace}: ${warning}`)}`);
        },
      },
    },
    {
      flag: 'svg',
      describe: 'write an interactive SVG flame graph (hover, click to zoom, search)',
      suffix: '.svg',
      stdout: true,
      needs: [],
      write: {
        text: async ({ analysis, title, minWidthPercent, inverted }) =>
          (await import('../../export/svg/render.js')).flameGraphSvg(analysis, { title, minWidthPercent, inverted }),
      },
    },
    {
      flag: 'html',
      describe:
        'write a self-contained HTML report (summary, warnings, flame graph, sortable function table, GC charts, import tree)',
      suffix: '.html',
      stdout: true,
      needs: [],
      write: {
        text: async ({ analysis, title, filters, minWidthPercent, inverted }) =>
          (await import('../../export/html/report.js')).htmlReport(analysis, {
            title,
            filters,
            version: VERSION,
            minWidthPercent,
            inverted,
          }),
      },
    },
    {
      flag: 'chart',
      describe: 'write an interactive SVG flame chart (calls in time order, one lane per thread, GC pauses, imports)',
      suffix: '.chart.svg',
      stdout: true,
      needs: ['timeline'],
      write: {
        text: async (document) =>
          (await import('../../export/chart/render-chart.js')).flameChartSvg(document.analysis, timelineOf(document), {
            title: document.title,
            minWidthPercent: document.minWidthPercent,
          }),
      },
    },
  ],
};
