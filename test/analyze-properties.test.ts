import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { summarizeDurations } from '../src/analyze/percentiles.js';
import { analysisJsonText, analysisToJson } from '../src/export/analysis-json.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { assertGolden } from './helpers/golden.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { FIXTURES, ROOT, SAMPLES } from './helpers/paths.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

const scratch = scratchDir('analyze-prop');
const write = (text: string | Buffer) => writeScratch(scratch, text);

describe('analysis invariants on generated traces', () => {
  it('self times sum to the root total; every entry is a call; balanced traces have no partial calls', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, async (events) => {
        const a = await analyzeTrace(write(toPyflameText(events)), { parseThread: false });
        const entries = events.filter((e) => e.probe === 'function__entry').length;
        assert.equal(
          a.functions.reduce((s, f) => s + f.calls, 0),
          entries,
        );
        assert.equal(
          a.functions.reduce((s, f) => s + f.partial, 0),
          0,
        );
        assert.equal(
          a.functions.reduce((s, f) => s + (f.durations?.count ?? 0), 0),
          entries,
          'every call completed',
        );
        for (const t of a.threads)
          assert.equal(
            t.functions.reduce((s, f) => s + f.selfNs, 0),
            t.rootTotalNs,
          );
        for (const f of a.functions) {
          assert.ok(f.selfNs >= 0 && f.selfNs <= f.totalNs, `${f.name}: 0 <= self <= total`);
          const d = f.durations!;
          assert.ok(d.minNs <= d.p50Ns && d.p50Ns <= d.p95Ns && d.p95Ns <= d.p99Ns && d.p99Ns <= d.maxNs);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a trace cut anywhere never crashes; self still sums to the root total; only whole calls are in percentiles', async () => {
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (events, a, b) => {
          const bytes = Buffer.from(toPyflameText(events));
          const [from, to] = [Math.floor(bytes.length * Math.min(a, b)), Math.floor(bytes.length * Math.max(a, b))];
          try {
            const analysis = await analyzeTrace(write(bytes.subarray(from, to)), { parseThread: false });
            for (const t of analysis.threads)
              assert.equal(
                t.functions.reduce((s, f) => s + f.selfNs, 0),
                t.rootTotalNs,
              );
            for (const f of analysis.functions)
              assert.ok((f.durations?.count ?? 0) <= f.calls, 'complete calls are calls seen entering');
          } catch (error) {
            assert.ok(error instanceof TraceInputError, String(error));
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('percentiles by selection equal percentiles of the sorted values', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 300 }), (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const rank = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
        const summary = summarizeDurations(Float64Array.from(values))!;
        assert.deepEqual(
          [summary.minNs, summary.p50Ns, summary.p95Ns, summary.p99Ns, summary.maxNs],
          [sorted[0], rank(50), rank(95), rank(99), sorted[sorted.length - 1]],
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('the --json document', () => {
  // ajv is CommonJS: its class is the default export's default.
  const Ajv = AjvModule.default;
  const validate = new Ajv({ allErrors: true }).compile(
    JSON.parse(readFileSync(join(ROOT, 'schema/analysis-v2.schema.json'), 'utf8')) as object,
  );
  const inputs = [
    ...readdirSync(SAMPLES)
      .filter((name) => name.endsWith('.txt'))
      .map((name) => join(SAMPLES, name)),
    ...[
      'damage/junk-lines.txt',
      'damage/tracer-messages.txt',
      'damage/hostile-names.txt',
      'formats/stap-top/two-intervals.txt',
      'formats/pyflame/all-probes.txt',
    ].map((name) => join(FIXTURES, name)),
  ];
  for (const path of inputs) {
    it(`validates against schema/analysis-v2.schema.json, and is the same bytes twice: ${path.slice(path.lastIndexOf('/') + 1)}`, async () => {
      const first = analysisJsonText(await analyzeTrace(path));
      assert.ok(validate(JSON.parse(first)), JSON.stringify(validate.errors));
      assert.equal(analysisJsonText(await analyzeTrace(path)), first);
      // The trace's path depends on where the repository is: the golden has it relative.
      const document = JSON.parse(first) as { source: { path: string } };
      document.source.path = relative(ROOT, document.source.path);
      assertGolden(`analysis/${path.slice(path.lastIndexOf('/') + 1)}.json`, `${JSON.stringify(document, null, 2)}\n`);
    });
  }

  it('keeps epoch-sized timestamps exact and all times integer', async () => {
    const json = analysisToJson(await analyzeTrace(join(FIXTURES, 'formats/pyflame/all-probes.txt')));
    assert.equal((json.trace as { startAbsoluteNs: string }).startAbsoluteNs, '1732700000123456789');
  });
});
