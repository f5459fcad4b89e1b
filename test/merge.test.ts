import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { SKETCH_RELATIVE_ERROR } from '../src/analyze/duration-sketch.js';
import { analysisDocumentText, analysisToJson } from '../src/export/analysis-json.js';
import { foldedText } from '../src/export/folded.js';
import { mergedFoldedText } from '../src/merge/merged-folded.js';
import { mergeResults } from '../src/merge/merge.js';
import { ROOT, SAMPLES } from './helpers/paths.js';
import { HOSTILE_TRACE } from './helpers/merge-inputs.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText, type GenEvent } from './helpers/trace-gen.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON documents field by field
type Json = Record<string, any>;

const dir = scratchDir('merge');
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');

/**
 * A pyflame-format trace moved to other processes and threads (ids + `idShift`) and to later
 * times (+ `tsShift`), its header left out: what it would be as the continuation of another.
 */
function shifted(text: string, tsShift: bigint, idShift: number): string {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [ts, pid, tid, ...rest] = line.split('\t');
      return [String(BigInt(ts) + tsShift), String(Number(pid) + idShift), String(Number(tid) + idShift), ...rest].join(
        '\t',
      );
    })
    .join('\n');
}
const timestamps = (text: string) =>
  text
    .split('\n')
    .filter((line) => /^\d/.test(line))
    .map((line) => BigInt(line.split('\t')[0]));

// Three real recordings, each after the one before, in processes of their own: their
// concatenation is one trace whose analysis the merge of the three must agree with.
const parts = ['imports-gc.pyflame.txt', 'threads.pyflame.txt', 'lines.pyflame.txt'].map(sample);
const texts: string[] = [parts[0]];
for (let i = 1; i < parts.length; i++) {
  const previousEnd = timestamps(texts[i - 1]).reduce((a, b) => (b > a ? b : a));
  const start = timestamps(parts[i]).reduce((a, b) => (b < a ? b : a));
  texts.push(
    `# pyflame-trace v1 clock=boot_ns\n${shifted(parts[i], previousEnd - start + 1_000_000_000n, 100_000 * i)}\n`,
  );
}
const paths = texts.map((text, i) => writeScratch(dir, text, `part-${i}.txt`));
const concatenated = writeScratch(
  dir,
  [texts[0].trimEnd(), ...texts.slice(1).map((text) => shifted(text, 0n, 0))].join('\n') + '\n',
  'all.txt',
);

const byKey = (functions: Json[]) => new Map(functions.map((f) => [`${f.file}\0${f.name}\0${f.line}`, f]));
/** Call paths as `file name line > ...` → [calls, self, total]. */
function pathsOf(document: Json): Map<string, number[]> {
  const tree = document.callTree;
  const out = new Map<string, number[]>();
  const names: string[] = [];
  for (let i = 0; i < tree.parent.length; i++) {
    const f = document.functions[tree.function[i]];
    names[i] = `${tree.parent[i] === -1 ? '' : `${names[tree.parent[i]]} > `}${f.file} ${f.name} ${f.line}`;
    const known = out.get(names[i]) ?? [0, 0, 0];
    out.set(names[i], [known[0] + tree.calls[i], known[1] + tree.selfNs[i], known[2] + tree.totalNs[i]]);
  }
  return out;
}
/** A merged percentile against the exact one: within the relative error, plus rounding to whole ns. */
function assertApproximately(merged: number | null, exact: number | null, what: string): void {
  if (exact === null) return assert.equal(merged, null, what);
  assert.ok(merged !== null, what);
  assert.ok(Math.abs(merged - exact) <= SKETCH_RELATIVE_ERROR * exact + 0.5, `${what}: ${merged} vs exact ${exact}`);
}
function sumBy<T>(items: readonly T[], key: (item: T) => string, value: (item: T) => number[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const item of items) {
    const known = out.get(key(item));
    const add = value(item);
    out.set(key(item), known === undefined ? add : known.map((v, i) => v + add[i]));
  }
  return out;
}

