import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisJsonText, analysisToJson } from '../src/export/analysis-json.js';
import { compareRuns, delta, type RunDiff } from '../src/diff/compare.js';
import { loadRun } from '../src/diff/load-run.js';
import { diffJsonText, diffToJson } from '../src/diff/render/json.js';
import { renderDiffMarkdown } from '../src/diff/render/markdown.js';
import { markdownText } from '../src/text/untrusted.js';
import { diffFlameGraphSvg } from '../src/diff/render/svg.js';
import { renderDiffReport } from '../src/diff/render/terminal.js';
import { DEFAULT_MIN_GC_DELTA_NS, defaultMinDelta, evaluateGate, parseRule, type Gate } from '../src/diff/rules.js';
import { profileFromJson, type RunProfile } from '../src/diff/run-profile.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, ROOT, SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

const DIFF = join(FIXTURES, 'diff');
const BASE = join(DIFF, 'shop-base.pyflame.txt.gz');
const BASE_RERUN = join(DIFF, 'shop-base-rerun.pyflame.txt.gz');
const HEAD = join(DIFF, 'shop-head.pyflame.txt.gz');
const HEAD_RERUN = join(DIFF, 'shop-head-rerun.pyflame.txt.gz');
const scratch = scratchDir('diff');

const Ajv = AjvModule.default;
const validateDiff = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema/diff-v1.schema.json'), 'utf8')) as object,
);

const load = (path: string) => loadRun(path, { filtered: false });
/** The rules docs/ci.md recommends, as the end-to-end checks use them. */
const CI_RULES = ['calls>0', 'self>50%', 'gc.count>0', 'gc.p95>50%', 'import>50%'];
const gateOf = (rules: string[], minDeltaNs: number, minGcDeltaNs = 50e3): Gate => ({
  rules: rules.map(parseRule),
  minDeltaNs,
  minGcDeltaNs,
});
/** Paths in outputs are relative to the repository, as a user in a checkout would give them. */
const relative = (profile: RunProfile): RunProfile => ({ ...profile, source: profile.source.slice(ROOT.length + 1) });

function firedOn(diff: RunDiff, gate: Gate): string[] {
  return evaluateGate(diff, gate).map((f) => {
    if (f.scope === 'function') {
      const fn = diff.functions[f.index];
      return `${f.rule} ${fn.name}:${fn.line}`;
    }
    return `${f.rule} ${f.scope}`;
  });
}

