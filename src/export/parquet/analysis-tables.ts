import { createHash } from 'node:crypto';
import type { Analysis } from '../../analyze/analysis.js';
import { VERSION } from '../../version.js';
import { analysisToJson } from '../analysis-json.js';
import { PARQUET_SCHEMA_VERSION } from './duckdb-engine.js';

/** A column's type: DuckDB's name for it, which its Parquet type follows (docs/parquet.md). */
export type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'BIGINT[]';

/** A cell: null where the JSON has null (or the figure does not apply). */
export type Cell = string | number | boolean | null | readonly number[];

export interface TableSpec {
  readonly name: string;
  /** Every table's first column is run_id (VARCHAR). */
  readonly columns: readonly (readonly [name: string, type: ColumnType])[];
}

/** One user label (--label key=value). */
export interface RunLabel {
  readonly key: string;
  readonly value: string;
}

/** What one trace contributes: its analysis and its labels. */
export interface ParquetRun {
  readonly analysis: Analysis;
  readonly labels: readonly RunLabel[];
}

const I = 'BIGINT' as const;
const S = 'VARCHAR' as const;
const D = 'DOUBLE' as const;

/**
 * The tables of `analyze --parquet`, in the order they are documented (docs/parquet.md,
 * schema/parquet-v1.schema.json); test/parquet-tables.test.ts checks both against this list.
 */
export const ANALYSIS_TABLES = [
  {
    name: 'runs',
    columns: [
      ['run_id', S],
      ['schema_version', 'INTEGER'],
      ['pyflame_version', S],
      ['source_path', S],
      ['format', S],
      ['recorder', S],
      ['python', S],
      ['python_version', S],
      ['start_absolute_ns', S],
      ['duration_ns', I],
      ['duration_ns_raw', I],
      ['duration_ns_error', I],
      ['events', I],
      ['dropped_events', I],
      ['calls_running_at_start', I],
      ['gc_total_pause_ns', I],
      ['gc_wall_share', D],
      ['overhead_per_event_ns', D],
    ],
  },
  {
    name: 'labels',
    columns: [
      ['run_id', S],
      ['key', S],
      ['value', S],
    ],
  },
  {
    name: 'metadata',
    columns: [
      ['run_id', S],
      ['key', S],
      ['value', S],
    ],
  },
  {
    name: 'functions',
    columns: [
      ['run_id', S],
      ['function_index', I],
      ['name', S],
      ['file', S],
      ['line', I],
      ['calls', I],
      ['returns', I],
      ['total_ns', I],
      ['self_ns', I],
      ['self_ns_raw', I],
      ['total_ns_raw', I],
      ['self_ns_error', I],
      ['total_ns_error', I],
      ['self_on_cpu_ns', I],
      ['self_off_cpu_ns', I],
      ['self_run_queue_ns', I],
      ['partial', I],
      ['completed', I],
      ['min_ns', I],
      ['max_ns', I],
      ['mean_ns', D],
      ['p50_ns', I],
      ['p95_ns', I],
      ['p99_ns', I],
    ],
  },
  {
    name: 'call_paths',
    columns: [
      ['run_id', S],
      ['path_id', I],
      ['parent_id', I],
      ['depth', I],
      ['function_index', I],
      ['name', S],
      ['file', S],
      ['line', I],
      ['calls', I],
      ['self_ns', I],
      ['total_ns', I],
    ],
  },
  {
    name: 'gc_pauses',
    columns: [
      ['run_id', S],
      ['generation', I],
      ['start_ns', I],
      ['duration_ns', I],
      ['collected', I],
      ['pid', I],
      ['tid', I],
    ],
  },
  {
    name: 'gc_generations',
    columns: [
      ['run_id', S],
      ['generation', I],
      ['count', I],
      ['total_ns', I],
      ['max_ns', I],
      ['p50_ns', I],
      ['p95_ns', I],
      ['p99_ns', I],
    ],
  },
  {
    name: 'gc_histogram',
    columns: [
      ['run_id', S],
      ['from_ns', D],
      ['to_ns', D],
      ['count', I],
    ],
  },
  {
    name: 'imports',
    columns: [
      ['run_id', S],
      ['module', S],
      ['start_ns', I],
      ['duration_ns', I],
      ['self_ns', I],
      ['found', 'BOOLEAN'],
      ['depth', I],
      ['pid', I],
      ['tid', I],
    ],
  },
  {
    name: 'threads',
    columns: [
      ['run_id', S],
      ['pid', I],
      ['tid', I],
      ['name', S],
      ['events', I],
      ['start_ns', I],
      ['end_ns', I],
      ['entries', I],
      ['returns', I],
      ['return_only', 'BOOLEAN'],
      ['root_total_ns', I],
      ['off_cpu_ns', I],
      ['run_queue_ns', I],
    ],
  },
  {
    name: 'warnings',
    columns: [
      ['run_id', S],
      ['code', S],
      ['message', S],
      ['count', D],
      ['unit', S],
      ['lines', 'BIGINT[]'],
    ],
  },
] as const satisfies readonly TableSpec[];

