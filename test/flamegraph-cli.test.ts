import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldedOutputName } from '../src/cli/commands/flamegraph.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { assertWellFormed } from './helpers/xml.js';

const FOLDED = join(FIXTURES, 'folded');
const PYTHON = join(FOLDED, 'python-labels.folded');

describe('pyflame flamegraph (the real binary)', { concurrency: true }, () => {
  it('writes out/<name>.svg under the working directory and says so on stderr', async () => {
    const dir = scratchDir('flamegraph-cli');
    copyFileSync(join(FOLDED, 'python-labels.folded.gz'), join(dir, 'perf.folded.gz'));
    const result = await runCli(['flamegraph', 'perf.folded.gz', '--svg'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'pyflame: wrote out/perf.svg\n');
    const svg = readFileSync(join(dir, 'out/perf.svg'), 'utf8');
    assertWellFormed(svg);
    assert.match(svg, /<text class="pf-title"[^>]*>perf<\/text>/);
    // Without --svg, as flamegraph.pl: on stdout when it is not a terminal (here a pipe).
    const again = await runCli(['flamegraph', 'perf.folded.gz'], { cwd: dir });
    assert.equal(again.code, 0);
    assert.equal(again.stderr, '');
    assert.equal(again.stdout, svg, 'same bytes');
  });

  it('output names drop .gz, then .folded or .txt', () => {
    assert.equal(foldedOutputName('/x/perf.folded.gz'), 'perf');
    assert.equal(foldedOutputName('app.txt'), 'app');
    assert.equal(foldedOutputName('stacks.collapsed'), 'stacks.collapsed');
    assert.equal(foldedOutputName('-'), 'stdin');
  });

  it('stdin to stdout, with --title, --unit, --inverted and --minwidth', async () => {
    const result = await runCli(
      ['flamegraph', '-', '--svg', '-', '--title', 'from perf', '--unit', 'ms', '--inverted', '--minwidth', '5'],
      { stdin: readFileSync(PYTHON) },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assertWellFormed(result.stdout);
    assert.match(result.stdout, /<text class="pf-title"[^>]*>from perf<\/text>/);
    assert.match(result.stdout, /weight: ms · total 281 ms · 8 distinct stacks · icicle/);
    assert.doesNotMatch(result.stdout, /data-n="helper"/, '--minwidth 5 leaves out a 1.8% frame');
  });

  it('damaged lines: warnings with codes and first line numbers on stderr, exit 0', async () => {
    const result = await runCli(['flamegraph', join(FOLDED, 'damaged.folded'), '--svg', '-']);
    assert.equal(result.code, 0, result.stderr);
    assertWellFormed(result.stdout);
    const warnings = result.stderr.trimEnd().split('\n');
    // Empty frames (lines 5, 6, 7) are kept, as flamegraph.pl keeps them.
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0],
      /^pyflame: warning: \S*damaged\.folded: missing-count, 2 times \(lines 2, 10\): no count at the end/,
    );
    assert.match(warnings[1], /: bad-count, 3 times \(lines 3, 4, 9\): /);
  });

  const failures: [string, string[], RegExp][] = [
    [
      'no valid line',
      [join(FOLDED, 'no-valid-line.txt')],
      /^pyflame: error: \S*no-valid-line\.txt:1: not folded stacks, no valid line: expected folded stacks/,
    ],
    [
      'a trace given by mistake',
      [join(SAMPLES, 'threads.pyflame.txt')],
      /^pyflame: error: \S*threads\.pyflame\.txt:2: not folded stacks.*\nThis is a pyflame trace: analyze it .*pyflame analyze \S*threads\.pyflame\.txt --svg\n$/s,
    ],
    [
      'a missing file',
      ['no/such.folded'],
      /^pyflame: error: no\/such\.folded: cannot read: no such file or folder \(ENOENT\)\n$/,
    ],
    [
      '--minwidth out of range',
      [PYTHON, '--minwidth', '200'],
      /^pyflame: error: --minwidth takes a percentage from 0 to 100 \(or pixels of a 1200-pixel graph, as 0\.5px\); got 200\nRun pyflame --help/,
    ],
    [
      '--minwidth not a number',
      [PYTHON, '--minwidth', 'wide'],
      /^pyflame: error: --minwidth takes a percentage from 0 to 100 \(or pixels/,
    ],
    [
      'an unknown palette',
      [PYTHON, '--colors', 'rainbow'],
      /^pyflame: error: --colors takes one of python, hot, mem, io, java, js, perl/,
    ],
    ['a zero --factor', [PYTHON, '--factor', '0'], /^pyflame: error: --factor takes a positive number; got 0/],
    [
      'raw perf script output',
      [join(FOLDED, 'other-tools/perf-script-raw.txt')],
      /^pyflame: error: \S*perf-script-raw\.txt:1: not folded stacks: this is raw `perf script` output.*stackcollapse-perf\.pl.*inferno-collapse-perf/,
    ],
    ['an empty --unit', [PYTHON, '--unit', ''], /^pyflame: error: --unit takes a short name such as samples/],
    ['an unknown flag', [PYTHON, '--colours', 'hot'], /Unknown arguments?: colours/],
    ['no file and nothing on stdin', [], /^pyflame: error: <stdin>: no stacks \(empty, blank or only comments\)/],
    ['stdin twice', ['-', '-'], /stdin \(-\) can be read only once/],
  ];
  for (const [name, args, stderr] of failures) {
    it(`exit 2: ${name}`, async () => {
      const dir = scratchDir('flamegraph-cli-fail');
      const result = await runCli(['flamegraph', ...args], { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, stderr);
      assert.ok(!existsSync(join(dir, 'out')), 'nothing written');
    });
  }

  it('is listed in --help', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /pyflame flamegraph \[files\.\.\]/);
  });
});
