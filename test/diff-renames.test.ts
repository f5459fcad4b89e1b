import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { compareRuns } from '../src/diff/compare.js';
import { matchRenamedFiles } from '../src/diff/file-renames.js';
import { loadRun } from '../src/diff/load-run.js';
import { renderDiffMarkdown } from '../src/diff/render/markdown.js';
import { renderDiffReport } from '../src/diff/render/terminal.js';
import { defaultMinDelta, DEFAULT_MIN_GC_DELTA_NS, evaluateGate, parseRule } from '../src/diff/rules.js';
import type { ProfileFunction, RunProfile } from '../src/diff/run-profile.js';
import { FIXTURES } from './helpers/paths.js';

function fn(file: string, name: string, calls = 1, rank = 0): ProfileFunction {
  return {
    key: rank === 0 ? `${file}\0${name}` : `${file}\0${name}\0${rank}`,
    name,
    file,
    line: 1 + rank,
    calls,
    selfNs: 1e6 * calls,
    totalNs: 1e6 * calls,
    p95Ns: null,
  };
}

function run(functions: ProfileFunction[]): RunProfile {
  const tracedNs = functions.reduce((sum, f) => sum + f.selfNs, 0);
  return {
    source: 'x',
    format: 'pyflame',
    durationNs: tracedNs,
    events: 1,
    droppedEvents: 0,
    tracedNs,
    functions,
    callTree: undefined,
    gc: [],
    imports: [],
    warnings: [],
  };
}

const script = (file: string) => [
  fn(file, '<module>'),
  fn(file, 'main'),
  fn(file, 'load', 3),
  fn(file, '<lambda>', 2),
  fn(file, '<lambda>', 5, 1),
];

describe('renamed files: a file only BASE has matched with one only HEAD has, by its functions', () => {
  it('before.py recorded against after.py: paired, and every function compared with itself', () => {
    const base = run([...script('/w/before.py'), fn('/usr/lib/python3.11/json/decoder.py', 'decode')]);
    const head = run([...script('/w/after.py'), fn('/usr/lib/python3.11/json/decoder.py', 'decode')]);
    assert.deepEqual(matchRenamedFiles(base, head), [{ base: '/w/before.py', head: '/w/after.py', similarity: 1 }]);
    const diff = compareRuns(base, head);
    assert.ok(
      diff.functions.every((f) => f.presence === 'both'),
      'no new or vanished function',
    );
    assert.deepEqual(evaluateGate(diff, { rules: [parseRule('calls>0')], minDeltaNs: 0, minGcDeltaNs: 0 }), []);
    // Same-named functions keep their rank: the second <lambda> is matched with the second.
    const lambdas = diff.functions.filter((f) => f.name === '<lambda>').map((f) => [f.calls.base, f.calls.head]);
    assert.deepEqual(lambdas, [
      [2, 2],
      [5, 5],
    ]);
    // The report names HEAD's file.
    assert.ok(diff.functions.filter((f) => f.name === 'main').every((f) => f.file === '/w/after.py'));
  });

  it('--no-renames (renames: false) matches by path only', () => {
    const diff = compareRuns(run(script('/w/before.py')), run(script('/w/after.py')), { renames: false });
    assert.deepEqual(diff.renamedFiles, []);
    assert.deepEqual(diff.functions.map((f) => f.presence).sort(), [
      ...Array(5).fill('new'),
      ...Array(5).fill('vanished'),
    ]);
  });

  it('a checkout in another folder: files with the same functions are told apart by their path ending', () => {
    const module = (file: string) => [fn(file, 'helper')];
    const base = run([
      ...module('/home/ci/a/src/util.py'),
      ...module('/home/ci/a/lib/util.py'),
      ...module('/home/ci/a/src/io.py'),
    ]);
    const head = run([...module('/tmp/b/lib/util.py'), ...module('/tmp/b/src/io.py'), ...module('/tmp/b/src/util.py')]);
    assert.deepEqual(
      matchRenamedFiles(base, head).map((r) => [r.base, r.head]),
      [
        ['/home/ci/a/lib/util.py', '/tmp/b/lib/util.py'],
        ['/home/ci/a/src/io.py', '/tmp/b/src/io.py'],
        ['/home/ci/a/src/util.py', '/tmp/b/src/util.py'],
      ],
    );
  });

  it('a large project whose checkout moved (600 files a side, all with the same function names): paired by base name', () => {
    const project = (root: string) =>
      Array.from({ length: 600 }, (_, i) => [
        fn(`${root}/pkg${i % 7}/mod${i}.py`, '<module>'),
        fn(`${root}/pkg${i % 7}/mod${i}.py`, 'run'),
      ]).flat();
    const renames = matchRenamedFiles(run(project('/home/ci/a')), run(project('/tmp/b')));
    assert.equal(renames.length, 600);
    for (const r of renames) assert.equal(r.head, r.base.replace('/home/ci/a/', '/tmp/b/'));
  });

  it('the reports name the first 5 pairs, count the rest, and escape hostile paths', () => {
    const hostile = '/w/<script>alert(1)</script>\u001b[31m|x.py';
    const files = [hostile, ...Array.from({ length: 7 }, (_, i) => `/w/m${i}.py`)];
    const base = run(files.flatMap((file) => [fn(file, 'go')]));
    const head = run(files.flatMap((file) => [fn(file.replace('/w/', '/v/'), 'go')]));
    const diff = compareRuns(base, head);
    assert.equal(diff.renamedFiles.length, 8);
    const gate = { rules: [], minDeltaNs: 0, minGcDeltaNs: 0 };
    const text = renderDiffReport(diff, gate, [], { top: 5, color: false, width: 400 });
    assert.match(
      text,
      /8 files have another path in HEAD, matched by the functions in it \(--no-renames to match by path only\): .* and 3 more \(--json lists them all\)\./,
    );
    assert.doesNotMatch(text, /\u001b/, 'no raw escape character reaches the terminal');
    const markdown = renderDiffMarkdown(diff, gate, [], { top: 5 });
    assert.match(markdown, /^Matched by the functions in them .* and 3 more \(the JSON lists them all\)\.$/m);
    assert.doesNotMatch(markdown, /<script>|\u001b/);
    assert.match(markdown, /&lt;script&gt;/);
  });

  it('files that share less than half their functions stay apart; a file both sides have is never re-paired', () => {
    const base = run([fn('/w/a.py', 'parse'), fn('/w/a.py', 'emit'), fn('/w/a.py', 'close'), fn('/w/same.py', 'x')]);
    const head = run([
      fn('/w/b.py', 'parse'),
      fn('/w/b.py', 'send'),
      fn('/w/b.py', 'open'),
      fn('/w/same.py', 'x'),
      fn('/w/c.py', 'x'),
    ]);
    assert.deepEqual(matchRenamedFiles(base, head), []);
    // Two of three names shared out of four in all: 0.5, enough.
    const closer = run([fn('/w/b.py', 'parse'), fn('/w/b.py', 'emit'), fn('/w/b.py', 'open')]);
    assert.deepEqual(matchRenamedFiles(base, closer), [{ base: '/w/a.py', head: '/w/b.py', similarity: 0.5 }]);
  });

  it('property: pairs are one-to-one, between files only one side has, and the same whatever the order of functions', () => {
    const files = ['/a/x.py', '/a/y.py', '/b/x.py', '/b/z.py', '/c/y.py'];
    const names = ['f', 'g', 'h', '<lambda>'];
    const side = fc
      .array(fc.tuple(fc.constantFrom(...files), fc.constantFrom(...names)), { maxLength: 14 })
      .map((pairs) => {
        const seen = new Map<string, number>();
        return pairs.map(([file, name]) => {
          const rank = seen.get(`${file}\0${name}`) ?? 0;
          seen.set(`${file}\0${name}`, rank + 1);
          return fn(file, name, 1, rank);
        });
      });
    fc.assert(
      fc.property(side, side, (b, h) => {
        const renames = matchRenamedFiles(run(b), run(h));
        const baseFiles = new Set(b.map((f) => f.file));
        const headFiles = new Set(h.map((f) => f.file));
        assert.equal(new Set(renames.map((r) => r.base)).size, renames.length);
        assert.equal(new Set(renames.map((r) => r.head)).size, renames.length);
        for (const r of renames) {
          assert.ok(baseFiles.has(r.base) && !headFiles.has(r.base));
          assert.ok(headFiles.has(r.head) && !baseFiles.has(r.head));
          assert.ok(r.similarity >= 0.5 && r.similarity <= 1);
        }
        assert.deepEqual(matchRenamedFiles(run([...b].reverse()), run([...h].reverse())), renames);
      }),
    );
  });
});

