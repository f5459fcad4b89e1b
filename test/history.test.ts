import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisDocumentText, analysisToJson } from '../src/export/analysis-json.js';
import { runRows } from '../src/export/parquet/analysis-tables.js';
import { writeAnalysisTables } from '../src/export/parquet/write-tables.js';
import { openHistory } from '../src/history/history-db.js';
import { selfTimeMovers } from '../src/history/movers.js';
import { runSourcesOf } from '../src/history/sources.js';
import { addToStore, storedRunIds } from '../src/history/store.js';
import { functionChoice, functionTrend, median } from '../src/history/trend.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const CALLS = join(SAMPLES, 'call-stack.pyflame.txt');
const RECURSION = join(SAMPLES, 'recursion.pyflame.txt');

interface JsonFunction {
  name: string;
  file: string;
  selfNs: number;
  totalNs: number;
  calls: number;
}
const jsonFunctions = async (trace: string): Promise<JsonFunction[]> =>
  (analysisToJson(await analyzeTrace(trace)) as { functions: JsonFunction[] }).functions;

/** A function's figures in a run, its rows of the same name and file (other lines) added up. */
function summed(functions: readonly JsonFunction[], name: string, file: string) {
  const rows = functions.filter((f) => f.name === name && f.file === file);
  const sum = (pick: (f: JsonFunction) => number) => rows.reduce((total, f) => total + pick(f), 0);
  return { selfNs: sum((f) => f.selfNs), totalNs: sum((f) => f.totalNs), calls: sum((f) => f.calls) };
}

async function add(store: string, path: string, labels: Record<string, string> = {}) {
  const list = Object.entries(labels).map(([key, value]) => ({ key, value }));
  return addToStore(store, await runSourcesOf(path, list));
}

async function query<T>(store: string, ask: (engine: Awaited<ReturnType<typeof openHistory>>) => Promise<T>) {
  const engine = await openHistory(store);
  try {
    return await ask(engine);
  } finally {
    engine.close();
  }
}

describe('history add', () => {
  it('adds a trace once: the same trace, or its saved --json, with the same labels is the same run', async () => {
    const store = join(scratchDir('history'), 'store');
    const first = await add(store, CALLS, { commit: 'a1' });
    assert.equal(first.length, 1);
    assert.ok('added' in first[0] && first[0].added === 1);
    const saved = writeScratch(
      scratchDir('history'),
      analysisDocumentText(analysisToJson(await analyzeTrace(CALLS))),
      'calls.json',
    );
    assert.deepEqual(await add(store, saved, { commit: 'a1' }), [{ runId: first[0].runId, already: true }]);
    assert.deepEqual(await add(store, CALLS, { commit: 'a1' }), [{ runId: first[0].runId, already: true }]);
    assert.deepEqual(storedRunIds(store), [first[0].runId]);
    // Another label is another run.
    const other = await add(store, CALLS, { commit: 'b2' });
    assert.ok('added' in other[0] && other[0].added === 2);
    assert.equal(storedRunIds(store).length, 2);
    // Nothing is left in the staging folder, and each run is a folder of whole tables.
    assert.deepEqual(
      readdirSync(store).filter((name) => name.startsWith('.')),
      [],
    );
    assert.ok(readdirSync(join(store, first[0].runId)).includes('functions.parquet'));
  });

  it('adds every run of an analyze --parquet folder, with the labels it was written with', async () => {
    const dir = join(scratchDir('history'), 'tables');
    const runs = [
      runRows({ analysis: await analyzeTrace(CALLS), labels: [{ key: 'commit', value: 'x' }] }),
      runRows({ analysis: await analyzeTrace(RECURSION), labels: [{ key: 'commit', value: 'y' }] }),
    ];
    await writeAnalysisTables(
      dir,
      runs.map((run) => run.rows),
    );
    const store = join(scratchDir('history'), 'store');
    const outcomes = await add(store, dir);
    assert.deepEqual(outcomes.map((o) => o.runId).sort(), runs.map((run) => run.runId).sort());
    // The same run from a trace: already there.
    assert.deepEqual(await add(store, CALLS, { commit: 'x' }), [{ runId: runs[0].runId, already: true }]);
    const labels = await query(store, (engine) => engine.rows('SELECT run_id, value FROM labels ORDER BY value'));
    assert.deepEqual(
      labels.map((row) => [row.run_id, row.value]),
      [
        [runs[0].runId, 'x'],
        [runs[1].runId, 'y'],
      ],
    );
  });

  it('writes the same bytes for the same runs added in the same order', async () => {
    const stores = [join(scratchDir('history'), 'a'), join(scratchDir('history'), 'b')];
    const ids: string[] = [];
    for (const store of stores) {
      await add(store, CALLS, { commit: 'a1' });
      ids.push(...(await add(store, RECURSION, { commit: 'b2' })).map((o) => o.runId));
    }
    assert.ok(readFileSync(join(stores[0], 'index.parquet')).equals(readFileSync(join(stores[1], 'index.parquet'))));
    for (const id of storedRunIds(stores[0]))
      for (const file of readdirSync(join(stores[0], id)))
        assert.ok(readFileSync(join(stores[0], id, file)).equals(readFileSync(join(stores[1], id, file))), file);
  });
});

