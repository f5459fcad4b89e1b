import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareRuns } from '../src/diff/compare.js';
import { loadRun } from '../src/diff/load-run.js';
import { FIXTURES } from './helpers/paths.js';

const DIFF = join(FIXTURES, 'diff');
const load = (name: string) => loadRun(join(DIFF, name), { filtered: false });

describe('diff reports name what they draw', () => {
  it("a call path both sides have is named by HEAD's file (a renamed script)", async () => {
    const diff = compareRuns(await load('shop-base.pyflame.txt.gz'), await load('shop-head-renamed.pyflame.txt.gz'));
    const shared = diff.paths!.filter((path) => path.presence === 'both' && path.name === 'report');
    assert.ok(shared.length > 0);
    for (const path of shared) assert.equal(path.file, '/tmp/pyflame-shop-v2/shop_after.py');
    const vanished = diff.paths!.filter((path) => path.presence === 'vanished');
    assert.ok(
      vanished.every((path) => !path.file.includes('shop_after.py')),
      'a path only BASE has keeps its file',
    );
  });
});

describe('the Markdown report fits where it goes', () => {
  it('never passes its limit: details lose rows first, then the tables, each saying how many it left out', async () => {
    const { renderDiffMarkdown, MARKDOWN_LIMIT } = await import('../src/diff/render/markdown.js');
    const { evaluateGate, parseRule } = await import('../src/diff/rules.js');
    const diff = compareRuns(await load('shop-base.pyflame.txt.gz'), await load('shop-head.pyflame.txt.gz'), {
      renames: false,
    });
    const gate = { rules: [parseRule('calls>=0'), parseRule('self>=0%')], minDeltaNs: 0, minGcDeltaNs: 0 };
    const findings = evaluateGate(diff, gate);
    assert.ok(findings.length > 50);
    const full = renderDiffMarkdown(diff, gate, findings, { top: 10 });
    assert.ok(full.length <= MARKDOWN_LIMIT);
    let previous = Infinity;
    for (const limit of [20_000, 8_000, 3_000, 1_500]) {
      const text = renderDiffMarkdown(diff, gate, findings, { top: 10, limit });
      assert.ok(text.length <= limit, `${text.length} <= ${limit}`);
      assert.ok(text.length <= previous);
      previous = text.length;
      assert.match(text, /^## ❌ pyflame diff: 2 of 2 rules fired/);
      if (text.length < full.length) assert.match(text, /… and [\d,]+ more (findings|changed functions)|<details>/);
    }
    const tiny = renderDiffMarkdown(diff, gate, findings, { top: 10, limit: 3_000 });
    assert.match(tiny, /### Regressions/);
    assert.match(tiny, /… and [\d,]+ more findings \(the `--json` document lists them all\)\./);
  });

  it('--top bounds the tables', async () => {
    const { renderDiffMarkdown } = await import('../src/diff/render/markdown.js');
    const diff = compareRuns(await load('shop-base.pyflame.txt.gz'), await load('shop-head.pyflame.txt.gz'));
    const rowsOf = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Δ')).length;
    const few = renderDiffMarkdown(diff, { rules: [], minDeltaNs: 0, minGcDeltaNs: 0 }, [], { top: 2 });
    const many = renderDiffMarkdown(diff, { rules: [], minDeltaNs: 0, minGcDeltaNs: 0 }, [], { top: 20 });
    assert.ok(rowsOf(few) < rowsOf(many));
  });
});

describe('findings are ordered by impact', () => {
  it('a percentage rule lists the largest absolute change first, not the largest percentage', async () => {
    const { evaluateGate, parseRule } = await import('../src/diff/rules.js');
    const fn = (name: string, selfNs: number) => ({
      key: `/w/a.py\0${name}`,
      name,
      file: '/w/a.py',
      line: 1,
      calls: 1,
      selfNs,
      totalNs: selfNs,
      p95Ns: null,
    });
    const run = (functions: ReturnType<typeof fn>[]) => ({
      source: 'x',
      format: 'pyflame',
      durationNs: 1e9,
      events: 1,
      droppedEvents: 0,
      tracedNs: 1e9,
      functions,
      callTree: undefined,
      gc: [],
      imports: [],
      warnings: [],
    });
    // _new_module: 0.68 ms -> 30.7 ms (+4392%); build_tree: 675 ms -> 945 ms (+40%).
    const base = run([fn('_new_module', 683_000), fn('build_tree', 675_000_000)]);
    const head = run([fn('_new_module', 30_683_000), fn('build_tree', 945_000_000)]);
    const diff = compareRuns(base, head);
    const findings = evaluateGate(diff, { rules: [parseRule('self>20%')], minDeltaNs: 0, minGcDeltaNs: 0 });
    assert.deepEqual(
      findings.map((f) => diff.functions[f.index].name),
      ['build_tree', '_new_module'],
    );
  });
});
