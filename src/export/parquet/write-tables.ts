import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBAppender } from '@duckdb/node-api';
import { forgetTemporaryFile, OutputWriteError, trackTemporaryFile } from '../../io/output.js';
import { ANALYSIS_TABLES, type Cell, type ColumnType, type TableRows } from './analysis-tables.js';
import { copyToParquetSql, duckDbModule, ParquetEngine } from './duckdb-engine.js';

/** The file of a table in the output folder. */
export const tableFileName = (table: string): string => `${table}.parquet`;

/**
 * Writes every table of `runs` (one row set per trace) into `dir`, one zstd Parquet file per table
 * (`runs.parquet`, `functions.parquet`, ...). Each file is written under a temporary name inside
 * `dir` and renamed into place only once all of them are written: a failure leaves none behind.
 * Names read from traces reach DuckDB through its appender, never through SQL text.
 */
export async function writeAnalysisTables(dir: string, runs: readonly TableRows[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const engine = await ParquetEngine.open();
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const written: { temp: string; path: string }[] = [];
  try {
    for (const table of ANALYSIS_TABLES) {
      const columns = table.columns.map(([name, type]) => `"${name}" ${type}`).join(', ');
      await engine.run(`CREATE TABLE "${table.name}" (${columns})`);
      const appender = await engine.appender(table.name);
      try {
        const types = table.columns.map(([, type]) => type);
        for (const rows of runs) for (const row of rows[table.name]) appendRow(appender, row, types);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      const path = join(dir, tableFileName(table.name));
      const temp = join(dir, `.${tableFileName(table.name)}${suffix}`);
      trackTemporaryFile(temp);
      written.push({ temp, path });
      await engine.run(copyToParquetSql(`FROM "${table.name}"`, temp, table.name));
    }
    for (const { temp, path } of written) {
      await rename(temp, path);
      forgetTemporaryFile(temp);
    }
    return written.map(({ path }) => path);
  } catch (error) {
    for (const { temp } of written) {
      await unlink(temp).catch(() => {});
      forgetTemporaryFile(temp);
    }
    // DuckDB's own errors (a full disk, a folder gone) name the temporary file: named by DIR instead.
    throw error instanceof OutputWriteError ? error : new OutputWriteError(dir, error);
  } finally {
    engine.close();
  }
}

export function appendRow(appender: DuckDBAppender, row: readonly Cell[], types: readonly ColumnType[]): void {
  for (let i = 0; i < types.length; i++) {
    const cell = row[i];
    if (cell === null || cell === undefined) {
      appender.appendNull();
      continue;
    }
    switch (types[i]) {
      case 'VARCHAR':
        appender.appendVarchar(String(cell));
        break;
      case 'INTEGER':
        appender.appendInteger(cell as number);
        break;
      // BigInt() throws on a fraction: the JSON schema promises whole numbers here.
      case 'BIGINT':
        appender.appendBigInt(BigInt(cell as number));
        break;
      case 'DOUBLE':
        appender.appendDouble(cell as number);
        break;
      case 'BOOLEAN':
        appender.appendBoolean(cell as boolean);
        break;
      case 'BIGINT[]': {
        const duckdb = duckDbModule();
        appender.appendList(
          (cell as readonly number[]).map((value) => BigInt(value)),
          duckdb.LIST(duckdb.BIGINT),
        );
        break;
      }
    }
  }
  appender.endRow();
}
