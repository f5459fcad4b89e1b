import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIFF_COLOURS } from '../src/export/svg/diff-colours.js';
import { foldedFlameGraphSvg, looksLikePython } from '../src/export/svg/folded-graph.js';
import { annotationOf, withoutAnnotation } from '../src/export/svg/language-palette.js';
import { xmlText } from '../src/text/untrusted.js';
import { CATEGORIES } from '../src/export/svg/palette.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { assertWellFormed } from './helpers/xml.js';

const scratch = scratchDir('folded-svg-options');
const draw = async (text: string, options = {}, readOptions = {}) => {
  const svg = foldedFlameGraphSvg(await readFolded(writeScratch(scratch, text, 'stacks.folded'), readOptions), options);
  assertWellFormed(svg);
  return svg;
};

/** Each drawn frame: name, data-t, fill and note, in drawing order. */
function frames(
  svg: string,
): { name: string; total: number; fill: string; note: string | undefined; x: number; depth: number }[] {
  const found = [];
  for (const m of svg.matchAll(
    /<g class="pf-f" data-d="(\d+)" data-x="([^"]+)" [^>]*data-n="([^"]*)" [^>]*data-t="([^"]+)"(?: data-note="([^"]*)")?>.*?fill="([^"]+)"/g,
  )) {
    found.push({ depth: Number(m[1]), x: Number(m[2]), name: m[3], total: Number(m[4]), note: m[5], fill: m[6] });
  }
  return found;
}
const legend = (svg: string) =>
  [...svg.matchAll(/<rect x="\d+" y="50" [^>]*fill="([^"]+)"\/><text [^>]*>([^<]*)<\/text>/g)].map((m) => m[2]);

describe('flamegraph: differential input', () => {
  const text = 'main;grow 10 30\nmain;shrink 20 5\nmain;same 7 7\nmain;fresh 0 4\nmain;gone 6 0\n';

  it('widths are the second counts, colours the change (as pyflame diff --svg), a note with before and Δ', async () => {
    const svg = await draw(text);
    const byName = new Map(frames(svg).map((f) => [f.name, f]));
    assert.equal(byName.get('all')!.total, 46);
    assert.equal(byName.get('grow')!.total, 30);
    assert.equal(byName.get('shrink')!.total, 5);
    assert.ok(!byName.has('gone'), 'a stack whose second count is 0 has no width');
    assert.equal(byName.get('grow')!.fill, DIFF_COLOURS.grew, 'the largest growth: full red');
    assert.match(byName.get('shrink')!.fill, /^rgb\(\d+,\d+,\d+\)$/);
    const [r, , b] = byName.get('shrink')!.fill.match(/\d+/g)!.map(Number);
    assert.ok(b > r, 'shrank is blue');
    assert.equal(byName.get('same')!.fill, DIFF_COLOURS.same);
    assert.equal(byName.get('fresh')!.fill, DIFF_COLOURS.new);
    assert.equal(byName.get('grow')!.note, 'before 10 samples · Δ +20 samples (+200%)');
    assert.equal(byName.get('shrink')!.note, 'before 20 samples · Δ -15 samples (-75%)');
    assert.equal(byName.get('fresh')!.note, 'before 0 samples · Δ +4 samples (new)');
    assert.deepEqual(legend(svg), ['grew', 'shrank', 'new (before: 0)']);
    assert.match(svg, /differential: width AFTER \(the second count\), colour AFTER − BEFORE/);
  });

  it('--negate swaps the hues', async () => {
    const svg = await draw(text, { negate: true });
    const byName = new Map(frames(svg).map((f) => [f.name, f]));
    assert.equal(byName.get('grow')!.fill, DIFF_COLOURS.shrank);
    assert.deepEqual(legend(svg), ['shrank (--negate)', 'grew (--negate)', 'new (before: 0)']);
  });
});

