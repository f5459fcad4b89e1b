import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { ANALYSIS_TABLES, pythonVersion, runIdOf, runRows } from '../src/export/parquet/analysis-tables.js';
import { ParquetEngine, sqlPath } from '../src/export/parquet/duckdb-engine.js';
import { tableFileName, writeAnalysisTables } from '../src/export/parquet/write-tables.js';
import { analyzeRows } from './helpers/analysis.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the --json document, read as its schema says
type Json = Record<string, any>;

const scratch = scratchDir('parquet-tables');
const samples = readdirSync(SAMPLES)
  .filter((name) => name.endsWith('.txt'))
  .sort();

/** camelCase JSON member names as the tables' snake_case column names. */
const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** A cell read back as a plain value: BIGINT comes as bigint, lists as arrays. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

let engine: ParquetEngine;
const read = async (dir: string, table: string): Promise<Row[]> =>
  (await engine.rows(`SELECT * FROM read_parquet(${sqlPath(join(dir, tableFileName(table)))})`)).map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plain(value)])),
  );

/** Every member of each JSON item equals its column (snake_case) in the row at the same place. */
function assertSameItems(table: string, rows: Row[], items: Json[], runId: string, skip: string[] = []): void {
  assert.equal(rows.length, items.length, `${table}: rows`);
  items.forEach((item, index) => {
    assert.equal(rows[index].run_id, runId, `${table}[${index}].run_id`);
    for (const [key, value] of Object.entries(item)) {
      if (skip.includes(key)) continue;
      assert.ok(snake(key) in rows[index], `${table} has no column for ${key}`);
      assert.deepEqual(rows[index][snake(key)], value, `${table}[${index}].${key}`);
    }
  });
}

before(async () => {
  engine = await ParquetEngine.open();
});
after(() => engine.close());

describe('analyze --parquet tables: the same numbers as --json', () => {
  for (const sample of samples) {
    it(sample, async () => {
      const analysis = await analyzeTrace(join(SAMPLES, sample));
      const json = analysisToJson(analysis) as Json;
      const labels = [
        { key: 'commit', value: 'abc123' },
        { key: 'branch', value: 'main' },
      ];
      const { runId, rows } = runRows({ analysis, labels });
      const dir = join(scratch, sample);
      const files = await writeAnalysisTables(dir, [rows]);
      assert.deepEqual(
        readdirSync(dir).sort(),
        ANALYSIS_TABLES.map((table) => tableFileName(table.name)).sort(),
        'one file per table, nothing else left',
      );
      assert.equal(files.length, ANALYSIS_TABLES.length);

      // Schemas: the documented columns and types, in order.
      for (const table of ANALYSIS_TABLES) {
        const described = await engine.rows(
          `DESCRIBE SELECT * FROM read_parquet(${sqlPath(join(dir, tableFileName(table.name)))})`,
        );
        assert.deepEqual(
          described.map((column) => [column.column_name, column.column_type]),
          table.columns.map(([name, type]) => [name, type]),
          `${table.name}: schema`,
        );
      }

      const [run] = await read(dir, 'runs');
      assert.equal(run.run_id, runId);
      assert.equal(run.schema_version, 1);
      assert.equal(run.source_path, json.source.path);
      assert.equal(run.format, json.source.format);
      assert.equal(run.python, json.trace.metadata.python ?? null);
      // The shipped samples name /usr/bin/python3.11 in their header, or no Python at all.
      assert.equal(run.python_version, json.trace.metadata.python === '/usr/bin/python3.11' ? '3.11' : null);
      assert.equal(run.start_absolute_ns, json.trace.startAbsoluteNs);
      assert.equal(run.duration_ns, json.trace.durationNs);
      assert.equal(run.events, json.trace.events);
      assert.equal(run.dropped_events, json.trace.droppedEvents);
      assert.equal(run.calls_running_at_start, json.trace.callsRunningAtStart);
      assert.equal(run.gc_total_pause_ns, json.gc.totalPauseNs);
      assert.equal(run.gc_wall_share, json.gc.wallShare);

      assert.deepEqual(
        (await read(dir, 'labels')).map((row) => [row.run_id, row.key, row.value]),
        [
          [runId, 'branch', 'main'],
          [runId, 'commit', 'abc123'],
        ],
      );
      assert.deepEqual(
        (await read(dir, 'metadata')).map((row) => [row.key, row.value]),
        Object.entries(json.trace.metadata).sort(),
      );

      const functions = await read(dir, 'functions');
      assertSameItems('functions', functions, json.functions, runId);
      assert.deepEqual(
        functions.map((row) => row.function_index),
        json.functions.map((_: unknown, index: number) => index),
      );
      assertSameItems('gc_pauses', await read(dir, 'gc_pauses'), json.gc.pauses, runId);
      assertSameItems('gc_generations', await read(dir, 'gc_generations'), json.gc.byGeneration, runId);
      assertSameItems('gc_histogram', await read(dir, 'gc_histogram'), json.gc.histogram, runId);
      assertSameItems('imports', await read(dir, 'imports'), json.imports, runId);
      assertSameItems('threads', await read(dir, 'threads'), json.threads, runId, ['functions']);
      assertSameItems('warnings', await read(dir, 'warnings'), json.warnings, runId);

      const paths = await read(dir, 'call_paths');
      const tree = json.callTree;
      assert.equal(paths.length, tree.parent.length);
      paths.forEach((row, index) => {
        assert.equal(row.run_id, runId);
        assert.equal(row.path_id, index);
        assert.equal(row.parent_id, tree.parent[index] < 0 ? null : tree.parent[index]);
        assert.equal(row.depth, tree.parent[index] < 0 ? 0 : (paths[tree.parent[index]].depth as number) + 1);
        assert.equal(row.function_index, tree.function[index]);
        assert.equal(row.name, json.functions[tree.function[index]].name);
        assert.equal(row.file, json.functions[tree.function[index]].file);
        assert.equal(row.line, json.functions[tree.function[index]].line);
        assert.equal(row.calls, tree.calls[index]);
        assert.equal(row.self_ns, tree.selfNs[index]);
        assert.equal(row.total_ns, tree.totalNs[index]);
      });
      // The roots' totals are the trace's threads' root totals: the paths hold the whole tree.
      const rootTotal = paths
        .filter((row) => row.parent_id === null)
        .reduce((sum, row) => sum + (row.total_ns as number), 0);
      const selfTotal = paths.reduce((sum, row) => sum + (row.self_ns as number), 0);
      assert.equal(rootTotal, selfTotal);
    });
  }
});

