import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANALYSIS_TABLES } from '../src/export/parquet/analysis-tables.js';
import { tableFileName } from '../src/export/parquet/write-tables.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const THREADS = join(SAMPLES, 'threads.pyflame.txt');
const RECURSION = join(SAMPLES, 'recursion.pyflame.txt');
const TABLE_FILES = ANALYSIS_TABLES.map((table) => tableFileName(table.name)).sort();

describe('pyflame analyze --parquet (the real binary)', () => {
  it('writes one file per table into DIR, says so, and keeps the report on stdout', async () => {
    const dir = join(scratchDir('parquet-cli'), 'nested', 'tables');
    const result = await runCli(['analyze', THREADS, RECURSION, '--parquet', dir, '--label', 'commit=abc123']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, `pyflame: wrote ${dir} (${TABLE_FILES.length} Parquet tables, 2 runs)\n`);
    assert.match(result.stdout, /threads\.pyflame\.txt/);
    assert.deepEqual(readdirSync(dir).sort(), TABLE_FILES);
  });

  it('takes --label before the traces too, one value each', async () => {
    const dir = join(scratchDir('parquet-cli'), 'tables');
    const result = await runCli(['analyze', '--parquet', dir, '--label', 'a=1', '--label', 'b=x=y', THREADS]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, `pyflame: wrote ${dir} (${TABLE_FILES.length} Parquet tables, 1 run)\n`);
  });

  it('gives the same bytes for the same command', async () => {
    const scratch = scratchDir('parquet-cli');
    for (const dir of ['a', 'b'])
      assert.equal((await runCli(['analyze', THREADS, '--parquet', join(scratch, dir), '--label', 'k=v'])).code, 0);
    for (const file of TABLE_FILES)
      assert.ok(readFileSync(join(scratch, 'a', file)).equals(readFileSync(join(scratch, 'b', file))), file);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['a label without =', ['--parquet', 'DIR', '--label', 'commit'], /--label commit: expected key=value/],
    ['a label with an empty key', ['--parquet', 'DIR', '--label', '=x'], /--label =x: expected key=value/],
    ['a label key with a space', ['--parquet', 'DIR', '--label', 'my key=x'], /expected key=value/],
    [
      'the same key twice',
      ['--parquet', 'DIR', '--label', 'a=1', '--label', 'a=2'],
      /--label a is given more than once/,
    ],
    ['a label without --parquet', ['--label', 'a=1'], /--label .*give --parquet DIR with it/],
    ['--parquet -', ['--parquet', '-'], /--parquet takes a folder/],
  ];
  for (const [what, flags, message] of usage) {
    it(`refuses ${what}: usage error, exit 2, nothing written`, async () => {
      const dir = join(scratchDir('parquet-cli'), 'tables');
      const result = await runCli(['analyze', THREADS, ...flags.map((flag) => (flag === 'DIR' ? dir : flag))]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Run pyflame --help for usage\.\n$/);
      assert.equal(result.stdout, '');
      assert.equal(existsSync(dir), false);
    });
  }

  it('refuses a DIR that is a file, or under a file, before reading any trace (exit 2)', async () => {
    const scratch = scratchDir('parquet-cli');
    const file = join(scratch, 'plain-file');
    writeFileSync(file, 'not a folder');
    const isFile = await runCli(['analyze', THREADS, '--parquet', file]);
    assert.equal(isFile.code, 2);
    assert.equal(
      isFile.stderr,
      `pyflame: error: --parquet ${file} is a file; give a folder (the tables are one file each)\n`,
    );
    assert.equal(isFile.stdout, '');
    const under = await runCli(['analyze', THREADS, '--parquet', join(file, 'tables')]);
    assert.equal(under.code, 2);
    assert.equal(
      under.stderr,
      `pyflame: error: --parquet ${join(file, 'tables')}: a part of this path is a file, not a folder\n`,
    );
    assert.equal(readFileSync(file, 'utf8'), 'not a folder');
  });

  it('writes no table when a trace cannot be read', async () => {
    const dir = join(scratchDir('parquet-cli'), 'tables');
    const result = await runCli(['analyze', THREADS, join(FIXTURES, 'damage/empty.txt'), '--parquet', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /empty trace/);
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);
  });
});

describe('pyflame convert --to parquet (the real binary)', () => {
  it('writes the event log to -o FILE and leaves nothing else', async () => {
    const dir = scratchDir('parquet-cli');
    const out = join(dir, 'log.parquet');
    const result = await runCli([
      'convert',
      join(FIXTURES, 'formats/pyflame/all-probes.txt'),
      '--to',
      'parquet',
      '-o',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `pyflame: wrote 16 events to ${out}\n`);
    assert.deepEqual(readdirSync(dir), ['log.parquet']);
    assert.equal(readFileSync(out).subarray(0, 4).toString(), 'PAR1');
  });

  it('refuses stdout: a usage error, exit 2', async () => {
    for (const flags of [[], ['-o', '-']]) {
      const result = await runCli(['convert', THREADS, '--to', 'parquet', ...flags]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--to parquet writes a file: give it -o FILE/);
      assert.equal(result.stdout, '');
    }
  });

  it('refuses a device or pipe as -o (renaming over /dev/null would replace it): exit 2', async () => {
    const result = await runCli(['convert', THREADS, '--to', 'parquet', '-o', '/dev/null']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'pyflame: error: /dev/null: Parquet is written to a regular file, not a character device\n',
    );
    assert.ok(statSync('/dev/null').isCharacterDevice());
  });

  it('leaves no file behind when the trace cannot be read', async () => {
    const dir = scratchDir('parquet-cli');
    const result = await runCli([
      'convert',
      join(FIXTURES, 'damage/empty.txt'),
      '--to',
      'parquet',
      '-o',
      join(dir, 'x.parquet'),
    ]);
    assert.equal(result.code, 2);
    assert.deepEqual(readdirSync(dir), []);
  });
});
