import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventLogCsv } from './helpers/event-log.js';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const fixture = (path: string) => join(FIXTURES, path);

describe('pyflame convert (the real binary)', () => {
  it('writes the CSV log to stdout and exits 0', async () => {
    const result = await runCli(['convert', fixture('formats/dtrace/docs-example.txt'), '--to', 'csv']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, (await eventLogCsv(fixture('formats/dtrace/docs-example.txt'))).csv);
  });

  it('writes a file atomically with -o, says where, and leaves no temporary file', async () => {
    const dir = scratchDir('cli');
    const out = join(dir, 'nested', 'log.jsonl');
    const result = await runCli(['convert', fixture('formats/pyflame/all-probes.txt'), '--to', 'jsonl', '-o', out]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `pyflame: wrote 16 events to ${out}\n`);
    assert.equal(readFileSync(out, 'utf8').split('\n').length, 17);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['log.jsonl']);
  });

  it('reads - from stdin, gzip included', async () => {
    const result = await runCli(['convert', '-', '--to', 'csv'], {
      stdin: readFileSync(fixture('damage/gzip.txt.gz')),
    });
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim().split('\n').length, 7);
  });

  it('prints repairs as warnings on stderr and still exits 0', async () => {
    const result = await runCli(['convert', fixture('damage/junk-lines.txt'), '--to', 'csv']);
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^pyflame: warning: .*junk-lines\.txt: junk-line, 3 times \(lines 2, 5, 7\): lines that are not pyflame events were skipped, the first: "garbage that is not an event"\n$/,
    );
  });

  const failures: Array<[string, string[], RegExp]> = [
    [
      'an empty file',
      ['convert', fixture('damage/empty.txt'), '--to', 'csv'],
      /^pyflame: error: .*empty\.txt: empty trace: no lines to read\n$/,
    ],
    [
      'a binary file',
      ['convert', fixture('damage/binary.bin'), '--to', 'csv'],
      /^pyflame: error: .*binary\.bin:1: binary data/,
    ],
    [
      'a text file in no known format',
      ['convert', fixture('damage/not-a-trace.txt'), '--to', 'csv'],
      /not-a-trace\.txt:1: not a trace format pyflame reads \(tried: bpftrace, pyflame, csv, dtrace, stap, stap-top\)/,
    ],
    [
      'a missing file',
      ['convert', fixture('no/such/file.txt'), '--to', 'csv'],
      /^pyflame: error: .*file\.txt: cannot read: no such file or folder \(ENOENT\)\n$/,
    ],
    ['a directory', ['convert', FIXTURES, '--to', 'csv'], /is a directory, not a trace file/],
    [
      'an unknown output format',
      ['convert', fixture('damage/crlf.txt'), '--to', 'xml'],
      /Invalid values:\n {2}Argument: to, Given: "xml", Choices: "csv", "jsonl"/,
    ],
    [
      'an unknown input format',
      ['convert', fixture('damage/crlf.txt'), '--to', 'csv', '--format', 'perf'],
      /Argument: format, Given: "perf"/,
    ],
    ['a missing command', [], /Name a command/],
    ['an unknown flag', ['convert', fixture('damage/crlf.txt'), '--to', 'csv', '--bogus'], /Unknown argument: bogus/],
  ];
  for (const [what, args, message] of failures) {
    it(`exits 2 with a one-line reason, no stack trace and no output, for ${what}`, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
      assert.equal(result.stdout, '');
    });
  }

  it('leaves no output file behind when the input is bad', async () => {
    const dir = scratchDir('cli');
    const out = join(dir, 'log.csv');
    const result = await runCli(['convert', fixture('damage/binary.bin'), '--to', 'csv', '-o', out]);
    assert.equal(result.code, 2);
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('escapes control characters of trace names in terminal messages', async () => {
    const result = await runCli(['convert', '-', '--to', 'csv'], {
      stdin: 'bad\x07line \u202e here\n1\t2\t3\tgc__start\t0\n',
    });
    assert.equal(result.code, 0);
    assert.ok(!result.stderr.includes('\x07') && !result.stderr.includes('\u202e'), 'no raw control characters');
    assert.match(result.stderr, /bad\\u0007line \\u202e here/);
  });

  it('a trace big enough for the parsing thread: stderr says only where it wrote (no listener-leak warning)', async () => {
    // ~40 MiB: the parsing thread keeps several batches waiting for the file to take the last.
    const dir = scratchDir('cli-convert-big');
    const trace = join(dir, 'big.txt');
    const pairs = 300_000;
    const lines = ['# pyflame-trace v1 clock=boot_ns'];
    for (let i = 0; i < pairs; i++) {
      const ts = 1_000_000 + i * 1000;
      lines.push(
        `${ts}\t4242\t4242\tfunction__entry\t/srv/app/src/handlers/long_module_name.py\thandle_request_${i % 97}\t${10 + (i % 97)}`,
      );
      lines.push(
        `${ts + 500}\t4242\t4242\tfunction__return\t/srv/app/src/handlers/long_module_name.py\thandle_request_${i % 97}\t${12 + (i % 97)}`,
      );
    }
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const out = join(dir, 'big.csv');
    const result = await runCli(['convert', trace, '--to', 'csv', '-o', out], { env: { PYFLAME_THREADED: '1' } });
    assert.equal(result.stderr, `pyflame: wrote ${2 * pairs} events to ${out}\n`);
    assert.equal(result.code, 0);
    assert.equal(readFileSync(out, 'utf8').split('\n').length, 2 * pairs + 2);
  });

  it('--help lists the command with an example', async () => {
    const result = await runCli(['convert', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /pyflame convert <trace>/);
    assert.match(result.stdout, /--to .*\[required\]/);
  });
});

describe('output failures', () => {
  it('a write error on stdout (a full disk) is an error, exit 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const { openSync } = await import('node:fs');
    const full = openSync('/dev/full', 'w');
    const result = spawnSync(
      process.execPath,
      [join(FIXTURES, '../../bin/pyflame.js'), 'convert', fixture('formats/dtrace/docs-example.txt'), '--to', 'csv'],
      { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' },
    );
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyflame: error: .*ENOSPC/);
  });
});