describe('pyflame diff on real recordings (test/fixtures/diff: shop_before.py vs shop_after.py)', () => {
  it('the gate fires on exactly the injected changes: the extra call in the loop and the slower function', async () => {
    const base = await load(BASE);
    const head = await load(HEAD);
    const diff = compareRuns(base, head);
    const gate = gateOf(CI_RULES, defaultMinDelta(base), DEFAULT_MIN_GC_DELTA_NS);
    // audit() is new (300 calls, one per order) with its generator expression (1,050 calls);
    // report() does three times the work. The gate fires on those three and on nothing else, the
    // reruns' pair included. (self>50% also fires on the new functions whose few milliseconds
    // pass the noise floor: near the floor, that depends on the run.)
    const injected = ['<genexpr>:31', 'audit:30', 'report:44'];
    const required = ['calls>0 <genexpr>:31', 'calls>0 audit:30', 'self>50% report:44'];
    const reruns = await load(BASE_RERUN);
    for (const fired of [
      firedOn(diff, gate),
      firedOn(
        compareRuns(reruns, await load(HEAD_RERUN)),
        gateOf(CI_RULES, defaultMinDelta(reruns), DEFAULT_MIN_GC_DELTA_NS),
      ),
    ]) {
      assert.deepEqual([...new Set(fired.map((f) => f.split(' ')[1]))].sort(), injected, fired.join(', '));
      for (const finding of required) assert.ok(fired.includes(finding), `${finding} in ${fired.join(', ')}`);
    }
  });

  for (const [name, a, b] of [
    ['before', BASE, BASE_RERUN],
    ['before, reversed', BASE_RERUN, BASE],
    ['after', HEAD, HEAD_RERUN],
    ['after, reversed', HEAD_RERUN, HEAD],
  ] as const) {
    it(`two runs of the same program (${name}) pass the same gate`, async () => {
      const base = await load(a);
      const diff = compareRuns(base, await load(b));
      assert.deepEqual(firedOn(diff, gateOf(CI_RULES, defaultMinDelta(base), DEFAULT_MIN_GC_DELTA_NS)), []);
      // Exact call counts: a rerun of a deterministic program calls every function as often.
      assert.ok(
        diff.functions.every((f) => f.calls.base === f.calls.head),
        'same calls everywhere',
      );
    });
  }

  it('a saved --json result gives the same diff as its trace', async () => {
    const json = writeScratch(scratch, analysisJsonText(await analyzeTrace(BASE)), 'base.json');
    const fromJson = compareRuns(await load(json), await load(HEAD));
    const fromTrace = compareRuns(await load(BASE), await load(HEAD));
    const gate = gateOf(CI_RULES, 1e6);
    const strip = (doc: Record<string, unknown>) => ({ ...doc, base: { ...(doc.base as object), source: '' } });
    assert.deepEqual(
      strip(diffToJson(fromJson, gate, evaluateGate(fromJson, gate))),
      strip(diffToJson(fromTrace, gate, evaluateGate(fromTrace, gate))),
    );
  });

  it('outputs match their golden files and the JSON its schema', async () => {
    const diff = compareRuns(relative(await load(BASE)), relative(await load(HEAD)));
    const gate = gateOf(['calls>0', 'self>50%'], 15e6);
    const findings = evaluateGate(diff, gate);
    assertGolden('diff/shop.txt', renderDiffReport(diff, gate, findings, { top: 8, color: false, width: 110 }));
    assert.ok(validateDiff(JSON.parse(diffJsonText(diff, gate, findings))), JSON.stringify(validateDiff.errors));
    // The Markdown and JSON goldens leave the interpreter's own modules out (--ignore), to stay readable.
    const own = compareRuns(relative(await load(BASE)), relative(await load(HEAD)), {
      ignore: /^<frozen|^\/usr\/lib\/python/,
    });
    const ownFindings = evaluateGate(own, gate);
    assertGolden('diff/shop.md', renderDiffMarkdown(own, gate, ownFindings, { top: 8 }));
    const json = diffJsonText(own, gate, ownFindings);
    assertGolden('diff/shop.json', json);
    assert.ok(validateDiff(JSON.parse(json)), JSON.stringify(validateDiff.errors));
    assertGolden('diff/shop.svg', diffFlameGraphSvg(own, { minWidthPercent: 0.5 }));
    const normalized = compareRuns(relative(await load(BASE)), relative(await load(HEAD)), { normalize: true });
    assertGolden(
      'diff/shop-normalized.txt',
      renderDiffReport(normalized, gate, evaluateGate(normalized, gate), { top: 5, color: false, width: 100 }),
    );
  });
});

