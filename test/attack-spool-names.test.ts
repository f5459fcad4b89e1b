import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spoolToText } from '../src/parse/spool/spool-text.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { ENTRY, RETURN, SpoolWriter, THREAD, tag } from './helpers/spool-writer.js';

/**
 * Hostile names through the spool: test/fixtures/spool/programs/names.py runs code whose file name
 * holds a tab, a newline, `<script>` and bytes that are not UTF-8 (os.fsdecode's surrogateescape),
 * and functions whose names hold a tab, a newline and such bytes. The decoded text keeps the
 * bytes (a newline or CR is written `\n` / `\r`, a tab in a function name `\t`: they would split
 * the line or the fields) and the text parser reads file and function back.
 */

const RECORDER = join(ROOT, 'recorder/pyflame_recorder.py');
const PROGRAM = join(FIXTURES, 'spool/programs/names.py');
const scratch = scratchDir('spool-names');
const PYTHONS = ['3.12.1', '3.8.18'].map((version) => `/root/.pyenv/versions/${version}/bin/python3`);

const HOSTILE_FILE = Buffer.concat([
  Buffer.from('/tmp/we\tird\\nna<script>alert(1)</script>me', 'latin1'),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('.py'),
]);
const HOSTILE_NAME = Buffer.concat([Buffer.from('tab\\there\\nnl<b>'), Buffer.from([0xff])]);
/** As the text parser reads them: each byte that is not UTF-8 becomes U+FFFD (with a warning). */
const READ_FILE = '/tmp/we\tird\\nna<script>alert(1)</script>me\ufffd\ufffd.py';
const READ_NAME = 'tab\\there\\nnl<b>\ufffd';

function line(...fields: (string | Buffer)[]): Buffer {
  return Buffer.concat(fields.flatMap((field, i) => [Buffer.from(i === 0 ? '' : '\t'), Buffer.from(field)]));
}

describe('hostile names recorded, decoded and read back', () => {
  for (const python of PYTHONS) {
    const skip = existsSync(python) ? false : `${python} is not installed`;
    let recorded: string | undefined;
    const spool = () => {
      if (recorded !== undefined) return recorded;
      const path = join(scratch, `${python.replace(/\W+/g, '-')}.spool`);
      const result = spawnSync(python, [RECORDER, '-o', path, '--', PROGRAM], { cwd: scratch, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      recorded = path;
      return path;
    };

    test(`${python}: the decoded text keeps the names' bytes`, { skip }, () => {
      const { text, end } = spoolToText(readFileSync(spool()), 'names.spool');
      assert.equal(end.complete, true);
      // 3.8-3.11: an event after C calls ends with their count, `u=N` (issue 13): not the names'.
      const bytes = Buffer.from(text.replace(/\tu=\d+\n/g, '\n'), 'latin1');
      assert.ok(bytes.includes(line('function__entry', HOSTILE_FILE, 'hostile', '1\n')));
      assert.ok(bytes.includes(line('function__return', HOSTILE_FILE, 'hostile', '2\n')));
      assert.ok(bytes.includes(line('function__entry', PROGRAM, HOSTILE_NAME, '11\n')));
      assert.ok(bytes.includes(line('function__entry', '\tlead and trail\t', 'edge', '1\n')));
      assert.ok(bytes.includes(line('function__entry', '', 'edge', '1\n')));
      assert.ok(bytes.includes(line('function__entry', 'cr\\rhere.py', 'edge', '1\n')));
      assert.ok(bytes.includes(line('function__entry', PROGRAM, '', '24\n')));
      // One line per event: no name split a line.
      for (const eventLine of text.split('\n').filter((l) => l !== '' && !l.startsWith('#')))
        assert.match(
          eventLine,
          /^\d+\t\d+\t\d+\t(function__entry|function__return|thread-name|gc__start|gc__done|import__find__load__(start|done))\t/,
        );
    });

    test(`${python}: analyze reads every file and function back`, { skip }, async () => {
      const result = await runCli(['analyze', spool(), '--json', '-']);
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as {
        functions: { name: string; file: string; line: number; calls: number }[];
        warnings: { code: string; count: number }[];
      };
      const found = (name: string, file: string, firstLine: number) =>
        json.functions.some((f) => f.name === name && f.file === file && f.line === firstLine && f.calls === 1);
      assert.ok(found('hostile', READ_FILE, 1), 'hostile');
      assert.ok(found('<module>', READ_FILE, 1), 'its module');
      assert.ok(found(READ_NAME, PROGRAM, 11), 'a function name with a tab, a newline and a byte not UTF-8');
      assert.ok(found('edge', '\tlead and trail\t', 1), 'a file name with a leading and a trailing tab');
      assert.ok(found('edge', '', 1), 'an empty file name');
      assert.ok(found('edge', 'cr\\rhere.py', 1), 'a CR in a file name');
      assert.ok(found('', PROGRAM, 24), 'an empty function name');
      assert.deepEqual(
        json.warnings.map((w) => w.code),
        ['invalid-utf8'],
      );
    });

    test(`${python}: the HTML report and SVG escape the names`, { skip }, async () => {
      const html = join(scratch, `${python.replace(/\W+/g, '-')}.html`);
      const svg = join(scratch, `${python.replace(/\W+/g, '-')}.svg`);
      const result = await runCli(['analyze', spool(), '--html', html, '--svg', svg]);
      assert.equal(result.code, 0, result.stderr);
      for (const path of [html, svg]) {
        const document = readFileSync(path, 'utf8');
        assert.ok(!document.includes('<script>alert(1)'), path);
        assert.ok(!document.includes('<b>'), path);
      }
    });
  }

  test('a crafted spool: names with every byte but tab and newline survive decoding as bytes', () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 9 && b !== 10 && b !== 13));
    const definitions = Buffer.concat([
      Buffer.from('S\t1\tMainThread\nC\t1\t'),
      every,
      Buffer.from('\tfn\t1\nC\t2\t/a.py\t'),
      every,
      Buffer.from('\t5\n'),
    ]);
    const writer = new SpoolWriter({ returns: 'line' })
      .define(definitions)
      .events([1, tag(1, THREAD), 7, 70], [2, tag(1, ENTRY), 7], [3, tag(2, ENTRY), 7], [4, tag(2, RETURN), 7, 6])
      .events([5, tag(1, RETURN), 7, 2])
      .end();
    const text = Buffer.from(spoolToText(writer.bytes(), 'crafted.spool').text, 'latin1');
    assert.ok(text.includes(line('function__entry', every, 'fn', '1\n')));
    assert.ok(text.includes(line('function__entry', '/a.py', every, '5\n')));
    assert.ok(text.includes(line('function__return', '/a.py', every, '6\n')));
  });
});
