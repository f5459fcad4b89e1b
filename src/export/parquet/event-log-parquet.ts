import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EVENT_LOG_HEADER } from '../../model/event-log-columns.js';
import { forgetTemporaryFile, openOutput, OutputWriteError, trackTemporaryFile } from '../../io/output.js';
import type { ReadTraceOptions, TraceSummary } from '../../parse/read-trace.js';
import { readerFor } from '../../parse/threaded/thread-threshold.js';
import { namedPipe, type NamedPipe, openPipeWriter } from './events-pipe.js';
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

/** The COPY that reads pyflame's CSV event log at `csv` and writes it to `out` as Parquet. */
function copySql(csv: string, out: string): string {
  const columns = Object.entries(EVENT_LOG_PARQUET_COLUMNS)
    .map(([name, type]) => `'${name}': '${type}'`)
    .join(', ');
  const source =
    `read_csv(${sqlPath(csv)}, header = true, auto_detect = false, delim = ',', quote = '"', ` +
    `escape = '"', allow_quoted_nulls = false, columns = {${columns}})`;
  const select =
    `SELECT ts_ns, pid, tid, event, ${unguarded('file')}, ${unguarded('function')}, line, value, ` +
    `${unguarded('name')}, source_line, ${PARQUET_SCHEMA_VERSION}::INTEGER AS schema_version FROM ${source}`;
  return copyToParquetSql(select, out, 'events');
}

/** Where the CSV rows are written as the trace is read. */
interface RowSink {
  write(bytes: Uint8Array | string): void;
  drain(): Promise<void>;
}

/** Reads the trace into `sink` as CSV rows (the header first; the recording's cost line is no row). */
async function readInto(input: string, sink: RowSink, options: ParquetConvertOptions): Promise<TraceSummary> {
  sink.write(`${EVENT_LOG_HEADER}\n`);
  const writer = csvEventLog.create();
  const read = await readerFor(input, options.parseThread);
  return read(input, {
    ...options,
    onBatch: (batch, trace) => writer.batch(batch, trace, (bytes) => sink.write(bytes)),
    afterChunk: () => sink.drain(),
  });
}

/**
 * Streams a trace's event log into a zstd Parquet file at `path`, atomically (a temporary file
 * beside it, renamed when whole). The events go, batch by batch, through pyflame's own CSV writer
 * into a named pipe that DuckDB reads as they come, writing row groups of 122,880 rows: nothing
 * holds the whole log, and memory stays flat whatever the trace's size. Without mkfifo (Windows),
 * the rows go to a scratch file beside `path` first. Measured against a pure-JS writer:
 * docs/benchmarks.md.
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
  const beside = (what: string) =>
    join(dirname(final), `.${basename(final)}.${what}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const temp = beside('tmp');
  await mkdir(dirname(final), { recursive: true });
  const engine = await ParquetEngine.open({ tempDirectory: join(dirname(final), '.pyflame-duckdb.tmp') });
  trackTemporaryFile(temp);
  try {
    const pipe = namedPipe();
    const summary = pipe === undefined ? await throughScratch(beside('events'), temp) : await throughPipe(pipe, temp);
    await rename(temp, final);
    return summary;
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  } finally {
    forgetTemporaryFile(temp);
    engine.close();
  }

  async function throughPipe(pipe: NamedPipe, out: string): Promise<TraceSummary> {
    // An interrupt removes the FIFO itself (its empty folder stays in the temporary folder).
    trackTemporaryFile(pipe.path);
    try {
      const copying = engine.run(copySql(pipe.path, out)).catch((error: unknown) => {
        throw new OutputWriteError(path, error);
      });
      // Its failure is seen where the rows are written (the pipe breaks), or awaited below.
      copying.catch(() => {});
      const writer = await openPipeWriter(pipe.path, copying);
      let summary: TraceSummary;
      try {
        summary = await readInto(input, writer, options);
        await writer.end();
      } catch (error) {
        writer.abort();
        const copyFailure = await copying.then(
          () => undefined,
          (failure: unknown) => failure,
        );
        // The pipe broke because DuckDB stopped reading: its own error says why.
        throw (error as NodeJS.ErrnoException).code === 'EPIPE' && copyFailure !== undefined ? copyFailure : error;
      }
      await copying;
      return summary;
    } finally {
      forgetTemporaryFile(pipe.path);
      pipe.remove();
    }
  }

  async function throughScratch(scratch: string, out: string): Promise<TraceSummary> {
    const csv = await openOutput(scratch);
    trackTemporaryFile(scratch);
    try {
      let summary: TraceSummary;
      try {
        summary = await readInto(input, csv, options);
        await csv.commit();
      } catch (error) {
        await csv.abort();
        throw error;
      }
      await engine.run(copySql(scratch, out)).catch((error: unknown) => {
        throw new OutputWriteError(path, error);
      });
      return summary;
    } finally {
      await unlink(scratch).catch(() => {});
      forgetTemporaryFile(scratch);
    }
  }
}
