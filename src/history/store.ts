import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ANALYSIS_TABLES, type TableRows } from '../export/parquet/analysis-tables.js';
import { copyToParquetSql, ParquetEngine, sqlPath } from '../export/parquet/duckdb-engine.js';
import { tableFileName, writeAnalysisTables } from '../export/parquet/write-tables.js';
import { OutputWriteError } from '../io/output.js';

// A history store (docs/history.md): a folder holding one sub-folder per run, named by its run_id,
// with that run's Parquet tables (runs.parquet, functions.parquet, ...) and added.parquet (its
// place in the history). A run is written whole into .staging/ first and renamed into place: a
// reader never sees half a run, and a run already there is never written again.

/** The store used when --store is not given. */
export const DEFAULT_STORE = '.pyflame/history';

/** The store's own table: the order in which runs were added (1, 2, ...). */
export const ADDED_TABLE = 'added';

/** run_id as pyflame writes it: 16 lowercase hex digits (docs/parquet.md). */
export const RUN_ID = /^[0-9a-f]{16}$/;

/**
 * STORE/index.parquet: every run's place and labels in one small file (run_id, added, key, value;
 * a run without labels has one row with key and value null), rewritten after each add. A query
 * over all runs then opens that one file instead of two per run; it is only a copy, used while its
 * run ids are exactly the stored ones (history-db.ts).
 */
export const INDEX_FILE = 'index.parquet';

/** Where runs are written before they are renamed into the store (outside the tables' globs). */
const STAGING = '.staging';

/** The run ids in the store (sub-folders that hold a whole run). */
export function storedRunIds(store: string): string[] {
  if (!existsSync(store)) return [];
  return readdirSync(store)
    .filter((name) => RUN_ID.test(name) && existsSync(join(store, name, tableFileName(ADDED_TABLE))))
    .sort();
}

/** The next place in the history: one after the largest stored. */
async function nextAddedNumber(store: string, engine: ParquetEngine): Promise<number> {
  if (storedRunIds(store).length === 0) return 1;
  const [row] = await engine.rows(
    `SELECT coalesce(max(added), 0) AS last FROM read_parquet(${sqlPath(join(store, '*', tableFileName(ADDED_TABLE)))})`,
  );
  return Number(row.last) + 1;
}

export type AddOutcome = { runId: string; added: number } | { runId: string; already: true };

/** One run to add: its rows (from a trace or a saved --json), or a run of a Parquet folder. */
export type RunSource =
  | { kind: 'rows'; runId: string; rows: TableRows }
  | { kind: 'parquet'; runId: string; dir: string };

/**
 * Adds runs to the store, each once: a run whose id is already stored is left as it is. Each run
 * goes into a staging folder, then is renamed to STORE/RUN_ID in one step.
 */
export async function addToStore(store: string, sources: readonly RunSource[]): Promise<AddOutcome[]> {
  if (existsSync(store) && !statSync(store).isDirectory())
    throw new OutputWriteError(store, new Error('is a file, not a history folder'));
  await mkdir(join(store, STAGING), { recursive: true });
  const engine = await ParquetEngine.open();
  const outcomes: AddOutcome[] = [];
  try {
    let next = await nextAddedNumber(store, engine);
    for (const source of sources) {
      const final = join(store, source.runId);
      if (existsSync(final) || outcomes.some((o) => o.runId === source.runId)) {
        outcomes.push({ runId: source.runId, already: true });
        continue;
      }
      const staging = join(store, STAGING, `${source.runId}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        if (source.kind === 'rows') await writeAnalysisTables(staging, [source.rows]);
        else await copyParquetRun(engine, source.dir, source.runId, staging);
        await writeAdded(engine, staging, source.runId, next);
        await rename(staging, final);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error instanceof OutputWriteError ? error : new OutputWriteError(store, error);
      }
      outcomes.push({ runId: source.runId, added: next++ });
    }
    if (outcomes.some((outcome) => 'added' in outcome) || !existsSync(join(store, INDEX_FILE)))
      await writeIndex(engine, store);
  } finally {
    engine.close();
    // Left when another add is writing into it, or after a crash (it is outside the tables' globs).
    await rmdir(join(store, STAGING)).catch(() => {});
  }
  return outcomes;
}

/** The rows of one run of an `analyze --parquet` folder, table by table, into `staging`. */
async function copyParquetRun(engine: ParquetEngine, dir: string, runId: string, staging: string): Promise<void> {
  // runId was checked against RUN_ID (16 hex digits): it cannot carry SQL.
  if (!RUN_ID.test(runId)) throw new Error(`not a run id: ${runId}`);
  await mkdir(staging, { recursive: true });
  for (const table of ANALYSIS_TABLES) {
    const query = `SELECT * FROM read_parquet(${sqlPath(join(dir, tableFileName(table.name)))}) WHERE run_id = '${runId}'`;
    await engine.run(copyToParquetSql(query, join(staging, tableFileName(table.name)), table.name));
  }
}

async function writeAdded(engine: ParquetEngine, staging: string, runId: string, added: number): Promise<void> {
  await engine.run('CREATE OR REPLACE TABLE added_row (run_id VARCHAR, added BIGINT)');
  const appender = await engine.appender('added_row');
  try {
    appender.appendVarchar(runId);
    appender.appendBigInt(BigInt(added));
    appender.endRow();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await engine.run(copyToParquetSql('FROM added_row', join(staging, tableFileName(ADDED_TABLE)), ADDED_TABLE));
}

/** Rewrites STORE/index.parquet from the runs' own files (temporary name, then renamed). */
export async function writeIndex(engine: ParquetEngine, store: string): Promise<void> {
  const files = (table: string) => `read_parquet(${sqlPath(join(store, '*', tableFileName(table)))})`;
  const temp = join(store, STAGING, `${INDEX_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(join(store, STAGING), { recursive: true });
  try {
    await engine.run(
      copyToParquetSql(
        `SELECT a.run_id, a.added, l.key, l.value FROM ${files(ADDED_TABLE)} a LEFT JOIN ${files('labels')} l USING (run_id) ORDER BY a.added, a.run_id, l.key`,
        temp,
        'index',
      ),
    );
    await rename(temp, join(store, INDEX_FILE));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
