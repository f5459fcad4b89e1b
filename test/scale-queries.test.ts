import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ParquetEngine } from '../src/export/parquet/duckdb-engine.js';
import { ROOT } from './helpers/paths.js';
import {
  DATES,
  type Fleet,
  type FleetRun,
  importFound,
  multiplier,
  SERVICES,
  scaled,
  writeFleet,
} from './helpers/scale-fleet.js';
import { scratchDir } from './helpers/scratch.js';

type Row = Record<string, unknown>;

const DOC = readFileSync(join(ROOT, 'docs/scale.md'), 'utf8');
const BUCKET = 's3://example-bucket/pyflame';

/** docs/scale.md's SQL blocks by their marker (first line `-- duckdb: views`, `-- query: trend`, ...). */
function sqlBlocks(kind: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [, body] of DOC.matchAll(/```sql\n([\s\S]*?)```/g)) {
    const marker = /^-- (\w+): (\S+)\n/.exec(body);
    if (marker?.[1] === kind) blocks.set(marker[2], body);
  }
  return blocks;
}

const QUERIES = sqlBlocks('query');
const scratch = scratchDir('scale-queries');
const root = join(scratch, 'bucket');
let engine: ParquetEngine;
let fleet: Fleet;

/** Rows of a query of docs/scale.md, run over the local copy of the bucket. */
async function query(name: string): Promise<Row[]> {
  const sql = QUERIES.get(name);
  assert.ok(sql !== undefined, `docs/scale.md has a "-- query: ${name}" block`);
  return engine.rows(sql);
}

/** Every template row of `table` of every run, with the run (optionally only some runs). */
function* rowsOf(table: string, keep: (run: FleetRun) => boolean = () => true) {
  for (const run of fleet.runs) {
    if (!keep(run)) continue;
    for (const row of fleet.templates[run.template][table]) yield { run, row };
  }
}

/** Groups by a text key, keeping the first-seen extra fields; `add` folds one item in. */
function groupBy<T, A>(
  items: Iterable<T>,
  key: (item: T) => string,
  start: (item: T) => A,
  add: (acc: A, item: T) => void,
) {
  const groups = new Map<string, A>();
  for (const item of items) {
    const k = key(item);
    let acc = groups.get(k);
    if (acc === undefined) groups.set(k, (acc = start(item)));
    add(acc, item);
  }
  return [...groups.values()];
}

