import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLES } from './helpers/paths.js';
import { HOSTILE_TRACE } from './helpers/merge-inputs.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('cli-merge');
const A = join(SAMPLES, 'imports-gc.pyflame.txt');
const B = join(SAMPLES, 'threads.pyflame.txt');
describe('pyflame merge (command line)', () => {
  it('without runs: a usage error, exit 2', async () => {
    const result = await runCli(['merge']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^pyflame: error: merge needs at least one run: pyflame merge RUN\.\.\./);
    assert.match(result.stderr, /Run pyflame --help for usage/);
    assert.equal(result.stdout, '');
  });

  it('an unreadable run: exit 2, the message names the file, nothing written', async () => {
    const missing = join(dir, 'no-such-run.json');
    const out = join(dir, 'never.json');
    const result = await runCli(['merge', A, missing, '--json', out]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(`pyflame: error: ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no such file`),
    );
    assert.throws(() => readFileSync(out));
  });

  it('a --json document of another schema version: exit 2, saying which version it has and which is read', async () => {
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ schemaVersion: 1, source: {}, trace: {} }));
    const result = await runCli(['merge', old]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /old\.json: not a usable pyflame analyze --json document: it is of schema version 1; pyflame merge reads version 2/,
    );
    const future = join(dir, 'future.json');
    writeFileSync(future, JSON.stringify({ schemaVersion: 3 }));
    assert.match((await runCli(['merge', future])).stderr, /schema version 3; pyflame merge reads version 2/);
  });

  it('one file given twice: a usage error (a run is added once)', async () => {
    const result = await runCli(['merge', A, A]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is given twice/);
  });

  it('merges traces and saved results: exit 0, the report says the percentiles are approximate, within 1%', async () => {
    const saved = join(dir, 'a.json');
    assert.equal((await runCli(['analyze', A, '--json', saved, '--mergeable'])).code, 0);
    const result = await runCli(['merge', saved, B]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^pyflame merge: 2 runs \(pyflame\)/);
    assert.match(result.stdout, /percentiles \(≈\) are approximate, within 1%/);
    assert.match(result.stdout, /Functions by self time/);
    assert.match(result.stdout, /≈\d/);
    assert.match(result.stderr, /merging 1\/2/);
  });

  it('analyze --json has sketches only with --mergeable; merged saved results equal merged traces only with them', async () => {
    const plain = join(dir, 'plain.json');
    const mergeable = join(dir, 'mergeable.json');
    assert.equal((await runCli(['analyze', A, '--json', plain])).code, 0);
    assert.equal((await runCli(['analyze', A, '--json', mergeable, '--mergeable'])).code, 0);
    const functions = (path: string) =>
      (JSON.parse(readFileSync(path, 'utf8')) as { functions: { durationSketch?: unknown; completed: number }[] })
        .functions;
    assert.ok(functions(plain).every((f) => f.durationSketch === undefined));
    assert.ok(functions(mergeable).every((f) => (f.durationSketch !== undefined) === f.completed > 0));

    const merged = async (inputs: string[]) => {
      const out = join(dir, `merged-${inputs.map((p) => p.replace(/\W/g, '')).join('-')}.json`);
      const result = await runCli(['merge', ...inputs, '--json', out]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(readFileSync(out, 'utf8')) as { functions: unknown[] };
    };
    const fromTraces = await merged([A, B]);
    const fromMergeable = await merged([mergeable, B]);
    assert.deepEqual(fromMergeable.functions, fromTraces.functions);
    // Without the sketches: the counts still add up, the warning says why percentiles are missing.
    const fromPlain = await merged([plain, B]);
    const codes = (fromPlain as unknown as { warnings: { code: string }[] }).warnings.map((w) => w.code);
    assert.ok(codes.includes('merge-no-sketch'), codes.join(', '));
  });

  it('writes --json, --folded and --svg; the same bytes whatever order the runs are given in', async () => {
    const outputs = async (runs: string[], tag: string) => {
      const paths = ['json', 'folded', 'svg'].map((kind) => join(dir, `${tag}.${kind}`));
      const result = await runCli(['merge', ...runs, '--json', paths[0], '--folded', paths[1], '--svg', paths[2]]);
      assert.equal(result.code, 0, result.stderr);
      return paths.map((path) => readFileSync(path, 'utf8'));
    };
    const [json, folded, svg] = await outputs([A, B], 'ab');
    const document = JSON.parse(json);
    assert.equal(document.merge.runs.length, 2);
    assert.match(folded, /^<module> \(.+\) \d+$/m);
    assert.match(svg, /^<\?xml|<svg/);
    assert.deepEqual(await outputs([B, A], 'ba'), [json, folded, svg]);
  });

  it('pyflame diff takes a merged result as either side', async () => {
    const merged = join(dir, 'for-diff.json');
    assert.equal((await runCli(['merge', A, B, '--json', merged])).code, 0);
    const result = await runCli(['diff', merged, merged, '--fail-on', 'calls>0']);
    assert.equal(result.code, 0, result.stderr);
  });

  it('--json - writes the merged document on stdout instead of the report', async () => {
    const result = await runCli(['merge', A, '--json', '-']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout);
    assert.equal(document.schemaVersion, 2);
    assert.deepEqual(document.merge.percentiles.approximate, true);
  });
});

describe('pyflame merge --html and --svg of runs without stacks', () => {
  it('--html writes one page with the names escaped', async () => {
    const page = join(dir, 'merged.html');
    const hostile = join(dir, 'hostile.txt');
    writeFileSync(hostile, HOSTILE_TRACE);
    const result = await runCli(['merge', A, hostile, '--html', page]);
    assert.equal(result.code, 0, result.stderr);
    const html = readFileSync(page, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<h1>pyflame merge: 2 runs<\/h1>/);
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(2)&gt;'));
  });

  it('counts-only runs have no stacks to draw: --svg is refused before anything is written, exit 2', async () => {
    const json = join(dir, 'top.json');
    const result = await runCli([
      'merge',
      join(SAMPLES, 'ticker-top.stap.txt'),
      '--json',
      json,
      '--svg',
      join(dir, 'top.svg'),
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--svg: the runs have no call stacks with time to draw/);
    assert.throws(() => readFileSync(json));
  });
});
