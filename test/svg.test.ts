import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { truncateLabel } from '../src/text/fit.js';
import { xmlText } from '../src/text/untrusted.js';
import { buildFlameTree } from '../src/export/svg/flame-tree.js';
import { layoutFlame } from '../src/export/svg/layout.js';
import { categoryOf, frameColour } from '../src/export/svg/palette.js';
import { flameGraphSvg } from '../src/export/svg/render.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { assertWellFormed } from './helpers/xml.js';
import { scratchDir } from './helpers/scratch.js';

const frameRe = /<g class="pf-f" data-d="(\d+)" data-x="([\d.e-]+)" data-w="([\d.e-]+)"/g;

function framesOf(svg: string): { d: number; x: number; w: number }[] {
  return [...svg.matchAll(frameRe)].map((m) => ({ d: Number(m[1]), x: Number(m[2]), w: Number(m[3]) }));
}

describe('SVG flame graphs', () => {
  it('escapes for XML and truncates by code point', () => {
    assert.equal(xmlText(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    // The one policy for untrusted text: invisible characters become visible escapes, as in the terminal.
    assert.equal(xmlText('a\x00b\x1bc\td\uFFFEe\uD800f\u202Eg'), 'a\\x00b\\x1bc\\x09d\\ufffee\\ud800f\\u202eg');
    assert.equal(xmlText('😀'), '😀');
    assert.equal(truncateLabel('abcdef', 10), 'abcdef');
    assert.equal(truncateLabel('abcdef', 5), 'abc..');
    assert.equal(truncateLabel('😀😀😀😀', 3), '😀..');
    assert.equal(truncateLabel('abcdef', 2), '');
  });

  it('colours by where the file lives, shades stable', () => {
    assert.equal(categoryOf('/usr/lib/python3.12/json/decoder.py'), 'stdlib');
    assert.equal(categoryOf('/home/u/.venv/lib/python3.11/site-packages/requests/api.py'), 'third-party');
    assert.equal(categoryOf('/usr/lib/python3/dist-packages/yaml/__init__.py'), 'third-party');
    assert.equal(categoryOf('/opt/py/lib/python3.13/os.py'), 'stdlib');
    assert.equal(categoryOf('<frozen importlib._bootstrap>'), 'frozen');
    assert.equal(categoryOf('/home/u/app/main.py'), 'user');
    assert.equal(frameColour('main', 'a.py'), frameColour('main', 'b.py'));
    assert.notEqual(frameColour('main', 'a.py'), frameColour('main', '/usr/lib/python3.12/a.py'));
  });

  for (const name of ['threads.pyflame.txt', 'recursion.pyflame.txt', 'imports-gc.pyflame.txt']) {
    it(`${name}: well-formed, deterministic, widths nest`, async () => {
      const analysis = await analyzeTrace(join(SAMPLES, name));
      const svg = flameGraphSvg(analysis, { title: name });
      assertWellFormed(svg);
      assert.equal(flameGraphSvg(await analyzeTrace(join(SAMPLES, name)), { title: name }), svg, 'same bytes twice');
      const frames = framesOf(svg);
      assert.ok(frames.length > 1);
      assert.deepEqual(frames[0], { d: 0, x: 0, w: 1 }, 'the root spans the width');
      // Children (depth d+1 within a parent's extent) sum to at most the parent's width.
      for (const parent of frames) {
        const children = frames.filter(
          (f) => f.d === parent.d + 1 && f.x >= parent.x - 1e-9 && f.x + f.w <= parent.x + parent.w + 1e-9,
        );
        const sum = children.reduce((total, f) => total + f.w, 0);
        assert.ok(sum <= parent.w + 1e-6, `children ${sum} > parent ${parent.w}`);
      }
      assertWellFormed(flameGraphSvg(analysis, { inverted: true, minWidthPercent: 0 }));
    });
  }

  it('merges threads by path and prunes narrow frames', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'threads.pyflame.txt'));
    const tree = buildFlameTree(analysis);
    let threadTotal = 0;
    for (const thread of analysis.threads) {
      for (let node = 0; node < thread.tree.size; node++) {
        const parent = thread.tree.parent.get(node);
        if (thread.tree.func.get(node) >= 0 && (parent < 0 || thread.tree.func.get(parent) < 0))
          threadTotal += thread.tree.totalNs.get(node);
      }
    }
    assert.equal(tree.total[0], threadTotal, 'root total = sum of the threads’ top frames');
    const keys = new Set<string>();
    for (let node = 1; node < tree.size; node++) {
      const key = `${tree.parent[node]}:${tree.frame[node]}`;
      assert.ok(!keys.has(key), 'one node per path');
      keys.add(key);
    }
    const all = layoutFlame(tree, { minWidth: 0 }).frames.length;
    const pruned = layoutFlame(tree, { minWidth: 0.05 });
    assert.ok(pruned.frames.length < all);
    for (const frame of pruned.frames) assert.ok(frame.x1 - frame.x0 >= 0.05 - 1e-9);
  });

  it('a 100,000-deep call chain renders without recursion', async () => {
    const depth = 100_000;
    const lines: string[] = [];
    let ts = 1;
    for (let i = 0; i < depth; i++) lines.push(`${ts++}\t1\t1\tfunction__entry\t/d.py\tf${i % 7}\t${i + 1}`);
    for (let i = depth - 1; i >= 0; i--) lines.push(`${ts++}\t1\t1\tfunction__return\t/d.py\tf${i % 7}\t${i + 1}`);
    const { writeFileSync } = await import('node:fs');
    const path = join(scratchDir('svg'), 'deep.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const svg = flameGraphSvg(await analyzeTrace(path), { minWidthPercent: 0 });
    assert.ok(framesOf(svg).length > 1000);
  });

  it('hostile names are escaped', async () => {
    const analysis = await analyzeTrace(join(FIXTURES, 'damage/hostile-names.txt'));
    const svg = flameGraphSvg(analysis, { title: '<script>alert(1)</script>' });
    assertWellFormed(svg);
    assert.doesNotMatch(svg, /<script>alert/);
    assert.equal(svg.match(/<script/g)?.length, 1, 'only the graph’s own script');
    assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(svg, /&quot;quoted&quot; &amp; &apos;single&apos;/);
    assert.doesNotMatch(svg, /[\x1b\u202E]/);
  });

  it('golden: recursion.pyflame.txt', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'recursion.pyflame.txt'));
    assertGolden('svg/recursion.svg', flameGraphSvg(analysis, { title: 'recursion.pyflame' }));
  });

  it('the CLI writes --svg to stdout with --inverted and --minwidth', async () => {
    const result = await runCli([
      'analyze',
      join(SAMPLES, 'recursion.pyflame.txt'),
      '--inverted',
      '--minwidth',
      '1',
      '--svg',
      '-',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertWellFormed(result.stdout);
    assert.match(result.stdout, /icicle/);
    const bad = await runCli(['analyze', join(SAMPLES, 'recursion.pyflame.txt'), '--minwidth', '200', '--svg', '-']);
    assert.equal(bad.code, 2);
  });
});
