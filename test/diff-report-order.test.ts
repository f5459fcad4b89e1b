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
    assert.ok(vanished.every((path) => !path.file.includes('shop_after.py')), 'a path only BASE has keeps its file');
  });
});

describe('the Markdown report fits where it goes', () => {
  it('never passes its limit: details lose rows first, then the tables, each saying how many it left out', async () => {
    const { renderDiffMarkdown, MARKDOWN_LIMIT } = await import('../src/diff/render/markdown.js');
    const { evaluateGate, parseRule } = await import('../src/diff/rules.js');
    const diff = compareRuns(await load('shop-base.pyflame.txt.gz'), await load('shop-head.pyflame.txt.gz'), { renames: false });
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
    const rowsOf = (text: string) => text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Δ')).length;
    const few = renderDiffMarkdown(diff, { rules: [], minDeltaNs: 0, minGcDeltaNs: 0 }, [], { top: 2 });
    const many = renderDiffMarkdown(diff, { rules: [], minDeltaNs: 0, minGcDeltaNs: 0 }, [], { top: 20 });
    assert.ok(rowsOf(few) < rowsOf(many));
  });
});