describe('renamed files on real recordings (shop_after.py recorded under its own name and folder)', () => {
  const DIFF = join(FIXTURES, 'diff');
  const load = (name: string) => loadRun(join(DIFF, name), { filtered: false });
  const CI_RULES = ['calls>0', 'self>50%', 'gc.count>0', 'gc.p95>50%', 'import>50%'].map(parseRule);
  const fired = (base: RunProfile, head: RunProfile, renames = true) => {
    const diff = compareRuns(base, head, { renames });
    const findings = evaluateGate(diff, {
      rules: CI_RULES,
      minDeltaNs: defaultMinDelta(base),
      minGcDeltaNs: DEFAULT_MIN_GC_DELTA_NS,
    });
    return findings.map((f) =>
      f.scope === 'function' ? `${f.rule} ${diff.functions[f.index].name}` : `${f.rule} ${f.scope}`,
    );
  };

  it('shop.py against shop_after.py: the gate fires on the injected changes only, as with one path', async () => {
    const base = await load('shop-base.pyflame.txt.gz');
    const head = await load('shop-head-renamed.pyflame.txt.gz');
    assert.deepEqual(
      compareRuns(base, head).renamedFiles.map((r) => [r.base, r.head]),
      [['/tmp/pyflame-shop/shop.py', '/tmp/pyflame-shop-v2/shop_after.py']],
    );
    const names = new Set(fired(base, head).map((f) => f.split(' ')[1]));
    assert.deepEqual([...names].sort(), ['<genexpr>', 'audit', 'report']);
    // By path alone every function of the script is new or gone, and calls>0 fires on all of them.
    assert.ok(fired(base, head, false).filter((f) => f.startsWith('calls>0')).length >= 10);
  });

  it('the same program under two paths (shop-head vs shop-head-renamed) passes the gate', async () => {
    assert.deepEqual(fired(await load('shop-head.pyflame.txt.gz'), await load('shop-head-renamed.pyflame.txt.gz')), []);
    assert.deepEqual(
      fired(await load('shop-head-renamed.pyflame.txt.gz'), await load('shop-head-rerun.pyflame.txt.gz')),
      [],
    );
  });
});
