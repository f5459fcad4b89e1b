import { SKETCH_RELATIVE_ERROR } from '../analyze/duration-sketch.js';
import { ANALYSIS_SCHEMA_VERSION } from '../export/analysis-json.js';
import { compareText } from '../text/compare.js';
import { addNullable, DocumentFields, isObject, type Json } from './document-fields.js';
import { FunctionMerger } from './merge-functions.js';
import { GcMerger } from './merge-gc.js';
import { mergeWarnings, type WarningSum } from './merge-warnings.js';

/** One run merged: what merge.runs lists of it. */
interface RunSummary {
  readonly source: string;
  readonly format: string;
  readonly startAbsoluteNs: string;
  readonly durationNs: number;
  readonly events: number;
  readonly droppedEvents: number;
  readonly threads: number;
}

/** How merged percentiles are made, as the document states it. */
export const MERGED_PERCENTILES = {
  approximate: true,
  relativeError: SKETCH_RELATIVE_ERROR,
  method:
    'nearest rank over the summed logarithmic sketches (DDSketch-style, gamma = (1 + relativeError) / (1 - relativeError))',
} as const;

/**
 * Many runs' `--json` documents added up into one, one document at a time (each can be dropped
 * once added): what is held grows with the distinct functions, call paths, modules and warning
 * codes, and with one small record per run and per thread, never with the events.
 */
export class RunMerger {
  private readonly functions = new FunctionMerger();
  private readonly gc = new GcMerger();
  private readonly runs: { run: RunSummary; threads: Json[] }[] = [];
  private durationNs = 0;
  private events = 0;
  private droppedEvents = 0;
  private callsRunningAtStart = 0;
  private durationNsRaw: number | null = 0;
  private durationNsError: number | null = 0;
  private scheduling: Record<string, number> | undefined;
  private scheduledDocuments = 0;
  private documents = 0;
  private metadata: Map<string, string> | undefined;
  private readonly imports = new Map<
    string,
    { count: number; durationNs: number; selfNs: number; found: boolean; depth: number }
  >();
  private readonly lines = new Map<string, { file: string; line: number; hits: number; selfNs: number }>();
  private readonly audit = new Map<string, { count: number; firstNs: number; lastNs: number }>();
  private readonly warnings = new Map<string, WarningSum>();
  private overheadNs = 0;
  private overheadEvents = 0;
  private overheadShareNs = 0;
  private callCountRuns = 0;

  /** Adds one `pyflame analyze --json` document (or one pyflame merge wrote) read from `path`. */
  add(document: unknown, path: string): void {
    const fields = new DocumentFields(path);
    if (!isObject(document)) return fields.fail('expected a JSON object');
    if (document.schemaVersion !== ANALYSIS_SCHEMA_VERSION)
      fields.fail(
        `it is of schema version ${JSON.stringify(document.schemaVersion) ?? '(none)'}; pyflame merge reads version ${ANALYSIS_SCHEMA_VERSION} (write it again with pyflame analyze --json)`,
      );
    const source = fields.object(document.source, 'source');
    const trace = fields.object(document.trace, 'trace');
    const threads = fields.array(document.threads, 'threads');
    const merged = document.merge !== undefined;
    const runs = merged
      ? fields.array(fields.object(document.merge, 'merge').runs, 'merge.runs').map((raw, i) => runOf(raw, i, fields))
      : [
          {
            source: fields.string(source.path, 'source.path'),
            format: fields.string(source.format, 'source.format'),
            startAbsoluteNs: startOf(trace.startAbsoluteNs, 'trace.startAbsoluteNs', fields),
            durationNs: fields.number(trace.durationNs, 'trace.durationNs'),
            events: fields.count(trace.events, 'trace.events'),
            droppedEvents: fields.count(trace.droppedEvents, 'trace.droppedEvents'),
            threads: threads.length,
          },
        ];
    const entries = runs.map((run) => ({ run, threads: [] as Json[] }));
    for (const [i, raw] of threads.entries()) {
      const thread = { ...fields.object(raw, `threads[${i}]`) };
      const run = merged ? fields.count(thread.run, `threads[${i}].run`) : 0;
      if (run >= entries.length) fields.fail(`threads[${i}].run should index merge.runs`);
      fields.number(thread.rootTotalNs, `threads[${i}].rootTotalNs`);
      // A thread's functions are the run's (the top-level functions add them up).
      thread.functions = [];
      delete thread.run;
      entries[run].threads.push(thread);
    }
    this.runs.push(...entries);

    this.documents++;
    this.durationNs += fields.number(trace.durationNs, 'trace.durationNs');
    this.events += fields.count(trace.events, 'trace.events');
    this.droppedEvents += fields.count(trace.droppedEvents, 'trace.droppedEvents');
    this.callsRunningAtStart +=
      trace.callsRunningAtStart === undefined
        ? 0
        : fields.count(trace.callsRunningAtStart, 'trace.callsRunningAtStart');
    this.durationNsRaw = addNullable(
      this.durationNsRaw,
      fields.nullableNumber(trace.durationNsRaw, 'trace.durationNsRaw'),
    );
    this.durationNsError = addNullable(
      this.durationNsError,
      fields.nullableNumber(trace.durationNsError, 'trace.durationNsError'),
    );
    if (trace.scheduling !== undefined) {
      const scheduling = fields.object(trace.scheduling, 'trace.scheduling');
      this.scheduledDocuments++;
      this.scheduling ??= { switches: 0, offCpuNs: 0, offCpuInCallsNs: 0, runQueueNs: 0 };
      for (const key of Object.keys(this.scheduling))
        this.scheduling[key] += fields.number(scheduling[key], `trace.scheduling.${key}`);
    }
    this.addMetadata(fields.object(trace.metadata, 'trace.metadata'));
    this.functions.add(document, fields);
    this.gc.add(document.gc, merged, fields);
    this.addImports(document.imports, fields);
    this.addLines(document.lines, fields);
    this.addAudit(document.audit, fields);
    if (document.callCounts !== null && document.callCounts !== undefined) this.callCountRuns++;
    const overhead = fields.object(document.overhead, 'overhead');
    const perEventNs = fields.number(overhead.perEventNs, 'overhead.perEventNs');
    const overheadEvents = fields.count(overhead.events, 'overhead.events');
    this.overheadNs += perEventNs * overheadEvents;
    this.overheadEvents += overheadEvents;
    this.overheadShareNs +=
      fields.number(overhead.estimatedShare, 'overhead.estimatedShare') *
      fields.number(trace.durationNs, 'trace.durationNs');
    mergeWarnings(this.warnings, fields.array(document.warnings, 'warnings'), fields);
  }