describe('pyflame diff: invariants', () => {
  const samples = readdirSync(SAMPLES).filter((name) => /\.(txt|gz)$/.test(name));
  for (const name of samples) {
    it(`${name} against itself: nothing changed, no rule fires`, async () => {
      const run = await load(join(SAMPLES, name));
      const diff = compareRuns(run, run);
      const gate = gateOf(
        [
          'calls>0',
          'self>0%',
          'total>0%',
          'p95>0%',
          'path.calls>0',
          'path.self>0%',
          'gc.count>0',
          'gc.p95>0%',
          'import>0%',
          'traced>0%',
        ],
        0,
        0,
      );
      const findings = evaluateGate(diff, gate);
      assert.deepEqual(findings, []);
      const doc = diffToJson(diff, gate, findings);
      assert.equal(doc.verdict, 'pass');
      assert.deepEqual(doc.functions, []);
      assert.deepEqual(doc.imports, []);
      assert.ok(validateDiff(doc), JSON.stringify(validateDiff.errors));
    });
  }

  it('swapping BASE and HEAD negates every change (generated traces)', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, balancedTrace, async (a, b) => {
        const pa = profileFromJson(
          analysisToJson(await analyzeTrace(writeScratch(scratch, toPyflameText(a)), { parseThread: false })),
          'a',
        );
        const pb = profileFromJson(
          analysisToJson(await analyzeTrace(writeScratch(scratch, toPyflameText(b)), { parseThread: false })),
          'b',
        );
        const ab = compareRuns(pa, pb);
        const ba = compareRuns(pb, pa);
        // Renamed files are paired the same way in both directions; keys carry BASE's file.
        const pairs = (renames: typeof ab.renamedFiles, flip: boolean) =>
          renames.map((r) => (flip ? `${r.head}\0${r.base}` : `${r.base}\0${r.head}`)).sort();
        assert.deepEqual(pairs(ba.renamedFiles, true), pairs(ab.renamedFiles, false));
        const keyInAb = (key: string) => {
          const rename = ba.renamedFiles.find((r) => key.startsWith(`${r.base}\0`));
          return rename === undefined ? key : rename.head + key.slice(rename.base.length);
        };
        const byKey = new Map(ba.functions.map((f) => [keyInAb(f.key), f]));
        for (const f of ab.functions) {
          const g = byKey.get(f.key)!;
          // Sums, not negations: -0 is not 0 to a strict assertion.
          assert.equal(delta(f.calls) + delta(g.calls), 0);
          assert.equal(delta(f.selfNs) + delta(g.selfNs), 0);
          assert.equal(f.presence === 'new', g.presence === 'vanished');
        }
        // Each side's self times add up to its time in Python, over functions and over paths.
        const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
        assert.equal(sum(ab.functions.map((f) => f.selfNs.head)), pb.tracedNs);
        assert.equal(sum((ab.paths ?? []).map((p) => p.selfNs.base)), pa.tracedNs);
      }),
      { numRuns: 40 },
    );
  });

  it('a 100,000-deep recursion diffs without overflowing the stack', async () => {
    const depth = 100_000;
    const lines = ['# pyflame-trace v1 clock=boot_ns python=test'];
    for (let i = 0; i < depth; i++) lines.push(`${1000 + i}\t1\t1\tfunction__entry\tdeep.py\trecurse\t1`);
    for (let i = 0; i < depth; i++) lines.push(`${1000 + depth + i}\t1\t1\tfunction__return\tdeep.py\trecurse\t2`);
    const run = await load(writeScratch(scratch, `${lines.join('\n')}\n`));
    const other = {
      ...run,
      callTree: run.callTree && {
        ...run.callTree,
        selfNs: run.callTree.selfNs.map((v, i) => (i === depth - 1 ? v + 5e6 : v)),
      },
    };
    const diff = compareRuns(run, other);
    const gate = gateOf(['path.self>+1ms'], 1e6);
    const findings = evaluateGate(diff, gate);
    assert.equal(findings.length, 1);
    const text = renderDiffMarkdown(diff, gate, findings, { top: 5 });
    assert.match(text, /recurse → …\d+ more… → recurse/);
  });
});

describe('pyflame diff: names from traces are inert in every output', () => {
  it('a counts-only trace (SystemTap "top") is compared by its call counts', async () => {
    const top = readFileSync(join(SAMPLES, 'ticker-top.stap.txt'), 'utf8');
    const more = writeScratch(scratch, top.replace(/ 47$/m, ' 99'), 'top.txt');
    const diff = compareRuns(await load(join(SAMPLES, 'ticker-top.stap.txt')), await load(more));
    const findings = evaluateGate(diff, gateOf(['calls>0'], 0));
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0].change.head - findings[0].change.base, 52);
  });

  it('Markdown escapes HTML, table pipes and Markdown punctuation; the terminal report escapes control characters', async () => {
    const hostile = await load(join(FIXTURES, 'damage/hostile-names.txt'));
    const empty = {
      ...hostile,
      functions: [],
      callTree: hostile.callTree && { parent: [], fn: [], calls: [], selfNs: [], totalNs: [] },
      imports: [],
      gc: [],
    };
    const diff = compareRuns(empty, hostile);
    const gate = gateOf(['calls>0'], 0);
    const findings = evaluateGate(diff, gate);
    assert.ok(findings.length > 0);
    const md = renderDiffMarkdown(diff, gate, findings, { top: 50 });
    assert.doesNotMatch(md, /<script|<img|<\/?(?!details|summary|sub)[a-z]/i, 'no HTML element from a name');
    // Every row of a table has as many cells as its header: no name adds a column.
    let columns = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      const cells = line.split(/(?<!\\)\|/).length;
      if (columns === 0) columns = cells;
      assert.equal(cells, columns, `table row keeps its cells: ${line}`);
    }
    // The newline shows as the text \x0a (its backslash escaped, so Markdown prints it).
    assert.equal(markdownText('a|b<c>`d`*e*\n'), 'a\\|b&lt;c&gt;\\`d\\`\\*e\\*\\\\x0a');
    assert.equal(markdownText('@octocat'), '\\@octocat', 'a name cannot mention anyone');
    const report = renderDiffReport(diff, gate, findings, { top: 50, color: false, width: 100 });
    assert.doesNotMatch(report, /[\x00-\x08\x0b-\x1f\x7f\x1b]/, 'no control character reaches the terminal');
  });
});