describe('history queries', () => {
  it("trend: a function's self, total and calls per run are the --json numbers, in the order added", async () => {
    const store = join(scratchDir('history'), 'store');
    await add(store, RECURSION, { commit: 'a1' });
    await add(store, CALLS, { commit: 'b2' });
    const recursion = await jsonFunctions(RECURSION);
    const target = { ...recursion[0], ...summed(recursion, recursion[0].name, recursion[0].file) };
    const trend = await query(store, (engine) => functionTrend(engine, { name: target.name, file: target.file }));
    assert.equal(trend.file, target.file);
    assert.deepEqual(
      trend.points.map((p) => [p.added, p.present, p.selfNs, p.totalNs, p.calls]),
      [
        [1, 1, target.selfNs, target.totalNs, target.calls],
        [2, 0, 0, 0, 0],
      ],
    );
  });

  it('trend --by: one point per label value, the median of its runs, ordered by first added or by value', async () => {
    const store = join(scratchDir('history'), 'store');
    await add(store, CALLS, { n: '10', run: '1' });
    await add(store, RECURSION, { n: '9', run: '2' });
    await add(store, CALLS, { n: '9', run: '3' });
    await add(store, CALLS, { run: '4' });
    const calls = await jsonFunctions(CALLS);
    const recursion = await jsonFunctions(RECURSION);
    const target = { ...calls[0], ...summed(calls, calls[0].name, calls[0].file) };
    const inRecursion = summed(recursion, target.name, target.file);
    const choice = { name: target.name, file: target.file };
    const trend = await query(store, (engine) => functionTrend(engine, choice, { by: 'n' }));
    assert.equal(trend.runsWithoutLabel, 1);
    assert.deepEqual(
      trend.points.map((p) => [p.key, p.runs, p.selfNs, p.calls]),
      [
        ['10', 1, target.selfNs, target.calls],
        ['9', 2, median([target.selfNs, inRecursion.selfNs]), median([target.calls, inRecursion.calls])],
      ],
    );
    const byValue = await query(store, (engine) => functionTrend(engine, choice, { by: 'n', order: 'value' }));
    assert.deepEqual(
      byValue.points.map((p) => p.key),
      ['9', '10'],
    );
  });

  it('trend: FILE:NAME picks one of several files; an unknown or ambiguous name is an error that says so', async () => {
    const store = join(scratchDir('history'), 'store');
    await add(store, CALLS);
    const calls = await jsonFunctions(CALLS);
    const names = new Map<string, Set<string>>();
    for (const f of calls) names.set(f.name, (names.get(f.name) ?? new Set()).add(f.file));
    await query(store, async (engine) => {
      await assert.rejects(functionTrend(engine, functionChoice('no_such_function_here')), /no run in the history/);
      const shared = [...names].find(([, files]) => files.size > 1);
      if (shared !== undefined) {
        await assert.rejects(functionTrend(engine, functionChoice(shared[0])), /several files/);
        const file = [...shared[1]][0];
        const picked = await functionTrend(engine, functionChoice(`${file}:${shared[0]}`));
        assert.equal(picked.file, file);
      }
      const one = calls[0];
      const base = one.file.split('/').at(-1) ?? one.file;
      assert.equal((await functionTrend(engine, functionChoice(`${base}:${one.name}`))).file, one.file);
    });
  });

  it('trend: FILE:NAME takes every file it matches (one program recorded with other paths) as one function', async () => {
    const store = join(scratchDir('history'), 'store');
    const dtrace = join(SAMPLES, 'call-stack.dtrace.txt');
    await add(store, CALLS);
    await add(store, dtrace);
    const [absolute, relative] = await Promise.all([jsonFunctions(CALLS), jsonFunctions(dtrace)]);
    const name = 'function_1';
    const files = [absolute, relative].map((fns) => fns.find((f) => f.name === name)?.file);
    assert.notEqual(files[0], files[1]);
    await query(store, async (engine) => {
      await assert.rejects(functionTrend(engine, functionChoice(name)), /several files/);
      const trend = await functionTrend(engine, functionChoice(`call_stack.py:${name}`));
      assert.deepEqual(
        trend.points.map((p) => [p.selfNs, p.totalNs, p.calls]),
        [absolute, relative].map((fns) => {
          const sums = summed(fns, name, fns.find((f) => f.name === name)?.file ?? '');
          return [sums.selfNs, sums.totalNs, sums.calls];
        }),
      );
    });
  });

  it('movers: the median self time of each side, largest change first, equal to the --json numbers', async () => {
    const store = join(scratchDir('history'), 'store');
    await add(store, CALLS, { commit: 'old' });
    await add(store, RECURSION, { commit: 'new' });
    const from = await jsonFunctions(CALLS);
    const to = await jsonFunctions(RECURSION);
    const key = (f: JsonFunction) => `${f.name}\n${f.file}`;
    const expected = new Map<string, [number, number]>();
    for (const f of from) expected.set(key(f), [(expected.get(key(f))?.[0] ?? 0) + f.selfNs, 0]);
    for (const f of to) {
      const [before, after] = expected.get(key(f)) ?? [0, 0];
      expected.set(key(f), [before, after + f.selfNs]);
    }
    const changes = [...expected].filter(([, [a, b]]) => a !== b);
    const result = await query(store, (engine) =>
      selfTimeMovers(engine, { key: 'commit', value: 'old' }, { key: 'commit', value: 'new' }, 1000),
    );
    assert.equal(result.movers.length, changes.length);
    for (const mover of result.movers)
      assert.deepEqual([mover.fromSelfNs, mover.toSelfNs], expected.get(`${mover.name}\n${mover.file}`));
    const sizes = result.movers.map((m) => Math.abs(m.toSelfNs - m.fromSelfNs));
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    await query(store, (engine) =>
      assert.rejects(
        selfTimeMovers(engine, { key: 'commit', value: 'nope' }, { key: 'commit', value: 'new' }, 5),
        /no run in the history has the label commit=nope/,
      ),
    );
  });

  it("answers the same from STORE/index.parquet, without it, and when it is behind the store's runs", async () => {
    const store = join(scratchDir('history'), 'store');
    await add(store, CALLS, { commit: 'a1' });
    // The index of a store of one run, kept to put back later.
    const oneRunIndex = join(scratchDir('history'), 'index-of-one-run.parquet');
    cpSync(join(store, 'index.parquet'), oneRunIndex);
    await add(store, RECURSION, { commit: 'b2' });
    const calls = await jsonFunctions(CALLS);
    const choice = { name: calls[0].name, file: calls[0].file };
    const answer = async () => {
      const trend = await query(store, (engine) => functionTrend(engine, choice, { by: 'commit' }));
      const labels = await query(store, (engine) => engine.rows('SELECT run_id, key, value FROM labels ORDER BY ALL'));
      return { trend, labels };
    };
    const withIndex = await answer();
    assert.deepEqual(
      withIndex.trend.points.map((p) => p.key),
      ['a1', 'b2'],
    );
    assert.equal(withIndex.labels.length, 2);
    rmSync(join(store, 'index.parquet'));
    assert.deepEqual(await answer(), withIndex);
    // An index behind the store (an add stopped before rewriting it) is not used.
    cpSync(oneRunIndex, join(store, 'index.parquet'));
    assert.deepEqual(await answer(), withIndex);
    // The next add writes it again, even when it adds nothing.
    rmSync(join(store, 'index.parquet'));
    await add(store, CALLS, { commit: 'a1' });
    assert.ok(readdirSync(store).includes('index.parquet'));
  });
});
