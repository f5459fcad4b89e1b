import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { foldedFlameGraphSvg } from '../src/export/svg/folded-graph.js';
import { foldedText } from '../src/export/folded.js';
import { treeStacks } from '../src/folded-input/folded-tree.js';
import { readFolded, type FoldedProfile } from '../src/folded-input/read-folded.js';
import { selfSum } from './helpers/analysis.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';
import { assertWellFormed } from './helpers/xml.js';

const FOLDED = join(FIXTURES, 'folded');
const scratch = scratchDir('folded-svg');

/** The root frame's data-t (its total) in a rendered graph. */
function rootTotal(svg: string): number {
  const match = /<g class="pf-f" data-d="0" [^>]*data-n="all" [^>]*data-t="([^"]+)"/.exec(svg);
  assert.ok(match !== null, 'a root frame');
  return Number(match[1]);
}

/** folded text split the simple way (the last space): stack → summed count. */
function expectedStacks(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cut = line.lastIndexOf(' ');
    const stack = line.slice(0, cut);
    sums.set(stack, (sums.get(stack) ?? 0) + Number(line.slice(cut + 1)));
  }
  return sums;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

// Frames with spaces, parentheses, colons, markup, quotes and non-ASCII; no ';', no control
// characters, no whitespace at either end (the last frame's would join the separator).
const frameChars = fc.constantFrom(...'ab_ (x.py:12)<>&"\'é✓/'.split(''));
const frame = fc
  .string({ unit: frameChars, minLength: 1, maxLength: 10 })
  .map((s) => s.trim())
  // A frame ending in whitespace and digits would make `frame N COUNT`: a differential line, as
  // flamegraph.pl reads it.
  .filter((s) => s !== '' && !/\s[\d.]+$/.test(s));
const count = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: 1, max: 100_000 }).map((n) => n / 100),
);

