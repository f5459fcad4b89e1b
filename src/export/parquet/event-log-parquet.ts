import { randomBytes } from 'node:crypto';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EVENT_LOG_HEADER } from '../../model/event-log-columns.js';
import { forgetTemporaryFile, openOutput, OutputWriteError, trackTemporaryFile } from '../../io/output.js';
import type { ReadTraceOptions, TraceSummary } from '../../parse/read-trace.js';
import { readerFor } from '../../parse/threaded/thread-threshold.js';
import { OutputPathError, resolveOutputTarget } from '../../io/output-target.js';
import { csvEventLog } from '../event-log/csv.js';
import { copyToParquetSql, PARQUET_SCHEMA_VERSION, ParquetEngine, sqlPath } from './duckdb-engine.js';

/** The event log's Parquet columns: those of the CSV event log (docs/event-log.md), typed. */
export const EVENT_LOG_PARQUET_COLUMNS = {
  ts_ns: 'BIGINT',
  pid: 'BIGINT',
  tid: 'BIGINT',
  event: 'VARCHAR',
  file: 'VARCHAR',
  function: 'VARCHAR',
  line: 'BIGINT',
  value: 'BIGINT',
  name: 'VARCHAR',
  source_line: 'BIGINT',
} as const;

export interface ParquetConvertOptions extends Omit<ReadTraceOptions, 'onBatch'> {
  readonly parseThread?: boolean;
}

/** A name cell of pyflame's CSV back to the name: the formula guard `'` taken off (csvTextValue). */
const unguarded = (column: string) =>
  `CASE WHEN starts_with("${column}", '''') THEN "${column}"[2:] ELSE "${column}" END AS "${column}"`;

/**
 * Streams a trace's event log into a zstd Parquet file at `path`, atomically. The events go, batch
 * by batch, through pyflame's own CSV writer into a scratch file beside `path` (memory stays flat
 * whatever the trace's size), which DuckDB then turns into Parquet row groups of 122,880 rows
 * without holding it whole. Measured against a pure-JS writer: docs/benchmarks.md.
 */
export async function convertTraceToParquet(
  input: string,
  path: string,
  options: ParquetConvertOptions,
): Promise<TraceSummary> {
  const target = resolveOutputTarget(path);
  // Renaming over a device or a pipe would replace it with a plain file (/dev/null, as root).
  if (target.kind !== 'replace')
    throw new OutputPathError(
      `${path}: Parquet is written to a regular file, not ${target.kind === 'stdout' ? 'stdout' : `a ${target.what}`}`,
    );
  const final = target.file;
  const scratch = join(
    dirname(final),
    `.${basename(final)}.events-${process.pid}-${randomBytes(4).toString('hex')}.csv`,
  );
  const temp = join(dirname(final), `.${basename(final)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const csv = await openOutput(scratch);
  let summary: TraceSummary;
  trackTemporaryFile(scratch);
  try {
    try {
      // The header only: the recording's cost line, which the CSV carries first, is no row.
      csv.write(`${EVENT_LOG_HEADER}\n`);
      const writer = csvEventLog.create();
      const read = await readerFor(input, options.parseThread);
      summary = await read(input, {
        ...options,
        onBatch: (batch, trace) => writer.batch(batch, trace, (bytes) => csv.write(bytes)),
        afterChunk: () => csv.drain(),
      });
      await csv.commit();
    } catch (error) {
      await csv.abort();
      throw error;
    }
    const engine = await ParquetEngine.open({ tempDirectory: join(dirname(final), '.pyflame-duckdb.tmp') });
    trackTemporaryFile(temp);
    try {
      const columns = Object.entries(EVENT_LOG_PARQUET_COLUMNS)
        .map(([name, type]) => `'${name}': '${type}'`)
        .join(', ');
      const source =
        `read_csv(${sqlPath(scratch)}, header = true, auto_detect = false, delim = ',', quote = '"', ` +
        `escape = '"', allow_quoted_nulls = false, columns = {${columns}})`;
      const select =
        `SELECT ts_ns, pid, tid, event, ${unguarded('file')}, ${unguarded('function')}, line, value, ` +
        `${unguarded('name')}, source_line, ${PARQUET_SCHEMA_VERSION}::INTEGER AS schema_version FROM ${source}`;
      await engine.run(copyToParquetSql(select, temp, 'events'));
      await rename(temp, final);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error instanceof OutputWriteError ? error : new OutputWriteError(path, error);
    } finally {
      forgetTemporaryFile(temp);
      engine.close();
    }
  } finally {
    await unlink(scratch).catch(() => {});
    forgetTemporaryFile(scratch);
  }
  return summary;
}
