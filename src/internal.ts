// pyflame's internals that other programs (and pyflame's own tests and benchmarks) may use:
// `import … from 'pyflame/internal'`. No stability promise: these move and change between minor
// versions. The stable API is ./index.ts.

export { EVENT_KIND_NAMES, eventKindFromName, kindHasFrame } from './model/event-kind.js';
export { DEFAULT_BATCH_SIZE } from './model/event-batch.js';
export { StringTable } from './model/string-table.js';
export { EVENT_LOG_HEADER } from './model/event-log-columns.js';
export { findFormat, formatNames } from './parse/registry.js';
export type { TraceFormat, LineParser, Detection } from './parse/trace-format.js';
export { EventWriter } from './parse/event-writer.js';
export type { EventLogFormat, EventLogWriter } from './export/event-log/event-log-format.js';
export { parseFrameLabel, type FrameLabel } from './folded-input/frame-label.js';
export { PALETTES } from './export/svg/folded-graph.js';
export { profileFromJson } from './diff/run-profile.js';
export { readStapsdtNotes } from './record/elf-notes.js';
export { SpoolDecoder, type SpoolEnd } from './parse/spool/spool-decoder.js';
export { spoolToText } from './parse/spool/spool-text.js';

// The ground floor: the units and escapers every view uses.
export { formatCount, formatDuration, formatPercent, formatShare } from './text/units.js';
export { htmlText, markdownText, terminalText, visibleText, xmlText } from './text/untrusted.js';