export type AnalysisTableName = (typeof ANALYSIS_TABLES)[number]['name'];

/** The rows of every table for one run, each row in its table's column order. */
export type TableRows = Record<AnalysisTableName, Cell[][]>;

// biome-ignore lint/suspicious/noExplicitAny: the --json document, read field by field as schema/analysis-v2.schema.json says
type Json = Record<string, any>;

/**
 * A run's id: the first 16 hex digits of the SHA-256 of its `--json` document and its labels
 * (sorted, `key=value` lines). The same trace, options and labels give the same id, on any machine;
 * a trace analysed with other filters or labels is another run.
 */
export function runIdOf(jsonText: string, labels: readonly RunLabel[]): string {
  const hash = createHash('sha256').update(jsonText);
  for (const label of sortedLabels(labels)) hash.update(`\n${label.key}=${label.value}`);
  return hash.digest('hex').slice(0, 16);
}

function sortedLabels(labels: readonly RunLabel[]): RunLabel[] {
  return [...labels].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : 1));
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** A run's rows, taken from its `--json` document: the Parquet tables hold the same numbers. */
export function runRows(run: ParquetRun): { runId: string; rows: TableRows } {
  return documentRows(analysisToJson(run.analysis) as Json, run.labels);
}

/**
 * A run's rows from its `--json` document (an analysis, or a saved `analyze --json` result read
 * back: the same document gives the same run id, as JSON.stringify writes it the same).
 */
