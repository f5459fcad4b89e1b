import { createRequire } from 'node:module';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { OutputWriteError } from '../../io/output.js';

/**
 * The version of pyflame's Parquet tables (docs/parquet.md, schema/parquet-v1.schema.json): every
 * table has a `schema_version` column and the same number in its key-value metadata.
 */
export const PARQUET_SCHEMA_VERSION = 1;

type DuckDbModule = typeof import('@duckdb/node-api');
let duckdb: DuckDbModule | undefined;

/**
 * @duckdb/node-api, loaded on first use only: it is a native module of tens of MB, and no command
 * but the Parquet outputs needs it (start-up time of the others must not grow). Loaded with
 * require() so that the CLI bundle leaves it out (scripts/bundle-cli.mjs).
 */
export function duckDbModule(): DuckDbModule {
  try {
    duckdb ??= createRequire(import.meta.url)('@duckdb/node-api') as DuckDbModule;
  } catch (error) {
    // A platform without a prebuilt DuckDB: the Parquet outputs say so; every other output works.
    throw new OutputWriteError(
      'Parquet',
      new Error(
        `DuckDB (@duckdb/node-api), which writes it, could not be loaded: ${(error as Error).message.split('\n')[0]}`,
      ),
    );
  }
  return duckdb;
}

/** An in-memory DuckDB that writes Parquet files; close it when done. */
export class ParquetEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * One thread: the files' bytes must not depend on how work was split between threads (same input,
   * same bytes); `memoryLimit` bounds what DuckDB buffers before it spills to `tempDirectory`.
   */
  static async open(options: { threads?: number; memoryLimit?: string; tempDirectory?: string } = {}) {
    const settings: Record<string, string> = {
      threads: String(options.threads ?? 1),
      memory_limit: options.memoryLimit ?? '256MB',
      // Nothing from outside: no extension is fetched or loaded, no file but those named here is read.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (options.tempDirectory !== undefined) settings.temp_directory = options.tempDirectory;
    const instance = await duckDbModule().DuckDBInstance.create(':memory:', settings);
    return new ParquetEngine(instance, await instance.connect());
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async appender(table: string): Promise<DuckDBAppender> {
    return this.connection.createAppender(table);
  }

  /**
   * Rows of a query as JS values (tests and history read with it); `values` are its parameters
   * ($1, $2, ...): names from traces reach a query only this way.
   */
  async rows(sql: string, values?: (string | number | null)[]): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * A path as an SQL string literal. Only paths pyflame chose or the user typed reach SQL this way
 * (COPY's destination takes no parameter); names read from traces never do: they go through
 * appenders.
 */
export function sqlPath(path: string): string {
  if (path.includes('\0')) throw new Error('a path with a NUL byte');
  return `'${path.replaceAll("'", "''")}'`;
}

/** `COPY (query) TO path` as zstd-compressed Parquet with pyflame's schema version in its metadata. */
export function copyToParquetSql(query: string, path: string, table: string): string {
  return (
    `COPY (${query}) TO ${sqlPath(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, ` +
    `KV_METADATA {pyflame_schema_version: '${PARQUET_SCHEMA_VERSION}', pyflame_table: '${table}'})`
  );
}
