import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { EVENT_LOG_COLUMNS } from '../src/model/event-log-columns.js';
import { csvTextValue } from '../src/model/csv-text.js';
import { ParquetEngine, sqlPath } from '../src/export/parquet/duckdb-engine.js';
import { convertTraceToParquet, EVENT_LOG_PARQUET_COLUMNS } from '../src/export/parquet/event-log-parquet.js';
import { namedPipe, openPipeWriter } from '../src/export/parquet/events-pipe.js';
import { traceText } from './helpers/analysis.js';
import { eventLogCsv } from './helpers/event-log.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const scratch = scratchDir('parquet-events');
const TEXT_COLUMNS = new Set(['event', 'file', 'function', 'name']);
const inputs = [
  ...readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => join(SAMPLES, name)),
  // Every format's fixtures: names with quotes, commas and line breaks (csv/quoted.csv), counts, ...
  ...readdirSync(join(FIXTURES, 'formats')).flatMap((format) =>
    readdirSync(join(FIXTURES, 'formats', format))
      .sort()
      .map((name) => join(FIXTURES, 'formats', format, name)),
  ),
];

let engine: ParquetEngine;
before(async () => {
  engine = await ParquetEngine.open();
});
after(() => engine.close());

/** The CSV event log's rows as strings, names unguarded ('=x' is written '\'=x'), empty cells ''. */
async function csvRows(trace: string): Promise<string[][]> {
  const { csv } = await eventLogCsv(trace);
  const text = csv.startsWith('#') ? csv.slice(csv.indexOf('\n') + 1) : csv;
  const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  assert.deepEqual(header, [...EVENT_LOG_COLUMNS]);
  return rows.map((row) => row.map((cell, i) => (TEXT_COLUMNS.has(EVENT_LOG_COLUMNS[i]) ? csvTextValue(cell) : cell)));
}

/** The Parquet file's rows in the same form (null as ''). */
async function parquetRows(path: string): Promise<string[][]> {
  const rows = await engine.rows(`SELECT * EXCLUDE (schema_version) FROM read_parquet(${sqlPath(path)})`);
  return rows.map((row) => EVENT_LOG_COLUMNS.map((column) => (row[column] === null ? '' : String(row[column]))));
}

describe('convert --to parquet: the rows of the CSV event log', () => {
  for (const trace of inputs) {
    const name = trace.split('/').slice(-2).join('-');
    it(name, async () => {
      const out = join(scratch, `${name}.parquet`);
      const summary = await convertTraceToParquet(trace, out, { parseThread: false });
      const expected = await csvRows(trace);
      assert.equal(summary.events, expected.length);
      assert.deepEqual(await parquetRows(out), expected);
      const described = await engine.rows(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(out)})`);
      assert.deepEqual(
        described.map((column) => [column.column_name, column.column_type]),
        [...Object.entries(EVENT_LOG_PARQUET_COLUMNS), ['schema_version', 'INTEGER']],
      );
    });
  }

  it('keeps names that look like formulas or SQL as they are, and gives the same bytes twice', async () => {
    const names = ['=cmd()', "x'); DROP TABLE t; --", "'quoted'", 'a,b"c'];
    const trace = writeScratch(
      scratch,
      traceText(
        names.flatMap((name, i) => [
          [1000 + i * 10, 1, 'e', name, i] as const,
          [1005 + i * 10, 1, 'r', name, i] as const,
        ]),
      ),
    );
    const first = join(scratch, 'hostile-1.parquet');
    const second = join(scratch, 'hostile-2.parquet');
    await convertTraceToParquet(trace, first, { parseThread: false });
    await convertTraceToParquet(trace, second, { parseThread: false });
    const rows = await engine.rows(`SELECT function FROM read_parquet(${sqlPath(first)})`);
    assert.deepEqual(
      rows.map((row) => row.function),
      names.flatMap((name) => [name, name]),
    );
    assert.ok(readFileSync(first).equals(readFileSync(second)));
    assert.deepEqual(
      readdirSync(scratch).filter((name) => name.startsWith('.')),
      [],
      'no scratch or temporary file left',
    );
  });

  it('goes through a scratch file, with the same bytes, where there is no mkfifo', async () => {
    const trace = join(SAMPLES, 'threads.pyflame.txt');
    const piped = join(scratch, 'piped.parquet');
    const scratched = join(scratch, 'scratched.parquet');
    await convertTraceToParquet(trace, piped, { parseThread: false });
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      assert.equal(namedPipe(), undefined);
      await convertTraceToParquet(trace, scratched, { parseThread: false });
    } finally {
      process.env.PATH = path;
    }
    assert.ok(readFileSync(piped).equals(readFileSync(scratched)));
  });

  it("fails, never hangs, when the pipe's reader stops in the middle", async () => {
    const pipe = namedPipe();
    assert.ok(pipe !== undefined);
    try {
      const reading = (async () => {
        const handle = await open(pipe.path, 'r');
        await handle.read(Buffer.alloc(16), 0, 16);
        await handle.close();
      })();
      const writer = await openPipeWriter(pipe.path, reading);
      await assert.rejects(async () => {
        // More than a pipe holds: the writes must fail, with the reader gone.
        for (let i = 0; i < 64; i++) {
          writer.write(Buffer.alloc(1 << 20, 97));
          await writer.drain();
        }
      }, /EPIPE/);
      writer.abort();
    } finally {
      pipe.remove();
    }
  });

  it("says why when the pipe's reader fails before opening it, and does not hang", async () => {
    const pipe = namedPipe();
    assert.ok(pipe !== undefined);
    try {
      await assert.rejects(openPipeWriter(pipe.path, Promise.reject(new Error('reader broke'))), /reader broke/);
    } finally {
      pipe.remove();
    }
  });
});