describe('folded stacks → flame graph', () => {
  it('property: per-stack totals survive reading (any whitespace, CR LF, duplicates), and the root is their sum', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(frame, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.array(
          fc.record({
            pick: fc.nat(),
            count,
            sep: fc.constantFrom(' ', '\t', '  ', ' \t '),
            eol: fc.constantFrom('\n', '\r\n', '\n\n'),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (pool, lines) => {
          const expected = new Map<string, number>();
          let text = '';
          let sum = 0;
          for (const line of lines) {
            const stack = pool[line.pick % pool.length].join(';');
            text += `${stack}${line.sep}${line.count}${line.eol}`;
            expected.set(stack, (expected.get(stack) ?? 0) + line.count);
            sum += line.count;
          }
          const profile = await readFolded(writeScratch(scratch, text, 'p.folded'), { chunkBytes: 7 });
          assert.deepEqual(profile.warnings, []);
          const read = treeStacks(profile.tree, (f) => profile.labels[f]);
          const nonZero = [...expected].filter(([, value]) => value !== 0);
          assert.deepEqual(
            read.map(([stack]) => stack),
            nonZero.map(([stack]) => stack).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
          );
          for (const [stack, value] of read)
            assert.ok(close(value, expected.get(stack)!), `${stack}: ${value} != ${expected.get(stack)}`);
          assert.ok(close(profile.total, sum));
          if (sum > 0) {
            const svg = foldedFlameGraphSvg(profile, { minWidthPercent: 0 });
            assert.ok(close(rootTotal(svg), sum), `root ${rootTotal(svg)} != ${sum}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("property: pyflame's own --folded output reads back stack for stack; the graph's root is the sum of the counts", async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, async (events) => {
        const analysis = await analyzeTrace(writeScratch(scratch, toPyflameText(events)));
        const text = foldedText(analysis, { weight: 'self-ns' });
        fc.pre(text !== '');
        const profile = await readFolded(writeScratch(scratch, text, 'own.folded'));
        assert.deepEqual(profile.warnings, []);
        assert.deepEqual(new Map(treeStacks(profile.tree, (f) => profile.labels[f])), expectedStacks(text));
        const svg = foldedFlameGraphSvg(profile, { unit: 'ns', minWidthPercent: 0 });
        assert.equal(rootTotal(svg), selfSum(analysis));
        assertWellFormed(svg);
      }),
      { numRuns: 40 },
    );
  });

  it('golden: python-labels.folded (palette by file, tooltips without calls, unit in the subtitle)', async () => {
    const profile = await readFolded(join(FOLDED, 'python-labels.folded'));
    const svg = foldedFlameGraphSvg(profile, { title: 'python-labels' });
    assertWellFormed(svg);
    assertGolden('folded-svg/python-labels.svg', svg);
    assert.equal(
      foldedFlameGraphSvg(await readFolded(join(FOLDED, 'python-labels.folded.gz')), { title: 'python-labels' }),
      svg,
      'same bytes from the gzip copy',
    );
    assert.match(
      svg,
      /<text class="pf-sub"[^>]*>weight: samples · total 281 samples · 8 distinct stacks · flame graph<\/text>/,
    );
    assert.doesNotMatch(svg, /data-c=/, 'no calls: folded files do not have them');
    assert.match(svg, /data-unit="samples"/);
    // Colour families from the files: user code (hue 18-54), stdlib (205-235), site-packages (110-150), frozen (275-305).
    const fill = (name: string) => {
      const m = new RegExp(`data-n="${name}"[^>]*>.*?fill="hsl\\(([\\d.]+),`).exec(svg);
      assert.ok(m !== null, name);
      return Number(m[1]);
    };
    assert.ok(fill('encode_row') >= 18 && fill('encode_row') <= 54);
    assert.ok(fill('decode') >= 205 && fill('decode') <= 235);
    assert.ok(fill('get') >= 110 && fill('get') <= 150);
    assert.ok(fill('_find_and_load') >= 275 && fill('_find_and_load') <= 305);
  });

  it('a time unit shows durations; sibling order does not depend on line order', async () => {
    const a = await readFolded(writeScratch(scratch, 'main;b 1500\nmain;a 500\n', 'a.folded'));
    const b = await readFolded(writeScratch(scratch, 'main;a 500\nmain;b 1500\n', 'b.folded'));
    const svg = foldedFlameGraphSvg(a, { unit: 'µs', title: 't' });
    assert.equal(foldedFlameGraphSvg(b, { unit: 'µs', title: 't' }), svg);
    assert.match(svg, /weight: µs · total 2\.00 ms/);
    assert.match(svg, /<title>b self 1\.50 ms, total 1\.50 ms<\/title>/);
    assert.match(
      foldedFlameGraphSvg(a, { unit: 'samples', inverted: true }),
      /<title>b self 1,500 samples, total 1,500 samples<\/title>/,
    );
  });

  it('hostile labels are escaped', async () => {
    const path = writeScratch(
      scratch,
      `<script>alert(1)</script>;"quoted" & 'single' (x.py:1);bidi\u202Eover\u0085ride ]]> 3\n`,
      'hostile.folded',
    );
    const svg = foldedFlameGraphSvg(await readFolded(path), {
      title: '<script>alert(2)</script>',
      unit: '"><script>alert(3)</script>',
    });
    assertWellFormed(svg);
    assert.equal(svg.match(/<script/g)?.length, 1, 'only the graph’s own script');
    assert.match(svg, /data-n="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    assert.match(svg, /data-n="&quot;quoted&quot; &amp; &apos;single&apos;"/);
    assert.match(svg, /data-unit="&quot;&gt;&lt;script&gt;alert\(3\)&lt;\/script&gt;"/);
    assert.doesNotMatch(svg, /[\u202E\u0085]/);
    // Control characters the reader would refuse still cannot reach the SVG raw.
    const profile: FoldedProfile = {
      source: 'direct',
      inputs: [],
      tree: { size: 2, parent: [-1, 0], frame: [-1, 0], total: [1, 1], self: [0, 1] },
      labels: ['esc\x1b[31m nul\x00 del\x7f tab\tend'],
      lines: 1,
      stackLines: 1,
      stacks: 1,
      total: 1,
      gzip: false,
      warnings: [],
    };
    const direct = foldedFlameGraphSvg(profile);
    assertWellFormed(direct);
    assert.doesNotMatch(direct, /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
  });
});