describe('pyflame merge', async () => {
  const merged = await mergeResults(paths, { parseThread: false });
  const wholeAnalysis = await analyzeTrace(concatenated, { parseThread: false, sketches: true });
  const whole = analysisToJson(wholeAnalysis) as Json;

  it('adds up functions exactly as the analysis of the concatenated traces has them', () => {
    const expected = byKey(whole.functions);
    const actual = byKey(merged.functions as Json[]);
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [key, exact] of expected) {
      const f = actual.get(key)!;
      for (const field of [
        'calls',
        'returns',
        'totalNs',
        'selfNs',
        'partial',
        'completed',
        'minNs',
        'maxNs',
        'selfNsRaw',
        'totalNsRaw',
      ])
        assert.equal(f[field], exact[field], `${key} ${field}`);
      if (exact.meanNs !== null) assert.ok(Math.abs(f.meanNs - exact.meanNs) <= 1e-9 * exact.meanNs, `${key} mean`);
      for (const p of ['p50Ns', 'p95Ns', 'p99Ns']) assertApproximately(f[p], exact[p], `${key} ${p}`);
      // The merged sketch is the sketch of all the calls: bucket for bucket the concatenation's.
      assert.deepEqual(f.durationSketch, exact.durationSketch, `${key} sketch`);
    }
    // Same order as analyze: self time, then total time, then file, name, line.
    assert.deepEqual(
      (merged.functions as Json[]).map((f) => f.selfNs),
      (whole.functions as Json[]).map((f) => f.selfNs),
    );
  });

  it('adds up call paths exactly; its folded stacks are those of the concatenation', () => {
    assert.deepEqual(pathsOf(merged), pathsOf(whole));
    assert.equal(mergedFoldedText(merged), foldedText(wholeAnalysis));
  });

  it('cuts folded stacks at the depth analyze cuts them, the deeper time under one frame', () => {
    const depth = 1030;
    const document = {
      functions: [{ name: 'r', file: 'r.py', line: 1 }],
      callTree: {
        parent: Array.from({ length: depth }, (_, i) => i - 1),
        function: new Array(depth).fill(0),
        calls: new Array(depth).fill(1),
        selfNs: new Array(depth).fill(2000),
        totalNs: Array.from({ length: depth }, (_, i) => 2000 * (depth - i)),
      },
    };
    const lines = mergedFoldedText(document).trimEnd().split('\n');
    assert.equal(lines.length, 1025);
    const deeper = lines.find((line) => line.includes('[frames deeper than 1024]'))!;
    assert.match(deeper, / 12$/);
    assert.equal(deeper.split(';').length, 1025);
  });

  it('adds up GC: counts, totals and the histogram exactly, percentiles within the relative error', () => {
    const gc = merged.gc as Json;
    assert.equal(gc.totalPauseNs, whole.gc.totalPauseNs);
    assert.deepEqual(gc.histogram, whole.gc.histogram);
    assert.deepEqual(gc.pauses, []);
    assert.equal(gc.byGeneration.length, whole.gc.byGeneration.length);
    for (const [i, exact] of (whole.gc.byGeneration as Json[]).entries()) {
      const g = gc.byGeneration[i];
      for (const field of ['generation', 'count', 'totalNs', 'maxNs']) assert.equal(g[field], exact[field], field);
      for (const p of ['p50Ns', 'p95Ns', 'p99Ns']) assertApproximately(g[p], exact[p], `gen ${exact.generation} ${p}`);
      assert.equal(
        g.durationSketch.bins.reduce((n: number, [, c]: number[]) => n + c, 0) + g.durationSketch.zeroCount,
        exact.count,
      );
    }
  });

  it('adds up events, threads, imports, lines and warnings exactly', () => {
    const trace = merged.trace as Json;
    assert.equal(trace.events, whole.trace.events);
    assert.equal(trace.droppedEvents, whole.trace.droppedEvents);
    assert.equal(trace.callsRunningAtStart, whole.trace.callsRunningAtStart);
    const threads = merged.threads as Json[];
    assert.equal(threads.length, whole.threads.length);
    const rootTotal = (list: Json[]) => list.reduce((sum, t) => sum + t.rootTotalNs, 0);
    assert.equal(rootTotal(threads), rootTotal(whole.threads));
    const imports = sumBy(
      whole.imports as Json[],
      (r) => r.module,
      (r) => [1, r.durationNs, r.selfNs],
    );
    assert.deepEqual(
      new Map((merged.imports as Json[]).map((r) => [r.module, [r.count, r.durationNs, r.selfNs]])),
      imports,
    );
    assert.ok(imports.size > 0);
    const lines = (list: Json[]) =>
      sumBy(
        list,
        (l) => `${l.file}:${l.line}`,
        (l) => [l.hits, l.selfNs],
      );
    assert.deepEqual(lines(merged.lines as Json[]), lines(whole.lines));
    const warnings = (list: Json[]) =>
      sumBy(
        list,
        (w) => `${w.code} ${w.unit}`,
        (w) => [w.count],
      );
    assert.deepEqual(warnings(merged.warnings as Json[]), warnings(whole.warnings));
  });

  it('lists each run, and says its percentiles are approximate and how much', () => {
    const merge = merged.merge as Json;
    assert.equal(merge.runs.length, 3);
    assert.deepEqual(merge.percentiles.approximate, true);
    assert.equal(merge.percentiles.relativeError, SKETCH_RELATIVE_ERROR);
    assert.deepEqual(
      (merged.threads as Json[]).map((t) => t.run),
      [...(merged.threads as Json[]).map((t) => t.run)].sort(),
    );
  });

  it('writes each sketch pair on one line, and the text reads back as the document', () => {
    const text = analysisDocumentText(merged);
    assert.deepEqual(JSON.parse(text), merged);
    assert.match(text, /^ {10}\[-?\d+, \d+\],?$/m);
    assert.equal(text, analysisDocumentText(JSON.parse(text)));
  });

  it('validates against schema/analysis-v2.schema.json', () => {
    const validate = new AjvModule.default({ allErrors: true }).compile(
      JSON.parse(readFileSync(join(ROOT, 'schema/analysis-v2.schema.json'), 'utf8')) as object,
    );
    assert.ok(validate(merged), JSON.stringify(validate.errors));
  });

  it('gives the same bytes whatever order the runs come in', async () => {
    const reordered = await mergeResults([paths[2], paths[0], paths[1]], { parseThread: false });
    assert.equal(JSON.stringify(reordered), JSON.stringify(merged));
  });

  it('merges saved results and results of merges as it merges traces (reduce anywhere)', async () => {
    const saved = paths.map((path, i) => {
      const out = join(dir, `saved-${i}.json`);
      return { path, out };
    });
    for (const { path, out } of saved)
      writeFileSync(
        out,
        JSON.stringify(analysisToJson(await analyzeTrace(path, { parseThread: false, sketches: true }))),
      );
    const fromJson = await mergeResults(
      saved.map((s) => s.out),
      { parseThread: false },
    );
    // The same run named by its saved file: all else is equal.
    const runs = (document: Json) => (document.merge as Json).runs.map((run: Json) => ({ ...run, source: '' }));
    assert.deepEqual(runs(fromJson), runs(merged));
    assert.deepEqual(fromJson.functions, merged.functions);
    assert.deepEqual(fromJson.gc, merged.gc);
    const firstTwo = join(dir, 'first-two.json');
    writeFileSync(
      firstTwo,
      JSON.stringify(
        await mergeResults(
          saved.slice(0, 2).map((s) => s.out),
          { parseThread: false },
        ),
      ),
    );
    const twoStep = await mergeResults([firstTwo, saved[2].out], { parseThread: false });
    const exactFields = (functions: Json[]) => functions.map(({ meanNs, ...rest }) => rest);
    assert.deepEqual(exactFields(twoStep.functions as Json[]), exactFields(fromJson.functions as Json[]));
    assert.deepEqual(twoStep.callTree, fromJson.callTree);
    assert.deepEqual(twoStep.gc, fromJson.gc);
    assert.deepEqual(twoStep.imports, fromJson.imports);
    assert.deepEqual(twoStep.warnings, fromJson.warnings);
    assert.deepEqual(runs(twoStep), runs(fromJson));
  });
});

