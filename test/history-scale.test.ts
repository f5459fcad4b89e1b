import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { runRows } from '../src/export/parquet/analysis-tables.js';
import { openHistory } from '../src/history/history-db.js';
import { storedRunIds } from '../src/history/store.js';
import { functionTrend } from '../src/history/trend.js';
import { syntheticCommit, syntheticRunId, writeSyntheticHistory } from './helpers/history-runs.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 17: a history of 1,000 runs answers a function's trend (its time: bench/history.mjs).
const RUNS = 1000;
const TRACES = ['call-stack.pyflame.txt', 'recursion.pyflame.txt', 'threads.pyflame.txt'].map((name) =>
  join(SAMPLES, name),
);

describe('a history of 1,000 generated runs', () => {
  it("answers a function's trend over every run, in the order added, with each run's numbers", async () => {
    const analyses = await Promise.all(TRACES.map((trace) => analyzeTrace(trace)));
    const store = join(scratchDir('history-scale'), 'store');
    await writeSyntheticHistory(
      store,
      analyses.map((analysis) => runRows({ analysis, labels: [] }).rows),
      RUNS,
    );
    assert.equal(storedRunIds(store).length, RUNS);
    const template = (
      analysisToJson(analyses[0]) as {
        functions: { name: string; file: string; selfNs: number; totalNs: number; calls: number }[];
      }
    ).functions;
    const target = template[0];
    const same = template.filter((f) => f.name === target.name && f.file === target.file);
    const engine = await openHistory(store);
    try {
      const trend = await functionTrend(engine, { name: target.name, file: target.file }, { by: 'commit' });
      assert.equal(trend.points.length, RUNS);
      for (const [i, point] of trend.points.entries()) {
        assert.equal(point.key, syntheticCommit(i));
        assert.equal(point.added, i + 1);
        // Runs 0, 3, 6, ... are the first trace's: its figures, each of its rows raised by i ns.
        if (i % analyses.length === 0) {
          assert.equal(
            point.selfNs,
            same.reduce((sum, f) => sum + f.selfNs + i, 0),
          );
          assert.equal(
            point.totalNs,
            same.reduce((sum, f) => sum + f.totalNs + i, 0),
          );
          assert.equal(
            point.calls,
            same.reduce((sum, f) => sum + f.calls, 0),
          );
        }
      }
      const [counted] = await engine.rows('SELECT count(*) AS n, count(DISTINCT run_id) AS ids FROM runs');
      assert.deepEqual([Number(counted.n), Number(counted.ids)], [RUNS, RUNS]);
      const [first] = await engine.rows('SELECT run_id FROM runs WHERE added = 1');
      assert.equal(first.run_id, syntheticRunId(0));
    } finally {
      engine.close();
    }
  });
});
