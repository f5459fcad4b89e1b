// pyflame's public API: everything the CLI does is importable from here.
export { EventKind, EVENT_KIND_NAMES, eventKindFromName, kindHasFrame } from './model/event-kind.js';
export { EventBatch, DEFAULT_BATCH_SIZE, UNKNOWN_ID, NO_REF } from './model/event-batch.js';
export { FrameTable, type Frame } from './model/frame-table.js';
export { StringTable } from './model/string-table.js';
export { TimeBase } from './model/time-base.js';
export { Diagnostics, TraceInputError, type Warning } from './model/diagnostics.js';
export { EVENT_LOG_COLUMNS, EVENT_LOG_HEADER } from './model/event-log-columns.js';
export { readTrace, type ReadTraceOptions, type TraceContext, type TraceSummary } from './parse/read-trace.js';
export { TRACE_FORMATS, detectFormat, findFormat, formatNames } from './parse/registry.js';
export type { TraceFormat, LineParser, Detection } from './parse/trace-format.js';
export { EventWriter } from './parse/event-writer.js';
export { EVENT_LOG_FORMATS, type EventLogFormatName } from './export/event-log/registry.js';
export type { EventLogFormat, EventLogWriter } from './export/event-log/event-log-format.js';
export { convertTrace, type ConvertOptions } from './convert.js';
export { openOutput, writeTextFile, type TextOutput } from './io/output.js';
export { loadEvents, type LoadedEvent, type LoadedTrace } from './load-events.js';
export { readFolded, type FoldedBaseline, type FoldedInput, type FoldedProfile, type ReadFoldedOptions } from './folded-input/read-folded.js';
export { parseFrameLabel, type FrameLabel } from './folded-input/frame-label.js';
export { foldedFlameGraphSvg, PALETTES, type FoldedSvgOptions, type PaletteName } from './export/svg/folded-graph.js';
export { flameGraphSvg, renderFlameGraph, type FlameGraphInput, type SvgOptions } from './export/svg/render.js';

// The analysis and what is made from it (what `pyflame analyze` runs).
export { analyzeTrace, type AnalyzeOptions } from './analyze/analyze.js';
export type { Analysis, FunctionStats, ThreadAnalysis, GcAnalysis, GcGenerationStats, LineStats, AuditStats } from './analyze/analysis.js';
export type { AnalysisFilters } from './analyze/filters.js';
export { analysisToJson, analysisJsonText, ANALYSIS_SCHEMA_VERSION } from './export/analysis-json.js';
export { importTimeText } from './export/importtime.js';
export { foldedText, type FoldedWeight, type FoldedOptions } from './export/folded.js';
export { TimelineRecorder } from './export/speedscope/timeline-recorder.js';
export { writeSpeedscope, type Sink } from './export/speedscope/speedscope.js';
export { flameChartSvg, type ChartSvgOptions } from './export/chart/render-chart.js';
export { htmlReport, type HtmlReportOptions } from './export/html/report.js';

// Comparing runs (what `pyflame diff` runs).
export { loadRun } from './diff/load-run.js';
export { profileFromJson, type RunProfile } from './diff/run-profile.js';
export { compareRuns, type RunDiff, type CompareOptions, type Change } from './diff/compare.js';
export { parseRule, evaluateGate, defaultMinDelta, RuleError, METRICS, type Rule, type Gate, type Finding } from './diff/rules.js';
export { renderDiffReport } from './diff/render/terminal.js';
export { renderDiffMarkdown } from './diff/render/markdown.js';
export { diffToJson, diffJsonText, DIFF_SCHEMA_VERSION } from './diff/render/json.js';
export { diffFlameGraphSvg } from './diff/render/svg.js';

// Recording (what `pyflame record` runs).
export { recordTrace, type RecordOptions, type Recording } from './record/record.js';
export { readStapsdtNotes, readStapsdtNotesFromFile, ElfError, type StapsdtNote } from './record/elf-notes.js';
