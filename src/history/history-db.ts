import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS_TABLES } from '../export/parquet/analysis-tables.js';
import { ParquetEngine, sqlPath } from '../export/parquet/duckdb-engine.js';
import { tableFileName } from '../export/parquet/write-tables.js';
import { ADDED_TABLE, INDEX_FILE, storedRunIds } from './store.js';

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
 * in the history as its `added` column; `added` is that place alone). `tables` limits the views
 * to those a query needs: each view is bound over every run's file. Close it when done.
 */
export async function openHistory(
  store: string,
  tables: readonly string[] = [...HISTORY_VIEWS, ADDED_TABLE],
): Promise<ParquetEngine> {
  const stored = storedRunIds(store);
  if (stored.length === 0) throw new EmptyHistoryError(store);
  // Reading is free to use both cores: a query's result does not depend on how it was split.
  const engine = await ParquetEngine.open({ threads: 2 });
  try {
    const index = (await indexIsCurrent(engine, store, stored)) ? sqlPath(join(store, INDEX_FILE)) : undefined;
    const files = (table: string) => `read_parquet(${sqlPath(join(store, '*', tableFileName(table)))})`;
    const added = index === undefined ? files(ADDED_TABLE) : `(SELECT DISTINCT run_id, added FROM ${index})`;
    for (const table of tables) {
      const source =
        table === 'runs'
          ? `SELECT r.*, a.added FROM ${files('runs')} r JOIN ${added} a USING (run_id)`
          : table === ADDED_TABLE
            ? `SELECT * FROM ${added}`
            : table === 'labels' && index !== undefined
              ? `SELECT run_id, key, value FROM ${index} WHERE key IS NOT NULL`
              : `SELECT * FROM ${files(table)}`;
      await engine.run(`CREATE VIEW "${table}" AS ${source}`);
    }
  } catch (error) {
    engine.close();
    throw error;
  }
  return engine;
}

/** The index holds exactly the stored runs (an add that failed half-way, or an older store, leaves it behind). */
async function indexIsCurrent(engine: ParquetEngine, store: string, stored: readonly string[]): Promise<boolean> {
  if (!existsSync(join(store, INDEX_FILE))) return false;
  try {
    const rows = await engine.rows(
      `SELECT DISTINCT run_id FROM read_parquet(${sqlPath(join(store, INDEX_FILE))}) ORDER BY run_id`,
    );
    return rows.length === stored.length && rows.every((row, i) => row.run_id === stored[i]);
  } catch {
    return false;
  }
}
