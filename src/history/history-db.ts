import { join } from 'node:path';
import { ANALYSIS_TABLES } from '../export/parquet/analysis-tables.js';
import { ParquetEngine, sqlPath } from '../export/parquet/duckdb-engine.js';
import { tableFileName } from '../export/parquet/write-tables.js';
import { ADDED_TABLE, storedRunIds } from './store.js';

/** A store with no run in it: the CLI says so (exit 2). */
export class EmptyHistoryError extends Error {
  override name = 'EmptyHistoryError';
  constructor(readonly store: string) {
    super(`the history ${store} holds no run yet: add some with pyflame history add RESULT... --store ${store}`);
  }
}

/** The views a history query sees: every table of docs/parquet.md, over all stored runs. */
export const HISTORY_VIEWS = ANALYSIS_TABLES.map((table) => table.name);

/**
 * An in-memory DuckDB with one view per table over the store's files (`runs` has the run's place
 * in the history as its `added` column). Close it when done.
 */
export async function openHistory(store: string): Promise<ParquetEngine> {
  if (storedRunIds(store).length === 0) throw new EmptyHistoryError(store);
  // Reading is free to use both cores: a query's result does not depend on how it was split.
  const engine = await ParquetEngine.open({ threads: 2 });
  try {
    const files = (table: string) => `read_parquet(${sqlPath(join(store, '*', tableFileName(table)))})`;
    for (const table of HISTORY_VIEWS) {
      const source =
        table === 'runs'
          ? `SELECT r.*, a.added FROM ${files('runs')} r JOIN ${files(ADDED_TABLE)} a USING (run_id)`
          : `SELECT * FROM ${files(table)}`;
      await engine.run(`CREATE VIEW "${table}" AS ${source}`);
    }
  } catch (error) {
    engine.close();
    throw error;
  }
  return engine;
}
