// pyflame's public API: what this file exports is stable. Within a major version a name here is
// not removed, renamed or given an incompatible signature, and documents it writes keep their
// schema version (docs/api.md lists every name; test/api.test.ts holds this file to that list).
// Everything else a program may use is in ./internal.ts (`pyflame/internal`), without that promise.

export { VERSION } from './version.js';

// Reading traces: the normalized event log.
export { EventKind } from './model/event-kind.js';
export { EventBatch, UNKNOWN_ID, NO_REF } from './model/event-batch.js';
export { FrameTable, type Frame } from './model/frame-table.js';
export { TimeBase } from './model/time-base.js';
export { Diagnostics, TraceInputError, type Warning } from './model/diagnostics.js';
export { EVENT_LOG_COLUMNS } from './model/event-log-columns.js';
export { readTrace, type ReadTraceOptions, type TraceContext, type TraceSummary } from './parse/read-trace.js';
export { TRACE_FORMATS, detectFormat } from './parse/registry.js';
export { EVENT_LOG_FORMATS, type EventLogFormatName } from './export/event-log/registry.js';
export { convertTrace, type ConvertOptions } from './convert.js';
export { openOutput, writeTextFile, type TextOutput } from './io/output.js';
export { loadEvents, type LoadedEvent, type LoadedTrace } from './load-events.js';

// Other tools' folded stacks (what `pyflame flamegraph` runs).
export {
  readFolded,
  type FoldedBaseline,
  type FoldedInput,
  type FoldedProfile,
  type ReadFoldedOptions,
} from './folded-input/read-folded.js';
export { foldedFlameGraphSvg, type FoldedSvgOptions, type PaletteName } from './export/svg/folded-graph.js';
export { flameGraphSvg, renderFlameGraph, type FlameGraphInput, type SvgOptions } from './export/svg/render.js';

// The analysis and what is made from it (what `pyflame analyze` runs).
export { analyzeTrace, type AnalyzeOptions } from './analyze/analyze.js';
export type {
  Analysis,
  FunctionStats,
  ThreadAnalysis,
  GcAnalysis,
  GcGenerationStats,
  LineStats,
  AuditStats,
} from './analyze/analysis.js';
export type { AnalysisFilters } from './analyze/filters.js';
export { analysisToJson, analysisJsonText, ANALYSIS_SCHEMA_VERSION } from './export/analysis-json.js';
export { importTimeText } from './export/importtime.js';
export { foldedText, type FoldedWeight, type FoldedOptions } from './export/folded.js';
export { TimelineRecorder } from './export/speedscope/timeline-recorder.js';
export {
  DEFAULT_SPEEDSCOPE_MAX_BYTES,
  type Sink,
  type SpeedscopeOptions,
  type SpeedscopeWritten,
  writeSpeedscope,
} from './export/speedscope/speedscope.js';
export { flameChartSvg, type ChartSvgOptions } from './export/chart/render-chart.js';
export { htmlReport, type HtmlReportOptions } from './export/html/report.js';

// Comparing runs (what `pyflame diff` runs).
export { loadRun } from './diff/load-run.js';
export type { RunProfile } from './diff/run-profile.js';
export { compareRuns, type RunDiff, type CompareOptions, type Change } from './diff/compare.js';
export { compareRunSets } from './diff/compare-sets.js';
export {
  parseRule,
  evaluateGate,
  defaultMinDelta,
  RuleError,
  METRICS,
  type Rule,
  type Gate,
  type Finding,
} from './diff/rules.js';
export { renderDiffReport } from './diff/render/terminal.js';
export { renderDiffMarkdown } from './diff/render/markdown.js';
export { diffToJson, diffJsonText, DIFF_SCHEMA_VERSION } from './diff/render/json.js';
export { diffFlameGraphSvg } from './diff/render/svg.js';

// Merging runs (what `pyflame merge` runs).
export { mergeResults, loadResultDocument, RunMerger } from './merge/merge.js';
export { renderMergeReport, type MergeReportOptions } from './merge/merge-report.js';
export { mergedFoldedText } from './merge/merged-folded.js';
export { DurationSketch, SKETCH_RELATIVE_ERROR, type DurationSketchJson } from './analyze/duration-sketch.js';

// Recording (what `pyflame record` runs).
export { recordTrace, type RecordOptions, type Recording } from './record/record.js';
export { readStapsdtNotesFromFile, ElfError, type StapsdtNote } from './record/elf-notes.js';
