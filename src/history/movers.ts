import type { ParquetEngine } from '../export/parquet/duckdb-engine.js';
import type { RunLabel } from '../export/parquet/analysis-tables.js';

/** A function whose self time moved between two sets of runs. */
export interface Mover {
  readonly name: string;
  readonly file: string;
  /** Median self time over the runs of each side (0 in a run where it did not run). */
  readonly fromSelfNs: number;
  readonly toSelfNs: number;
}

export interface Movers {
  readonly fromRuns: number;
  readonly toRuns: number;
  readonly movers: Mover[];
}

/** A side with no run (no run has that label value): the CLI says so (exit 2). */
export class NoRunsError extends Error {
  override name = 'NoRunsError';
}

/**
 * The functions whose median self time moved most between the runs labelled `from` and those
 * labelled `to`, largest change (either way) first. Labels reach the query as parameters.
 */
export async function selfTimeMovers(
  engine: ParquetEngine,
  from: RunLabel,
  to: RunLabel,
  limit: number,
): Promise<Movers> {
  const counts = await engine.rows(
    `SELECT count(*) FILTER (WHERE key = $1 AND value = $2) AS from_runs,
            count(*) FILTER (WHERE key = $3 AND value = $4) AS to_runs FROM labels`,
    [from.key, from.value, to.key, to.value],
  );
  const fromRuns = Number(counts[0].from_runs);
  const toRuns = Number(counts[0].to_runs);
  for (const [label, runs] of [
    [from, fromRuns],
    [to, toRuns],
  ] as const)
    if (runs === 0) throw new NoRunsError(`no run in the history has the label ${label.key}=${label.value}`);
  const rows = await engine.rows(
    `WITH side AS (
       SELECT run_id, 'from' AS side FROM labels WHERE key = $1 AND value = $2
       UNION ALL SELECT run_id, 'to' AS side FROM labels WHERE key = $3 AND value = $4),
     per_run AS (
       SELECT s.side, s.run_id, f.name, f.file, sum(f.self_ns) AS self_ns
       FROM side s JOIN functions f USING (run_id) GROUP BY ALL),
     names AS (SELECT DISTINCT name, file FROM per_run),
     filled AS (
       SELECT s.side, n.name, n.file, coalesce(p.self_ns, 0) AS self_ns
       FROM side s CROSS JOIN names n
       LEFT JOIN per_run p ON p.side = s.side AND p.run_id = s.run_id AND p.name = n.name AND p.file = n.file),
     medians AS (
       SELECT name, file,
              median(self_ns) FILTER (WHERE side = 'from') AS from_ns,
              median(self_ns) FILTER (WHERE side = 'to') AS to_ns
       FROM filled GROUP BY name, file)
     SELECT name, file, from_ns, to_ns FROM medians WHERE from_ns <> to_ns
     ORDER BY abs(to_ns - from_ns) DESC, name, file LIMIT $5`,
    [from.key, from.value, to.key, to.value, limit],
  );
  return {
    fromRuns,
    toRuns,
    movers: rows.map((row) => ({
      name: String(row.name),
      file: String(row.file),
      fromSelfNs: Number(row.from_ns),
      toSelfNs: Number(row.to_ns),
    })),
  };
}
