import { join } from 'node:path';
import { ParquetEngine, sqlPath } from '../export/parquet/duckdb-engine.js';
import { tableFileName } from '../export/parquet/write-tables.js';
import type { ParquetEngine as Engine } from '../export/parquet/duckdb-engine.js';
import { RUN_ID } from './store.js';

// `pyflame diff --base-history`: stored runs back as the parts of their `--json` documents that a
// diff compares (source, trace totals, threads' time, functions, call paths, GC by generation,
// imports, warnings), read from each run's own files.

type Json = Record<string, unknown>;

/** No run of that branch in the history: the CLI says so (exit 2). */
export class NoBranchRunsError extends Error {
  override name = 'NoBranchRunsError';
}

/** The ids of the last `count` runs added with label branch=`branch`, the latest first. */
export async function lastRunsOfBranch(engine: Engine, branch: string, count: number): Promise<string[]> {
  const rows = await engine.rows(
    `SELECT a.run_id FROM added a JOIN labels l ON l.run_id = a.run_id AND l.key = 'branch' AND l.value = $1
     ORDER BY a.added DESC LIMIT $2`,
    [branch, count],
  );
  return rows.map((row) => String(row.run_id));
}

const n = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const orNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A stored run as an analysis document holding what a diff reads (schema version 2's members). */
export async function runDocument(store: string, runId: string): Promise<Json> {
  if (!RUN_ID.test(runId)) throw new Error(`not a run id: ${runId}`);
  const engine = await ParquetEngine.open();
  try {
    const table = (name: string, order: string) =>
      engine.rows(`SELECT * FROM read_parquet(${sqlPath(join(store, runId, tableFileName(name)))}) ORDER BY ${order}`);
    const [run] = await table('runs', 'run_id');
    const functions = await table('functions', 'function_index');
    const paths = await table('call_paths', 'path_id');
    const threads = await table('threads', 'pid, tid');
    const generations = await table('gc_generations', 'generation');
    const imports = await table('imports', 'start_ns');
    const warnings = await table('warnings', 'code');
    return {
      schemaVersion: 2,
      source: { path: `history:${runId} (${String(run.source_path)})`, format: run.format },
      trace: { durationNs: n(run.duration_ns), events: n(run.events), droppedEvents: n(run.dropped_events) },
      threads: threads.map((t) => ({ rootTotalNs: n(t.root_total_ns) })),
      functions: functions.map((f) => ({
        name: f.name,
        file: f.file,
        line: n(f.line),
        calls: n(f.calls),
        selfNs: n(f.self_ns),
        totalNs: n(f.total_ns),
        p95Ns: orNull(f.p95_ns),
      })),
      callTree: {
        parent: paths.map((p) => (p.parent_id === null ? -1 : Number(p.parent_id))),
        function: paths.map((p) => n(p.function_index)),
        calls: paths.map((p) => n(p.calls)),
        selfNs: paths.map((p) => n(p.self_ns)),
        totalNs: paths.map((p) => n(p.total_ns)),
      },
      gc: {
        byGeneration: generations.map((g) => ({
          generation: n(g.generation),
          count: n(g.count),
          totalNs: n(g.total_ns),
          p95Ns: n(g.p95_ns),
        })),
      },
      imports: imports.map((m) => ({ module: m.module, durationNs: n(m.duration_ns), selfNs: n(m.self_ns) })),
      warnings: warnings.map((w) => ({
        code: w.code,
        message: w.message,
        count: n(w.count),
        unit: w.unit,
        lines: Array.isArray(w.lines) ? w.lines.map(Number) : [],
      })),
    };
  } finally {
    engine.close();
  }
}