describe('flamegraph: palettes by what the stacks are', () => {
  it('Python frames get the Python families and legend; other stacks the language ones', async () => {
    assert.equal(looksLikePython(['main (app.py:3)', 'dumps (json/__init__.py:231)', 'PyEval_EvalFrame']), true);
    assert.equal(looksLikePython(['main', 'do_syscall_64_[k]', 'java/lang/Thread.run_[j]', 'x.py is a name']), false);
    const python = await draw('main (app.py:1);work (app.py:5) 3\n');
    assert.deepEqual(
      legend(python),
      CATEGORIES.map((c) => xmlText(c.label)),
    );
    const perf = await draw('java;start_thread;java/lang/Thread:::run_[j];Interpreter_[i];JVM::call;sys_write_[k] 5\n');
    assert.deepEqual(legend(perf), [
      'native (C, Rust...)',
      'kernel',
      'C++',
      'Java / JIT / JS source',
      'inlined / builtin / waker',
    ]);
    const names = frames(perf).map((f) => f.name);
    assert.deepEqual(
      names,
      ['all', 'java', 'start_thread', 'java/lang/Thread:::run', 'Interpreter', 'JVM::call', 'sys_write'],
      'annotations stripped',
    );
    assert.doesNotMatch(perf, /_\[[kijw]\]/);
  });

  it('plain native stacks: the hot palette; --colors picks any of flamegraph.pl’s', async () => {
    const plain = await draw('main;parse;lex 3\nmain;emit 1\n');
    assert.deepEqual(legend(plain), ['palette: hot']);
    for (const palette of ['mem', 'io', 'red', 'green', 'blue', 'aqua', 'yellow', 'purple', 'orange']) {
      assert.deepEqual(legend(await draw('main;parse 3\n', { palette })), [`palette: ${palette}`]);
    }
    // python forces the Python palette, java the language rules.
    assert.deepEqual(
      legend(await draw('main;parse 3\n', { palette: 'python' })),
      CATEGORIES.map((c) => xmlText(c.label)),
    );
    assert.deepEqual(legend(await draw('main;parse 3\n', { palette: 'java' })), ['native (C, Rust...)']);
    // flamegraph.pl's separators are grey.
    assert.equal(frames(await draw('user;-;kernel_[k] 3\n')).find((f) => f.name === '-')!.fill, 'hsl(0,0%,63%)');
  });

  it('annotations', () => {
    assert.equal(annotationOf('vfs_write_[k]'), 'k');
    assert.equal(annotationOf('x_[j]'), 'j');
    assert.equal(annotationOf('x_[i]'), 'i');
    assert.equal(annotationOf('x_[w]'), 'w');
    assert.equal(annotationOf('x_[q]'), undefined);
    assert.equal(withoutAnnotation('vfs_write_[k]'), 'vfs_write');
    assert.equal(withoutAnnotation('a_[k]b'), 'a_[k]b');
  });
});

describe('flamegraph: options', () => {
  it('--flamechart keeps the input order; the default sorts by name', async () => {
    const text = 'main;zeta 1\nmain;alpha 1\nmain;zeta 1\n';
    const chart = frames(await draw(text, { flamechart: true }, { flamechart: true })).filter((f) => f.depth === 2);
    assert.deepEqual(
      chart.map((f) => f.name),
      ['zeta', 'alpha', 'zeta'],
    );
    const graph = frames(await draw(text)).filter((f) => f.depth === 2);
    assert.deepEqual(
      graph.map((f) => [f.name, f.total]),
      [
        ['alpha', 1],
        ['zeta', 2],
      ],
    );
  });

  it('--subtitle replaces the subtitle; --notes is kept, escaped, in a <desc>', async () => {
    const svg = await draw('a 1\n', { subtitle: 'sub <title>', notes: 'built by CI -- run 7 <&>' });
    assert.match(svg, /<text class="pf-sub"[^>]*>sub &lt;title&gt; · flame graph<\/text>/);
    assert.match(svg, /<desc class="pf-notes">built by CI -- run 7 &lt;&amp;&gt;<\/desc>/);
  });
});

describe('flamegraph: short Python paths classified by module name', () => {
  it('py-spy style relative paths: stdlib and well-known packages by their top-level module', async () => {
    const { categoryOf: plain } = await import('../src/export/svg/palette.js');
    const categoryOf = (file: string) => plain(file, true);
    assert.equal(categoryOf('json/__init__.py'), 'stdlib');
    assert.equal(categoryOf('threading.py'), 'stdlib');
    assert.equal(categoryOf('_collections_abc.py'), 'stdlib');
    assert.equal(categoryOf('concurrent/futures/thread.py'), 'stdlib');
    assert.equal(categoryOf('requests/api.py'), 'third-party');
    assert.equal(categoryOf('numpy/core/fromnumeric.py'), 'third-party');
    assert.equal(categoryOf('app/db.py'), 'user');
    assert.equal(categoryOf('myjson/x.py'), 'user');
    // Absolute or explicit paths keep the folder rules: json/ in one's own tree is one's code.
    assert.equal(categoryOf('/home/me/proj/json/x.py'), 'user');
    assert.equal(categoryOf('./threading.py'), 'user');
    assert.equal(categoryOf('/usr/lib/python3.12/json/__init__.py'), 'stdlib');
    assert.equal(categoryOf('/srv/venv/lib/python3.12/site-packages/requests/api.py'), 'third-party');
    // Traces (analyze): off. CPython gives library files absolute paths; a relative one is the program's.
    assert.equal(plain('profile.py'), 'user');
    assert.equal(plain('json/__init__.py'), 'user');
  });
});
