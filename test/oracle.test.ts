import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { ROOT, SAMPLES } from './helpers/paths.js';

// pyflame's analysis must agree to the nanosecond with test/oracle/oracle.py, an independent
// Python implementation written from the same rules without reading pyflame's code.

type Json = Record<string, unknown>;
const ORACLE = join(ROOT, 'test/oracle/oracle.py');

function oracle(path: string): Json {
  return JSON.parse(execFileSync('python3', [ORACLE, path], { encoding: 'utf8', maxBuffer: 256 << 20 })) as Json;
}

const functionKey = (f: Json) => `${String(f.file)}\0${String(f.name)}\0${String(f.line)}`;
const FUNCTION_FIELDS = [
  'calls',
  'totalNs',
  'selfNs',
  'partial',
  'minNs',
  'maxNs',
  'meanNs',
  'p50Ns',
  'p95Ns',
  'p99Ns',
];

function pick(record: Json, fields: readonly string[]): Json {
  return Object.fromEntries(fields.map((field) => [field, record[field] ?? null]));
}

async function compare(path: string): Promise<void> {
  const expected = oracle(path);
  const actual = analysisToJson(await analyzeTrace(path));
  const mine = new Map((actual.functions as Json[]).map((f) => [functionKey(f), f]));
  const theirs = expected.functions as Json[];
  assert.equal(mine.size, theirs.length, 'same functions');
  for (const f of theirs) {
    const ours = mine.get(functionKey(f));
    assert.ok(ours, `function ${functionKey(f)} is missing`);
    assert.deepEqual(
      pick(ours, FUNCTION_FIELDS),
      pick(f, FUNCTION_FIELDS),
      `function ${String(f.name)} (${String(f.file)}:${String(f.line)})`,
    );
  }
  const threads = (rows: Json[]) =>
    rows
      .map((t) => pick(t, ['pid', 'tid', 'events', 'startNs', 'endNs']))
      .sort((a, b) => Number(a.pid) - Number(b.pid) || Number(a.tid) - Number(b.tid));
  assert.deepEqual(threads(actual.threads as Json[]), threads(expected.threads as Json[]), 'threads');
  const gc = actual.gc as Json;
  const theirGc = expected.gc as Json;
  const pauses = (rows: Json[]) =>
    rows.map((p) => pick(p, ['generation', 'startNs', 'durationNs', 'collected', 'tid']));
  assert.deepEqual(pauses(gc.pauses as Json[]), pauses(theirGc.pauses as Json[]), 'gc pauses');
  assert.deepEqual(gc.byGeneration, theirGc.byGeneration, 'gc by generation');
  assert.equal(gc.totalPauseNs, theirGc.totalPauseNs, 'gc total');
  const imports = (rows: Json[]) =>
    rows.map((i) => pick(i, ['module', 'startNs', 'durationNs', 'selfNs', 'found', 'depth']));
  assert.deepEqual(
    imports(actual.imports as Json[]),
    imports((expected.imports as Json[]).map((i) => ({ ...i, found: Boolean(i.found) }))),
    'imports',
  );
  const rootTotal = (actual.threads as Json[]).reduce((sum, t) => sum + Number(t.rootTotalNs), 0);
  assert.equal(rootTotal, expected.rootTotalNs, 'root total');
}

describe('analysis agrees with the independent oracle to the nanosecond', () => {
  const cases = readdirSync(join(ROOT, 'test/oracle/cases'))
    .filter((name) => name.endsWith('.pyflame.txt'))
    .map((name) => join(ROOT, 'test/oracle/cases', name));
  const samples = readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.pyflame.txt') || name.endsWith('.bpftrace.txt'))
    .map((name) => join(SAMPLES, name));
  for (const path of [...cases, ...samples].sort()) it(path.slice(ROOT.length + 1), async () => compare(path));
});
