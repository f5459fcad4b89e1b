import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, SAMPLES } from './helpers/paths.js';

// The library as another program uses it: through the package's own name, every command's work.
describe('the library (import from "pyflame")', () => {
  it('analyzes, draws and compares without the CLI', async () => {
    const pyflame = await import('pyflame');
    const analysis = await pyflame.analyzeTrace(join(SAMPLES, 'recursion.pyflame.txt'));
    assert.ok(analysis.functions.length > 0);
    assert.match(pyflame.flameGraphSvg(analysis), /^<\?xml/);
    assert.match(
      pyflame.htmlReport(analysis, { title: 'recursion', filters: [], version: 'test' }),
      /^<!DOCTYPE html>/i,
    );
    assert.match(pyflame.foldedText(analysis), / \d+\n/);
    const base = await pyflame.loadRun(join(FIXTURES, 'diff/shop-base.pyflame.txt.gz'), { filtered: false });
    const head = await pyflame.loadRun(join(FIXTURES, 'diff/shop-head.pyflame.txt.gz'), { filtered: false });
    const diff = pyflame.compareRuns(base, head);
    const findings = pyflame.evaluateGate(diff, {
      rules: [pyflame.parseRule('calls>0')],
      minDeltaNs: 1e6,
      minGcDeltaNs: 5e4,
    });
    assert.deepEqual(findings.map((f) => diff.functions[f.index].name).sort(), ['<genexpr>', 'audit']);
    assert.equal(typeof pyflame.recordTrace, 'function');
    assert.equal(typeof pyflame.readStapsdtNotesFromFile, 'function');
  });
});
