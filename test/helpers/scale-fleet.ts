import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTrace } from '../../src/analyze/analyze.js';
import { ANALYSIS_TABLES, type Cell, runRows } from '../../src/export/parquet/analysis-tables.js';
import { copyToParquetSql, type ParquetEngine, sqlPath } from '../../src/export/parquet/duckdb-engine.js';
import { tableFileName, writeAnalysisTables } from '../../src/export/parquet/write-tables.js';
import { SAMPLES } from './paths.js';

/** A table's row as an object keyed by column name (cells as runRows gives them). */
export type TemplateRow = Record<string, Cell>;

/** One generated run of the fleet: where it is filed, what it was derived from, how it is scaled. */
export interface FleetRun {
  readonly runNo: number;
  readonly runId: string;
  readonly date: string;
  readonly service: string;
  readonly commit: string;
  readonly host: string;
  /** Index into the templates. */
  readonly template: number;
  /** Every time of the run is multiplied by permille / 1000 (integer division, as in SQL). */
  readonly permille: number;
  /** `encode` of threads.py is three times slower in this run (service api from the 4th day). */
  readonly regressed: boolean;
}

export const DATES = Array.from({ length: 10 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
export const SERVICES = ['api', 'worker', 'batch', 'ingest'] as const;
const RUNS_PER_PARTITION = 25;
const TEMPLATES = ['threads.pyflame.txt', 'imports-gc.pyflame.txt', 'recursion.pyflame.txt'];
/** The tables docs/scale.md's queries read; the others would be written the same way. */
export const FLEET_TABLES = ['runs', 'labels', 'functions', 'imports'] as const;
type FleetTable = (typeof FLEET_TABLES)[number];

/** The function the fleet's api service regresses on, and the multiplier. */
export const isRegressedFunction = (row: TemplateRow) =>
  row.name === 'encode' && String(row.file).endsWith('/threads.py');
const REGRESSION = 3;

/** The permille by which a row's times are scaled in a run. */
export function multiplier(run: FleetRun, table: FleetTable, row: TemplateRow): number {
  return table === 'functions' && run.regressed && isRegressedFunction(row) ? run.permille * REGRESSION : run.permille;
}

/** `value * permille / 1000`, truncated, as DuckDB's `//` does on BIGINT. */
export const scaled = (value: Cell, permille: number): bigint => (BigInt(value as number) * BigInt(permille)) / 1000n;

/** Every tenth run fails to find its nested imports (`found` false), so that filters on it matter. */
export const importFound = (run: FleetRun, row: TemplateRow): boolean =>
  run.runNo % 10 === 0 && (row.depth as number) > 0 ? false : (row.found as boolean);

/** The columns scaled per table (times); every other column is the template's. */
const SCALED: Record<FleetTable, readonly string[]> = {
  runs: ['duration_ns', 'gc_total_pause_ns'],
  labels: [],
  functions: ['self_ns', 'total_ns'],
  imports: ['duration_ns', 'self_ns'],
};

export interface Fleet {
  readonly runs: readonly FleetRun[];
  /** Per template: each table's rows (labels empty: the fleet's labels are its own). */
  readonly templates: readonly Record<string, TemplateRow[]>[];
}

/** The fleet's plan: 10 days x 4 services x 25 runs, each derived from one analysed sample. */
function planRuns(templateRunIds: readonly string[]): FleetRun[] {
  const runs: FleetRun[] = [];
  DATES.forEach((date, day) => {
    for (const service of SERVICES)
      for (let i = 0; i < RUNS_PER_PARTITION; i++) {
        const runNo = runs.length;
        const template = service === 'ingest' ? runNo % 3 : SERVICES.indexOf(service);
        runs.push({
          runNo,
          runId: createHash('sha256').update(`${templateRunIds[template]}:${runNo}`).digest('hex').slice(0, 16),
          date,
          service,
          commit: `c${String(day + 1).padStart(2, '0')}`,
          host: `host-${runNo % 7}`,
          template,
          permille: 900 + ((runNo * 37) % 201),
          regressed: service === 'api' && day >= 3,
        });
      }
  });
  return runs;
}

/** A run's labels, as `labels` rows hold them (sorted by key). */
export const fleetLabels = (run: FleetRun) => [
  { key: 'commit', value: run.commit },
  { key: 'host', value: run.host },
  { key: 'service', value: run.service },
];

/**
 * Analyses the samples once, then writes every run's tables under `root` as docs/scale.md lays
 * them out: `TABLE/date=D/service=S/RUN_ID.parquet`. The rows are the templates' with the run's
 * id, labels and scaled times, derived by DuckDB (COPY) from the templates' own Parquet files.
 */
export async function writeFleet(engine: ParquetEngine, scratch: string, root: string): Promise<Fleet> {
  const templates: Record<string, TemplateRow[]>[] = [];
  const templateRunIds: string[] = [];
  for (const [index, sample] of TEMPLATES.entries()) {
    const { runId, rows } = runRows({ analysis: await analyzeTrace(join(SAMPLES, sample)), labels: [] });
    templateRunIds.push(runId);
    templates.push(
      Object.fromEntries(
        ANALYSIS_TABLES.map((table) => [
          table.name,
          rows[table.name].map((row) => Object.fromEntries(table.columns.map(([name], i) => [name, row[i]]))),
        ]),
      ),
    );
    await writeAnalysisTables(join(scratch, 'templates', String(index)), [rows]);
  }
  for (const table of FLEET_TABLES) {
    const sources = TEMPLATES.map(
      (_, index) =>
        `SELECT ${index} AS template, * FROM read_parquet(${sqlPath(join(scratch, 'templates', String(index), tableFileName(table)))})`,
    );
    await engine.run(`CREATE TABLE tpl_${table} AS ${sources.join(' UNION ALL ')}`);
  }

  const runs = planRuns(templateRunIds);
  // Only values this file made reach SQL text here (hex ids, fixed words, numbers).
  const fleetValues = runs.map(
    (run) => `(${run.runNo}, '${run.runId}', ${run.template}, ${run.permille}, ${run.regressed})`,
  );
  await engine.run(
    `CREATE TABLE fleet AS SELECT * FROM (VALUES ${fleetValues.join(', ')}) v(run_no, run_id, template, permille, regressed)`,
  );
  const labelValues = runs.flatMap((run) =>
    fleetLabels(run).map(({ key, value }) => `(${run.runNo}, '${run.runId}', '${key}', '${value}')`),
  );
  await engine.run(
    `CREATE TABLE fleet_labels AS SELECT * FROM (VALUES ${labelValues.join(', ')}) v(run_no, run_id, key, value)`,
  );

  const selects = Object.fromEntries(FLEET_TABLES.map((table) => [table, selectFor(table)]));
  for (const table of FLEET_TABLES)
    for (const date of DATES)
      for (const service of SERVICES)
        mkdirSync(join(root, table, `date=${date}`, `service=${service}`), { recursive: true });
  for (const run of runs)
    for (const table of FLEET_TABLES) {
      const path = join(root, table, `date=${run.date}`, `service=${run.service}`, `${run.runId}.parquet`);
      await engine.run(copyToParquetSql(`${selects[table]} WHERE f.run_no = ${run.runNo}`, path, table));
    }
  return { runs, templates };
}

/** The SELECT deriving a run's rows of `table` from its template (the WHERE names the run). */
function selectFor(table: FleetTable): string {
  const spec = ANALYSIS_TABLES.find((t) => t.name === table);
  if (spec === undefined) throw new Error(`no table ${table}`);
  if (table === 'labels') return 'SELECT f.run_id, f.key, f.value FROM fleet_labels f';
  const permille =
    table === 'functions'
      ? `CASE WHEN f.regressed AND t.name = 'encode' AND t.file LIKE '%/threads.py' THEN f.permille * ${REGRESSION} ELSE f.permille END`
      : 'f.permille';
  const columns = spec.columns.map(([name]) => {
    if (name === 'run_id') return 'f.run_id';
    if (SCALED[table].includes(name)) return `CAST(t.${name} * (${permille}) // 1000 AS BIGINT) AS ${name}`;
    if (table === 'imports' && name === 'found')
      return 'CASE WHEN f.run_no % 10 = 0 AND t.depth > 0 THEN false ELSE t.found END AS found';
    return `t.${name}`;
  });
  return `SELECT ${columns.join(', ')} FROM tpl_${table} t JOIN fleet f ON f.template = t.template`;
}
