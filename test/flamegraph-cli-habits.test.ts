import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { minWidthPercent } from '../src/cli/commands/flamegraph.js';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { assertWellFormed } from './helpers/xml.js';

const rootTotal = (svg: string) => Number(/data-n="all" [^>]*data-t="([^"]+)"/.exec(svg)?.[1]);

describe('pyflame flamegraph as flamegraph.pl users type it', { concurrency: true }, () => {
  it('several files make ONE graph (one SVG document), named after the first', async () => {
    const dir = scratchDir('flamegraph-habits');
    writeFileSync(join(dir, 'a.folded'), '# recorded by austin\nmain;work 3\n');
    writeFileSync(join(dir, 'b.folded'), 'main;work 2\nmain;idle 1\n');
    const piped = await runCli(['flamegraph', 'a.folded', 'b.folded'], { cwd: dir });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.match(/<svg /g)?.length, 1);
    assertWellFormed(piped.stdout);
    assert.equal(rootTotal(piped.stdout), 6);
    assert.match(piped.stdout, /<text class="pf-title"[^>]*>a \+ 1 more<\/text>/);
    assert.equal(
      piped.stderr,
      'pyflame: warning: a.folded: comment, once (line 1): a comment line (starting with #); line skipped\n',
    );
    const written = await runCli(['flamegraph', 'a.folded', 'b.folded', '--svg'], { cwd: dir });
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stderr, /pyflame: wrote out\/a\.svg\n$/);
    assert.equal(readFileSync(join(dir, 'out/a.svg'), 'utf8'), piped.stdout);
    const one = await runCli(['flamegraph', 'a.folded', 'b.folded', '--svg', 'both.svg'], { cwd: dir });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(readFileSync(join(dir, 'both.svg'), 'utf8'), piped.stdout);
  });

  it('no file: stdin; no --svg and stdout not a terminal: the SVG on stdout', async () => {
    const result = await runCli(['flamegraph', '--title', 'piped', '--countname', 'bytes'], {
      stdin: 'main;malloc 4096\nmain;free 1024\n',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assertWellFormed(result.stdout);
    assert.match(result.stdout, /pf-title[^>]*>piped</);
    assert.match(result.stdout, /weight: bytes · total 5,120 bytes/);
  });

  it('differential input (difffolded.pl output) with --negate, --reverse, --factor, --colors, --minwidth px', async () => {
    const diff = await runCli(['flamegraph', '--negate'], { stdin: 'main;a 1 3\nmain;b 4 2\n' });
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(rootTotal(diff.stdout), 5);
    assert.match(diff.stdout, /shrank \(--negate\)/);
    const options = await runCli(
      ['flamegraph', '--reverse', '--factor', '2', '--colors', 'mem', '--minwidth', '600px', '--hash'],
      { stdin: 'main;a;leaf 3\nmain;b 1\n' },
    );
    assert.equal(options.code, 0, options.stderr);
    assert.equal(rootTotal(options.stdout), 8);
    assert.match(options.stdout, /data-d="1" [^>]*data-n="leaf"/, 'reversed: the leaf at depth 1');
    assert.doesNotMatch(options.stdout, /data-n="b"/, '600px of 1200 is 50%: b (25%) left out');
    assert.match(options.stdout, /palette: mem/);
  });

  it('--minwidth: a percentage, or pixels of a 1200-pixel graph', () => {
    assert.equal(minWidthPercent('0.1'), 0.1);
    assert.equal(minWidthPercent(5), 5);
    assert.equal(minWidthPercent('12px'), 1);
    assert.equal(minWidthPercent('2%'), 2);
    assert.throws(() => minWidthPercent('-1'), /--minwidth takes a percentage/);
    assert.throws(() => minWidthPercent('2400px'), /--minwidth takes a percentage/);
  });
});

describe('pyflame flamegraph: a trace among several inputs', () => {
  it('names the refused input and the command that reads it', async () => {
    const dir = scratchDir('flamegraph-habits-trace');
    writeFileSync(join(dir, 'ok.folded'), 'main;work 3\n');
    const trace = join(dir, 'trace.txt');
    writeFileSync(
      trace,
      `# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11\n${'601492233727\t6836\t6836\tgc__start\t0\n'.repeat(3)}`,
    );
    const result = await runCli(['flamegraph', 'ok.folded', 'trace.txt'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^pyflame: error: trace\.txt:2: not folded stacks.*\nThis is a pyflame trace: analyze it .*pyflame analyze trace\.txt --svg\n$/s,
    );
  });
});

describe('flamegraph.pl size and font options', () => {
  it('--width, --height, --fontsize, --fonttype and --nametype reach the SVG; a font list cannot leave its CSS rule', async () => {
    const dir = scratchDir('flamegraph-sizes');
    const out = join(dir, 'sized.svg');
    const result = await runCli([
      'flamegraph',
      join(FIXTURES, 'folded/python-labels.folded'),
      '--svg',
      out,
      '--width',
      '800',
      '--height',
      '20',
      '--fontsize',
      '14',
      '--fonttype',
      'Verdana; } svg { display:none',
      '--nametype',
      'Function:',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const svg = readFileSync(out, 'utf8');
    assert.match(
      svg,
      /data-cpx="8\.517" data-nametype="Function:" width="800" height="\d+" style="background:#f8f8f8">/,
    );
    assert.match(svg, /\.pf-f text\{font-family:Verdana {2}svg {2}displaynone;font-size:14px\}/);
    assert.match(svg, /<rect x="0%" y="\d+" width="100%" height="19" /);
  });

  it('out-of-range sizes are refused before anything is read', async () => {
    for (const [flag, value] of [
      ['--width', '50'],
      ['--height', '0'],
      ['--fontsize', '1000'],
    ]) {
      const result = await runCli(['flamegraph', 'no-such.folded', flag, value]);
      assert.equal(result.code, 2, `${flag} ${value}`);
      assert.match(result.stderr, new RegExp(`pyflame: error: ${flag} takes a number from \\d+ to \\d+; got ${value}`));
    }
  });
});
