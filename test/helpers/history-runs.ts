import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ANALYSIS_TABLES, type Cell, type TableRows } from '../../src/export/parquet/analysis-tables.js';
import { copyToParquetSql, ParquetEngine } from '../../src/export/parquet/duckdb-engine.js';
import { appendRow } from '../../src/export/parquet/write-tables.js';
import { ADDED_TABLE, writeIndex } from '../../src/history/store.js';

/** The id of generated run `i` (16 hex digits, as pyflame's). */
export const syntheticRunId = (i: number): string =>
  createHash('sha256').update(`synthetic-run-${i}`).digest('hex').slice(0, 16);

/** The commit label of generated run `i`. */
export const syntheticCommit = (i: number): string => `c${String(i).padStart(5, '0')}`;

/**
 * Writes `count` runs into the history folder `store` as `history add` lays them out, quickly:
 * run i is template i % templates.length with its own run id, labels commit=c0000i and
 * branch=main|dev, and every function's self and total time raised by i ns. All rows go into one
 * DuckDB and out in one partitioned COPY per table, then the folders get their store names.
 */
export async function writeSyntheticHistory(store: string, templates: readonly TableRows[], count: number) {
  const staging = `${store}.partitions`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(store), { recursive: true });
  const engine = await ParquetEngine.open({ threads: 1, memoryLimit: '2GB' });
  try {
    const tables = [
      ...ANALYSIS_TABLES,
      {
        name: ADDED_TABLE,
        columns: [
          ['run_id', 'VARCHAR'],
          ['added', 'BIGINT'],
        ],
      } as const,
    ];
    for (const table of tables) {
      await engine.run(`CREATE TABLE "${table.name}" (${table.columns.map(([n, t]) => `"${n}" ${t}`).join(', ')})`);
      const appender = await engine.appender(table.name);
      const types = table.columns.map(([, type]) => type);
      for (let i = 0; i < count; i++) {
        const runId = syntheticRunId(i);
        for (const row of rowsOf(table.name, templates[i % templates.length], i, runId))
          appendRow(appender, row, types);
      }
      appender.flushSync();
      appender.closeSync();
      await engine.run(
        copyToParquetSql(`FROM "${table.name}"`, staging, table.name).replace(
          /\)$/,
          `, PARTITION_BY (run_id), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN '${table.name}', OVERWRITE_OR_IGNORE true)`,
        ),
      );
    }
  } finally {
    engine.close();
  }
  mkdirSync(store, { recursive: true });
  // DuckDB names them run_id=ID/TABLE0.parquet: the store's names are ID/TABLE.parquet.
  for (const folder of readdirSync(staging)) {
    const dir = join(staging, folder);
    for (const file of readdirSync(dir))
      renameSync(join(dir, file), join(dir, file.replace(/0\.parquet$/, '.parquet')));
    renameSync(dir, join(store, folder.replace(/^run_id=/, '')));
  }
  rmSync(staging, { recursive: true, force: true });
  const engine2 = await ParquetEngine.open();
  try {
    await writeIndex(engine2, store);
  } finally {
    engine2.close();
  }
}

function rowsOf(table: string, template: TableRows, i: number, runId: string): Cell[][] {
  if (table === ADDED_TABLE) return [[runId, i + 1]];
  if (table === 'labels')
    return [
      [runId, 'branch', i % 2 === 0 ? 'main' : 'dev'],
      [runId, 'commit', syntheticCommit(i)],
    ];
  const rows = template[table as keyof TableRows].map((row) => [runId, ...row.slice(1)]);
  if (table === 'functions') {
    const columns = ANALYSIS_TABLES.find((t) => t.name === 'functions')?.columns.map(([name]) => name) ?? [];
    const self = columns.indexOf('self_ns');
    const total = columns.indexOf('total_ns');
    for (const row of rows) {
      row[self] = (row[self] as number) + i;
      row[total] = (row[total] as number) + i;
    }
  }
  return rows;
}