describe('pyflame merge of results without sketches', () => {
  it('adds up their counts and times, leaves their percentiles out (null) and says so', async () => {
    const document = analysisToJson(
      await analyzeTrace(join(SAMPLES, 'threads.pyflame.txt'), { parseThread: false }),
    ) as Json;
    for (const f of document.functions) delete f.durationSketch;
    const old = join(dir, 'without-sketches.json');
    writeFileSync(old, JSON.stringify(document));
    // With a run that shares no function with it.
    const other = writeScratch(dir, HOSTILE_TRACE, 'other.txt');
    const merged = await mergeResults([old, other], { parseThread: false });
    const functions = byKey(merged.functions as Json[]);
    for (const f of document.functions as Json[]) {
      const m = functions.get(`${f.file}\0${f.name}\0${f.line}`)!;
      assert.equal(m.calls, f.calls);
      assert.equal(m.selfNs, f.selfNs);
      if (f.completed > 0) assert.equal(m.p95Ns, null);
    }
    const warning = (merged.warnings as Json[]).find((w) => w.code === 'merge-no-sketch');
    assert.ok(
      warning !== undefined && warning.count === document.functions.filter((f: Json) => f.completed > 0).length,
    );
  });
});

describe('pyflame merge of generated traces (property)', () => {
  it('equals the analysis of their concatenation: sums exact, sketches identical, percentiles within 1%', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(balancedTrace, { minLength: 1, maxLength: 4 }), async (traces) => {
        // Each trace after the one before, in a process and threads of its own.
        const moved: GenEvent[][] = [];
        let end = 0n;
        for (const [i, events] of traces.entries()) {
          const shift = end === 0n ? 0n : end - events[0].ts + 1000n;
          moved.push(events.map((e) => ({ ...e, ts: e.ts + shift, pid: e.pid + 10 * i, tid: e.tid + 100 * i })));
          end = moved[i][moved[i].length - 1].ts;
        }
        const parts = moved.map((events) => writeScratch(dir, toPyflameText(events), 'gen.txt'));
        const all = writeScratch(dir, toPyflameText(moved.flat()), 'gen-all.txt');
        const merged = await mergeResults(parts, { parseThread: false });
        const whole = analysisToJson(await analyzeTrace(all, { parseThread: false, sketches: true })) as Json;
        const exactFields = ['calls', 'returns', 'totalNs', 'selfNs', 'partial', 'completed', 'minNs', 'maxNs'];
        const actual = byKey(merged.functions as Json[]);
        assert.equal(actual.size, whole.functions.length);
        for (const [key, exact] of byKey(whole.functions)) {
          const f = actual.get(key)!;
          for (const field of exactFields) assert.equal(f[field], exact[field], `${key} ${field}`);
          assert.deepEqual(f.durationSketch, exact.durationSketch);
          for (const p of ['p50Ns', 'p95Ns', 'p99Ns']) assertApproximately(f[p], exact[p], `${key} ${p}`);
        }
        assert.deepEqual(pathsOf(merged), pathsOf(whole));
        const gc = merged.gc as Json;
        assert.deepEqual(gc.histogram, whole.gc.histogram);
        assert.deepEqual(
          (gc.byGeneration as Json[]).map((g) => [g.generation, g.count, g.totalNs, g.maxNs]),
          (whole.gc.byGeneration as Json[]).map((g) => [g.generation, g.count, g.totalNs, g.maxNs]),
        );
        assert.equal((merged.trace as Json).events, whole.trace.events);
      }),
      { numRuns: 25 },
    );
  });
});