/** SQL's ORDER BY over text: by code point, as DuckDB compares (the names here are ASCII). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

before(async () => {
  assert.ok(!root.includes("'"), 'the scratch path fits in an SQL literal');
  engine = await ParquetEngine.open({ threads: 2 });
  fleet = await writeFleet(engine, scratch, root);
  const views = sqlBlocks('duckdb').get('views');
  assert.ok(views !== undefined, 'docs/scale.md has a "-- duckdb: views" block');
  for (const statement of views.replaceAll(BUCKET, root).split(/;\s*$/m))
    if (statement.trim() !== '') await engine.run(statement);
});
after(() => engine?.close());

describe('docs/scale.md: the fleet queries on embedded DuckDB over 1,000 generated runs', () => {
  it('the layout holds 1,000 runs, each in its date and service partition', async () => {
    assert.equal(fleet.runs.length, 1000);
    const rows = await engine.rows(
      'SELECT date, service, count(*) AS runs, count(DISTINCT run_id) AS ids FROM runs GROUP BY date, service',
    );
    assert.equal(rows.length, DATES.length * SERVICES.length);
    for (const row of rows) assert.deepEqual([row.runs, row.ids], [25n, 25n], `${row.date} ${row.service}`);
    const labelled = await engine.rows(
      "SELECT count(*) AS n FROM runs r JOIN labels l ON l.run_id = r.run_id AND l.key = 'service' AND l.value = r.service",
    );
    assert.equal(labelled[0].n, 1000n);
  });

  it('every documented query is tested here', () => {
    assert.deepEqual([...QUERIES.keys()].sort(), ['gc-share', 'movers', 'slowest-imports', 'top-functions', 'trend']);
    assert.deepEqual([...sqlBlocks('duckdb').keys()].sort(), ['quick-look', 'views']);
  });

  it('trend: a function self time by day for one service', async () => {
    const api = (run: FleetRun) => run.service === 'api';
    const items = [...rowsOf('functions', api)].filter(
      ({ row }) => row.name === 'encode' && String(row.file).endsWith('/threads.py'),
    );
    const expected = groupBy(
      items,
      ({ run }) => run.date,
      ({ run }) => ({ date: run.date, runs: new Set<string>(), calls: 0n, self_ns: 0n }),
      (acc, { run, row }) => {
        acc.runs.add(run.runId);
        acc.calls += BigInt(row.calls as number);
        acc.self_ns += scaled(row.self_ns, multiplier(run, 'functions', row));
      },
    )
      .map(({ date, runs, calls, self_ns }) => ({
        date,
        runs: BigInt(runs.size),
        calls,
        self_ns,
        self_ns_per_run: Number(self_ns) / runs.size,
      }))
      .sort((a, b) => byText(a.date, b.date));
    assert.equal(expected.length, DATES.length);
    assert.deepEqual(await query('trend'), expected);
  });

  it('top-functions: the fleet top functions by self time, with their share', async () => {
    const groups = groupBy(
      rowsOf('functions'),
      ({ row }) => `${row.name}\0${row.file}`,
      ({ row }) => ({
        name: row.name as string,
        file: row.file as string,
        self_ns: 0n,
        calls: 0n,
        runs: new Set<string>(),
      }),
      (acc, { run, row }) => {
        acc.self_ns += scaled(row.self_ns, multiplier(run, 'functions', row));
        acc.calls += BigInt(row.calls as number);
        acc.runs.add(run.runId);
      },
    );
    const total = groups.reduce((sum, group) => sum + group.self_ns, 0n);
    const expected = groups
      .sort((a, b) =>
        a.self_ns === b.self_ns ? byText(a.name, b.name) || byText(a.file, b.file) : a.self_ns > b.self_ns ? -1 : 1,
      )
      .slice(0, 20)
      .map(({ name, file, self_ns, calls, runs }) => ({
        name,
        file,
        self_ns,
        calls,
        runs: BigInt(runs.size),
        share: Number(self_ns) / Number(total),
      }));
    assert.deepEqual(await query('top-functions'), expected);
  });

  it('movers: the largest changes of self time per run between two commits', async () => {
    const inCommit = (commit: string) => (run: FleetRun) => run.service === 'api' && run.commit === commit;
    const perRun = (commit: string) => {
      const runs = fleet.runs.filter(inCommit(commit)).length;
      const sums = new Map<string, bigint>();
      for (const { run, row } of rowsOf('functions', inCommit(commit))) {
        const key = `${row.name}\0${row.file}`;
        sums.set(key, (sums.get(key) ?? 0n) + scaled(row.self_ns, multiplier(run, 'functions', row)));
      }
      return new Map([...sums].map(([key, sum]) => [key, Number(sum) / runs]));
    };
    const base = perRun('c03');
    const head = perRun('c04');
    const expected = [...new Set([...base.keys(), ...head.keys()])]
      .map((key) => {
        const [name, file] = key.split('\0');
        const base_ns = base.get(key) ?? 0;
        const head_ns = head.get(key) ?? 0;
        return { name, file, base_ns, head_ns, change_ns: head_ns - base_ns };
      })
      .sort((a, b) => Math.abs(b.change_ns) - Math.abs(a.change_ns) || byText(a.name, b.name) || byText(a.file, b.file))
      .slice(0, 20);
    const rows = await query('movers');
    assert.deepEqual(rows, expected);
    // The regression the fleet was given is the first mover, about 3x slower.
    assert.equal(rows[0].name, 'encode');
    const [first] = expected;
    assert.ok(first.head_ns > 2.5 * first.base_ns, `${first.head_ns} vs ${first.base_ns}`);
  });

  it('gc-share: GC pause share of wall time per service', async () => {
    const expected = groupBy(
      rowsOf('runs'),
      ({ run }) => run.service,
      ({ run }) => ({ service: run.service, runs: 0n, gc_pause_ns: 0n, duration_ns: 0n, worst: 0 }),
      (acc, { run, row }) => {
        acc.runs += 1n;
        acc.gc_pause_ns += scaled(row.gc_total_pause_ns, run.permille);
        acc.duration_ns += scaled(row.duration_ns, run.permille);
        acc.worst = Math.max(acc.worst, row.gc_wall_share as number);
      },
    )
      .map(({ service, runs, gc_pause_ns, duration_ns, worst }) => ({
        service,
        runs,
        gc_pause_ns,
        duration_ns,
        gc_share: Number(gc_pause_ns) / Number(duration_ns),
        worst_run_share: worst,
      }))
      .sort((a, b) => b.gc_share - a.gc_share || byText(a.service, b.service));
    assert.equal(expected.length, SERVICES.length);
    assert.deepEqual(await query('gc-share'), expected);
  });

  it('slowest-imports: modules by mean import time', async () => {
    const found = [...rowsOf('imports')].filter(({ run, row }) => importFound(run, row));
    assert.ok(found.length < [...rowsOf('imports')].length, 'some imports failed');
    const expected = groupBy(
      found,
      ({ row }) => row.module as string,
      ({ row }) => ({
        module: row.module as string,
        imports: 0n,
        runs: new Set<string>(),
        sum: 0n,
        max_ns: 0n,
        self_ns: 0n,
      }),
      (acc, { run, row }) => {
        const duration = scaled(row.duration_ns, run.permille);
        acc.imports += 1n;
        acc.runs.add(run.runId);
        acc.sum += duration;
        if (duration > acc.max_ns) acc.max_ns = duration;
        acc.self_ns += scaled(row.self_ns, run.permille);
      },
    )
      .map(({ module, imports, runs, sum, max_ns, self_ns }) => ({
        module,
        imports,
        runs: BigInt(runs.size),
        mean_ns: Number(sum) / Number(imports),
        max_ns,
        self_ns,
      }))
      .sort((a, b) => b.mean_ns - a.mean_ns || byText(a.module, b.module))
      .slice(0, 20);
    assert.deepEqual(await query('slowest-imports'), expected);
  });
});

describe('docs/scale.md: the quick look without views', () => {
  it('one day, every service: the top functions by self time in seconds', async () => {
    const sql = sqlBlocks('duckdb').get('quick-look');
    assert.ok(sql !== undefined, 'docs/scale.md has a "-- duckdb: quick-look" block');
    const day = [...rowsOf('functions', (run) => run.date === '2026-11-03')];
    const expected = groupBy(
      day,
      ({ row }) => `${row.name}\0${row.file}`,
      ({ row }) => ({ name: row.name as string, file: row.file as string, self_ns: 0n }),
      (acc, { run, row }) => {
        acc.self_ns += scaled(row.self_ns, multiplier(run, 'functions', row));
      },
    )
      .map(({ name, file, self_ns }) => ({ name, file, self_s: Number(self_ns) / 1e9 }))
      .sort((a, b) => b.self_s - a.self_s || byText(a.name, b.name) || byText(a.file, b.file))
      .slice(0, 10);
    assert.deepEqual(await engine.rows(sql.replaceAll(BUCKET, root)), expected);
  });
});

describe('docs/scale.md: the Trino tables', () => {
  const types: Record<string, string> = {
    VARCHAR: 'varchar',
    BIGINT: 'bigint',
    INTEGER: 'integer',
    DOUBLE: 'double',
    BOOLEAN: 'boolean',
  };
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema/parquet-v1.tables.json'), 'utf8')) as {
    tables: Record<string, { name: string; type: string }[]>;
  };
  it('declare the schema file columns, in order, then the partitions', () => {
    const ddl = sqlBlocks('trino').get('tables');
    assert.ok(ddl !== undefined, 'docs/scale.md has a "-- trino: tables" block');
    const declared = [...ddl.matchAll(/CREATE TABLE hive\.pyflame\.(\w+) \(\n([\s\S]*?)\n\) WITH/g)];
    assert.deepEqual(
      declared.map(([, table]) => table),
      ['runs', 'labels', 'functions', 'imports'],
    );
    for (const [, table, body] of declared) {
      const columns = body.split(',\n').map((line) => line.trim());
      const expected = schema.tables[table].map(({ name, type }) => `${name} ${types[type]}`);
      assert.deepEqual(columns, [...expected, 'date varchar', 'service varchar'], table);
    }
  });
});