describe('analyze --parquet tables: ids, bytes and names', () => {
  it('gives the same bytes for the same input, and a run id that follows the input and labels', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'imports-gc.pyflame.txt'));
    const labels = [{ key: 'host', value: 'a' }];
    const first = join(scratch, 'same-1');
    const second = join(scratch, 'same-2');
    await writeAnalysisTables(first, [runRows({ analysis, labels }).rows]);
    await writeAnalysisTables(second, [runRows({ analysis, labels }).rows]);
    for (const table of ANALYSIS_TABLES) {
      const name = tableFileName(table.name);
      assert.ok(readFileSync(join(first, name)).equals(readFileSync(join(second, name))), `${name}: same bytes`);
    }
    const text = JSON.stringify(analysisToJson(analysis));
    assert.equal(runRows({ analysis, labels }).runId, runIdOf(text, labels));
    assert.notEqual(runIdOf(text, labels), runIdOf(text, [{ key: 'host', value: 'b' }]));
    assert.equal(
      runIdOf(text, [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ]),
      runIdOf(text, [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ]),
    );
  });

  it('stores names from the trace as they are, SQL quotes and all', async () => {
    const hostile = `x'); DROP TABLE functions; --"\\`;
    const analysis = await analyzeRows([
      [1000, 1, 'e', hostile, 3],
      [2000, 1, 'e', 'inner', 5],
      [3000, 1, 'r', 'inner', 5],
      [4000, 1, 'r', hostile, 3],
    ]);
    const dir = join(scratch, 'hostile');
    await writeAnalysisTables(dir, [runRows({ analysis, labels: [{ key: 'branch', value: "it's'; --" }] }).rows]);
    const functions = await read(dir, 'functions');
    assert.deepEqual(functions.map((row) => row.name).sort(), ['inner', hostile].sort());
    assert.deepEqual(
      (await read(dir, 'labels')).map((row) => row.value),
      ["it's'; --"],
    );
  });

  it('writes every run given into the same tables, each row under its run id', async () => {
    const runs = await Promise.all(
      ['recursion.pyflame.txt', 'threads.stap.txt'].map(async (sample) =>
        runRows({ analysis: await analyzeTrace(join(SAMPLES, sample)), labels: [] }),
      ),
    );
    const dir = join(scratch, 'two-runs');
    await writeAnalysisTables(
      dir,
      runs.map((run) => run.rows),
    );
    assert.deepEqual(
      (await read(dir, 'runs')).map((row) => row.run_id),
      runs.map((run) => run.runId),
    );
    const functions = await read(dir, 'functions');
    for (const run of runs)
      assert.equal(functions.filter((row) => row.run_id === run.runId).length, run.rows.functions.length);
  });
});

describe('runs.python_version', () => {
  it('the version the header states, else the X.Y of a pythonX.Y interpreter, else null', () => {
    assert.equal(pythonVersion('3.10.13', '/root/.pyenv/versions/3.10.13/bin/python3'), '3.10.13');
    assert.equal(pythonVersion(undefined, '/usr/bin/python3.11'), '3.11');
    assert.equal(pythonVersion(undefined, '/root/.pyenv/versions/3.12.1/bin/python3'), null);
    assert.equal(pythonVersion(undefined, undefined), null);
    // A header field that is no version is not taken for one.
    assert.equal(pythonVersion('<script>', '/usr/bin/python3.13'), '3.13');
  });
});

describe('schema/parquet-v1.tables.json', () => {
  it('lists the columns the writers write', async () => {
    const { parquetSchemaDocument } = await import('../src/export/parquet/analysis-tables.js');
    const { EVENT_LOG_PARQUET_COLUMNS } = await import('../src/export/parquet/event-log-parquet.js');
    const { ROOT } = await import('./helpers/paths.js');
    const written = JSON.parse(readFileSync(join(ROOT, 'schema/parquet-v1.tables.json'), 'utf8'));
    assert.deepEqual(written, parquetSchemaDocument(EVENT_LOG_PARQUET_COLUMNS));
  });
});
