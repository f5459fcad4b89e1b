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
