import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { colorWanted } from '../src/cli/commands/analyze.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// The conventions a command-line user types from habit (issue 11 §4).

describe('command-line conventions', () => {
  it('-h is --help, for pyflame and for each command', async () => {
    const top = await runCli(['-h']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^pyflame <command> \[options\]/);
    const analyze = await runCli(['analyze', '-h']);
    assert.equal(analyze.code, 0);
    assert.match(analyze.stdout, /^pyflame analyze <traces\.\.>/);
  });

  it('an unknown flag gets "did you mean", in the spelling typed', async () => {
    const result = await runCli(['diff', 'a', 'b', '--fail-onn', 'x', '--mindelta', '3']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^pyflame: error: Unknown arguments: fail-onn, failOnn, mindelta\nDid you mean --fail-on \(for --fail-onn\)\?\nDid you mean --min-delta \(for --mindelta\)\?\n/,
    );
    const far = await runCli(['analyze', join(SAMPLES, 'threads.pyflame.txt'), '--zzzzzz']);
    assert.doesNotMatch(far.stderr, /Did you mean/);
  });

  it('a file that is not there is said in words', async () => {
    const result = await runCli(['analyze', 'no-such-trace.txt']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'pyflame: error: no-such-trace.txt: cannot read: no such file or folder (ENOENT)\n');
  });

  it('folded stacks given to analyze name pyflame flamegraph; a trace given to flamegraph names analyze', async () => {
    const folded = join(scratchDir('conv'), 'x.folded');
    writeFileSync(folded, 'main;work 30\nmain;idle 2\n');
    const analyze = await runCli(['analyze', folded]);
    assert.equal(analyze.code, 2);
    assert.match(
      analyze.stderr,
      new RegExp(`This looks like folded stacks .*: draw them with pyflame flamegraph ${folded} --svg\\n`),
    );
    const trace = join(SAMPLES, 'call-stack.dtrace.txt');
    const flamegraph = await runCli(['flamegraph', trace]);
    assert.equal(flamegraph.code, 2);
    assert.match(
      flamegraph.stderr,
      new RegExp(
        `This is a dtrace trace: analyze it \\(and draw its flame graph\\) with pyflame analyze ${trace} --svg\\n`,
      ),
    );
  });

  it('completion --help prints help, not the script', async () => {
    const result = await runCli(['completion', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^pyflame completion\n/);
    assert.doesNotMatch(result.stdout, /begin-pyflame-completions/);
  });

  it('TERM=dumb gets no colour, even on a terminal; FORCE_COLOR still forces it', () => {
    const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
    assert.equal(colorWanted(tty, { TERM: 'xterm-256color' }), true);
    assert.equal(colorWanted(tty, { TERM: 'dumb' }), false);
    assert.equal(colorWanted(tty, { TERM: 'dumb', FORCE_COLOR: '1' }), true);
    assert.equal(colorWanted(tty, { TERM: 'xterm', NO_COLOR: '1' }), false);
  });
});

describe('report width', () => {
  it('a pipe follows COLUMNS; a terminal its own width; else 100', async () => {
    const { reportWidth } = await import('../src/export/terminal/report.js');
    const pipe = {} as NodeJS.WritableStream;
    assert.equal(reportWidth(pipe, { COLUMNS: '80' }), 80);
    assert.equal(reportWidth(pipe, {}), 100);
    assert.equal(reportWidth(pipe, { COLUMNS: 'wide' }), 100);
    assert.equal(
      reportWidth({ isTTY: true, columns: 132 } as unknown as NodeJS.WritableStream, { COLUMNS: '80' }),
      132,
    );
  });

  it('at 80 columns every function keeps its name and line', async () => {
    const result = await runCli(['analyze', join(SAMPLES, 'threads.pyflame.txt')], { env: { COLUMNS: '80' } });
    assert.equal(result.code, 0);
    const lines = result.stdout.split('\n');
    assert.ok(
      lines.every((line) => line.length <= 80),
      'fits 80 columns',
    );
    const table = lines
      .slice(lines.findIndex((line) => line.startsWith('Top functions by self time')) + 2)
      .slice(0, 15);
    for (const row of table) assert.match(row, /\S+ \(.*:\d+\)$/, `name and line: ${row}`);
    assert.ok(table.some((row) => row.endsWith('is_prime (….py:13)')));
  });
});

describe('--importtime', () => {
  it('rounds microseconds up, as CPython does (_PyTime_ROUND_CEILING)', async () => {
    const trace = join(scratchDir('conv'), 'imp.txt');
    // a: 1,001 ns in all; its child b: 500 ns; so a's own time is 501 ns.
    writeFileSync(
      trace,
      [
        '1000\t1\t1\timport__find__load__start\ta',
        '1200\t1\t1\timport__find__load__start\tb',
        '1700\t1\t1\timport__find__load__done\tb\t1',
        '2001\t1\t1\timport__find__load__done\ta\t1',
        '',
      ].join('\n'),
    );
    const result = await runCli(['analyze', trace, '--importtime', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'import time: self [us] | cumulative | imported package',
        'import time:         1 |          1 |   b',
        'import time:         1 |          2 | a',
        '',
      ].join('\n'),
    );
  });
});

describe('speedscope files', () => {
  it('name their exporter pyflame@<version>, and threads without a pid by tid', async () => {
    const { VERSION } = await import('../src/version.js');
    const result = await runCli(['analyze', join(SAMPLES, 'threads.stap.txt'), '--speedscope', '-']);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as { exporter: string; profiles: { name: string }[] };
    assert.equal(doc.exporter, `pyflame@${VERSION}`);
    assert.deepEqual(
      doc.profiles.map((profile) => profile.name),
      ['tid 6836', 'tid 6837', 'tid 6838', 'tid 6839', 'tid 6840', 'all threads (self time)'],
    );
  });
});

describe('the next command, as the user ran pyflame', () => {
  it('pyflame, npx pyflame, or node and the script', async () => {
    const { invokedAs } = await import('../src/cli/invoked-as.js');
    assert.equal(invokedAs(['node', '/usr/local/bin/pyflame'], {}, '/home/u'), 'pyflame');
    assert.equal(
      invokedAs(['node', '/home/u/p/node_modules/.bin/pyflame'], { npm_command: 'exec' }, '/home/u/p'),
      'npx pyflame',
    );
    assert.equal(invokedAs(['node', '/home/u/pyflame/bin/pyflame.js'], {}, '/home/u/pyflame'), 'node bin/pyflame.js');
    assert.equal(invokedAs(['node', '/opt/pyflame/bin/pyflame.js'], {}, '/home/u'), 'node /opt/pyflame/bin/pyflame.js');
    assert.equal(
      invokedAs(['node', '/opt/my tools/bin/pyflame.js'], {}, '/home/u'),
      "node '/opt/my tools/bin/pyflame.js'",
    );
  });
});