export function documentRows(json: Json, labels: readonly RunLabel[]): { runId: string; rows: TableRows } {
  const runId = runIdOf(JSON.stringify(json), labels);
  const trace = json.trace;
  const stated: Record<string, string> = trace.recordingCost?.stated ?? {};
  const metadata: Record<string, string> = trace.metadata;
  const fns: Json[] = json.functions;
  const tree: Record<string, number[]> = json.callTree;
  const depth: number[] = [];
  const rows: TableRows = {
    runs: [
      [
        runId,
        PARQUET_SCHEMA_VERSION,
        VERSION,
        json.source.path,
        json.source.format,
        orNull(stated.recorder ?? metadata.recorder),
        orNull(metadata.python ?? stated.python),
        pythonVersion(metadata.version, metadata.python ?? stated.python),
        trace.startAbsoluteNs,
        trace.durationNs,
        trace.durationNsRaw,
        trace.durationNsError,
        trace.events,
        trace.droppedEvents,
        trace.callsRunningAtStart,
        json.gc.totalPauseNs,
        json.gc.wallShare,
        json.overhead.perEventNs,
      ],
    ],
    labels: sortedLabels(labels).map(({ key, value }) => [runId, key, value]),
    metadata: Object.keys(metadata)
      .sort()
      .map((key) => [runId, key, metadata[key]]),
    functions: fns.map((f, index) => [
      runId,
      index,
      f.name,
      f.file,
      f.line,
      f.calls,
      f.returns,
      f.totalNs,
      f.selfNs,
      f.selfNsRaw,
      f.totalNsRaw,
      f.selfNsError,
      f.totalNsError,
      orNull(f.selfOnCpuNs),
      orNull(f.selfOffCpuNs),
      orNull(f.selfRunQueueNs),
      f.partial,
      f.completed,
      f.minNs,
      f.maxNs,
      f.meanNs,
      f.p50Ns,
      f.p95Ns,
      f.p99Ns,
    ]),
    call_paths: tree.parent.map((parent, index) => {
      depth.push(parent < 0 ? 0 : depth[parent] + 1);
      const f = fns[tree.function[index]];
      return [
        runId,
        index,
        parent < 0 ? null : parent,
        depth[index],
        tree.function[index] < 0 ? null : tree.function[index],
        orNull(f?.name),
        orNull(f?.file),
        orNull(f?.line),
        tree.calls[index],
        tree.selfNs[index],
        tree.totalNs[index],
      ];
    }),
    gc_pauses: json.gc.pauses.map((p: Json) => [
      runId,
      p.generation,
      p.startNs,
      p.durationNs,
      p.collected,
      p.pid,
      p.tid,
    ]),
    gc_generations: json.gc.byGeneration.map((g: Json) => [
      runId,
      g.generation,
      g.count,
      g.totalNs,
      g.maxNs,
      g.p50Ns,
      g.p95Ns,
      g.p99Ns,
    ]),
    gc_histogram: json.gc.histogram.map((b: Json) => [runId, b.fromNs, b.toNs, b.count]),
    imports: json.imports.map((m: Json) => [
      runId,
      m.module,
      m.startNs,
      m.durationNs,
      m.selfNs,
      m.found,
      m.depth,
      m.pid,
      m.tid,
    ]),
    threads: json.threads.map((t: Json) => [
      runId,
      t.pid,
      t.tid,
      orNull(t.name),
      t.events,
      t.startNs,
      t.endNs,
      t.entries,
      t.returns,
      t.returnOnly,
      t.rootTotalNs,
      orNull(t.offCpuNs),
      orNull(t.runQueueNs),
    ]),
    warnings: json.warnings.map((w: Json) => [runId, w.code, w.message, w.count, w.unit, w.lines]),
  };
  return { runId, rows };
}

/**
 * The tables' columns as data (schema/parquet-v1.tables.json is this, written out; a test keeps
 * the two equal). `eventLog` is the file of `convert --to parquet`.
 */
export function parquetSchemaDocument(eventLog: Readonly<Record<string, string>>): Record<string, unknown> {
  const columns = (pairs: readonly (readonly [string, string])[]) => pairs.map(([name, type]) => ({ name, type }));
  return {
    $comment: 'pyflame Parquet tables, column names and DuckDB types; see docs/parquet.md',
    schemaVersion: PARQUET_SCHEMA_VERSION,
    compression: 'zstd',
    tables: Object.fromEntries(ANALYSIS_TABLES.map((table) => [table.name, columns(table.columns)])),
    eventLog: columns([...Object.entries(eventLog), ['schema_version', 'INTEGER']]),
  };
}

/**
 * The Python version a run states: its header's `version` (the in-process recorder writes
 * 3.10.13), else the X.Y of an interpreter named pythonX.Y (`/usr/bin/python3.11`: 3.11); null
 * when neither says.
 */
export function pythonVersion(stated: string | undefined, python: string | undefined): string | null {
  if (stated !== undefined && /^\d+\.\d+(\.\d+)?\S*$/.test(stated)) return stated;
  const named = /python(\d+\.\d+)$/.exec(python ?? '');
  return named === null ? null : named[1];
}