  /** Metadata every run agrees on (a key that differs, or that a run lacks, is left out). */
  private addMetadata(metadata: Json): void {
    if (this.metadata === undefined) {
      this.metadata = new Map(
        Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      return;
    }
    for (const [key, value] of this.metadata) if (metadata[key] !== value) this.metadata.delete(key);
  }

  private addImports(raw: unknown, fields: DocumentFields): void {
    for (const [i, entry] of fields.array(raw, 'imports').entries()) {
      const at = `imports[${i}]`;
      const record = fields.object(entry, at);
      const module = fields.string(record.module, `${at}.module`);
      const known = this.imports.get(module) ?? { count: 0, durationNs: 0, selfNs: 0, found: true, depth: Infinity };
      known.count += record.count === undefined ? 1 : fields.count(record.count, `${at}.count`);
      known.durationNs += fields.number(record.durationNs, `${at}.durationNs`);
      known.selfNs += fields.number(record.selfNs, `${at}.selfNs`);
      known.found &&= record.found === true;
      known.depth = Math.min(known.depth, fields.count(record.depth, `${at}.depth`));
      this.imports.set(module, known);
    }
  }

  private addLines(raw: unknown, fields: DocumentFields): void {
    for (const [i, entry] of fields.array(raw, 'lines').entries()) {
      const record = fields.object(entry, `lines[${i}]`);
      const file = fields.string(record.file, `lines[${i}].file`);
      const line = fields.count(record.line, `lines[${i}].line`);
      const key = `${file}\0${line}`;
      const known = this.lines.get(key) ?? { file, line, hits: 0, selfNs: 0 };
      known.hits += fields.count(record.hits, `lines[${i}].hits`);
      known.selfNs += fields.number(record.selfNs, `lines[${i}].selfNs`);
      this.lines.set(key, known);
    }
  }

  private addAudit(raw: unknown, fields: DocumentFields): void {
    for (const [i, entry] of fields.array(raw, 'audit').entries()) {
      const record = fields.object(entry, `audit[${i}]`);
      const event = fields.string(record.event, `audit[${i}].event`);
      const known = this.audit.get(event) ?? { count: 0, firstNs: Infinity, lastNs: -Infinity };
      known.count += fields.count(record.count, `audit[${i}].count`);
      known.firstNs = Math.min(known.firstNs, fields.number(record.firstNs, `audit[${i}].firstNs`));
      known.lastNs = Math.max(known.lastNs, fields.number(record.lastNs, `audit[${i}].lastNs`));
      this.audit.set(event, known);
    }
  }

  /** Runs added so far. */
  get runCount(): number {
    return this.runs.length;
  }

  /** The merged document (schema analysis-v2 with its `merge` part): the same bytes for the same runs in any order. */
  result(): Json {
    const runs = [...this.runs].sort((a, b) => compareRuns(a.run, b.run));
    const scheduled = this.documents > 0 && this.scheduledDocuments === this.documents;
    const { functions, callTree } = this.functions.result(scheduled);
    const formats = [...new Set(runs.map(({ run }) => run.format))];
    const starts = runs.map(({ run }) => BigInt(run.startAbsoluteNs));
    const earliest = starts.reduce((a, b) => (b < a ? b : a), starts[0] ?? 0n);
    const more = runs.length > 1 ? ` + ${runs.length - 1} more` : '';
    const own = mergeNotes(this.functions, this.callCountRuns);
    return {
      schemaVersion: ANALYSIS_SCHEMA_VERSION,
      source: { path: `${runs[0]?.run.source ?? ''}${more}`, format: formats.length === 1 ? formats[0] : 'mixed' },
      trace: {
        startAbsoluteNs: String(earliest),
        durationNs: this.durationNs,
        durationNsRaw: this.durationNsRaw,
        durationNsError: this.durationNsError,
        recordingCost: null,
        events: this.events,
        droppedEvents: this.droppedEvents,
        callsRunningAtStart: this.callsRunningAtStart,
        ...(scheduled ? { scheduling: this.scheduling } : {}),
        metadata: Object.fromEntries([...(this.metadata ?? [])].sort((a, b) => compareText(a[0], b[0]))),
      },
      threads: runs.flatMap(({ threads }, run) => threads.map((thread) => ({ ...thread, run }))),
      functions,
      ...(callTree === undefined ? {} : { callTree }),
      gc: this.gc.result(this.durationNs),
      imports: [...this.imports]
        .map(([module, sum]) => ({
          module,
          startNs: 0,
          durationNs: sum.durationNs,
          selfNs: sum.selfNs,
          found: sum.found,
          depth: sum.depth,
          pid: null,
          tid: null,
          count: sum.count,
        }))
        .sort((a, b) => b.durationNs - a.durationNs || compareText(a.module, b.module)),
      lines: [...this.lines.values()].sort(
        (a, b) => b.selfNs - a.selfNs || compareText(a.file, b.file) || a.line - b.line,
      ),
      audit: [...this.audit]
        .map(([event, sum]) => ({ event, ...sum }))
        .sort((a, b) => b.count - a.count || compareText(a.event, b.event)),
      callCounts: null,
      overhead: {
        perEventNs: this.overheadEvents > 0 ? this.overheadNs / this.overheadEvents : 0,
        events: this.overheadEvents,
        estimatedShare: this.durationNs > 0 ? this.overheadShareNs / this.durationNs : 0,
      },
      warnings: [...this.warnings.values(), ...own]
        .sort((a, b) => compareText(a.code, b.code) || compareText(a.unit, b.unit))
        .map(({ code, message, count, unit }) => ({ code, message, count, unit, lines: [] })),
      merge: { runs: runs.map(({ run }) => run), percentiles: MERGED_PERCENTILES },
    };
  }
}

function runOf(raw: unknown, i: number, fields: DocumentFields): RunSummary {
  const at = `merge.runs[${i}]`;
  const run = fields.object(raw, at);
  return {
    source: fields.string(run.source, `${at}.source`),
    format: fields.string(run.format, `${at}.format`),
    startAbsoluteNs: startOf(run.startAbsoluteNs, `${at}.startAbsoluteNs`, fields),
    durationNs: fields.number(run.durationNs, `${at}.durationNs`),
    events: fields.count(run.events, `${at}.events`),
    droppedEvents: fields.count(run.droppedEvents, `${at}.droppedEvents`),
    threads: fields.count(run.threads, `${at}.threads`),
  };
}

function startOf(value: unknown, where: string, fields: DocumentFields): string {
  const text = fields.string(value, where);
  return /^-?[0-9]+$/.test(text) ? text : fields.fail(`${where} should be an integer in a string`);
}

/** Runs by source, then start, then the rest: an order that does not depend on the inputs' order. */
function compareRuns(a: RunSummary, b: RunSummary): number {
  const startA = BigInt(a.startAbsoluteNs);
  const startB = BigInt(b.startAbsoluteNs);
  return (
    compareText(a.source, b.source) ||
    (startA < startB ? -1 : startA > startB ? 1 : 0) ||
    a.durationNs - b.durationNs ||
    a.events - b.events ||
    a.droppedEvents - b.droppedEvents ||
    a.threads - b.threads ||
    compareText(a.format, b.format)
  );
}

/** What the merge itself has to say: figures it could not add up. */
function mergeNotes(functions: FunctionMerger, callCountRuns: number): WarningSum[] {
  const notes: WarningSum[] = [];
  if (functions.unsketched > 0)
    notes.push({
      code: 'merge-no-sketch',
      message:
        'a run gave no duration sketch for some functions (its --json was written by an older pyflame): their percentiles are left out (null); write it again with pyflame analyze --json',
      count: functions.unsketched,
      unit: 'functions',
    });
  if (functions.runsWithoutPaths > 0)
    notes.push({
      code: 'merge-no-call-paths',
      message: 'a run gave no call paths (its --json predates them): the merged result has none',
      count: functions.runsWithoutPaths,
      unit: 'runs',
    });
  if (callCountRuns > 0)
    notes.push({
      code: 'merge-call-counts',
      message: "counts-only runs' calls per interval are a timeline and are not merged (callCounts is null)",
      count: callCountRuns,
      unit: 'runs',
    });
  return notes;
}
