import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { spoolToText } from '../src/internal.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * Real spools of the in-process recorder (test/fixtures/spool/README.md says how each was
 * recorded): their decoded text is a golden, and analyzing a spool gives what analyzing its
 * decoded text gives.
 */

const SPOOLS = join(FIXTURES, 'spool');
const RECORDER = join(ROOT, 'recorder/pyflame_recorder.py');
const CALLS = join(FIXTURES, 'inprocess/programs/calls.py');
const scratch = scratchDir('spool-fixtures');

export const SPOOL_FIXTURES = [
  'calls-3.12.spool',
  'calls-3.8.spool',
  'calls-lines-audit-3.11.spool',
  'flushes-3.12.spool',
] as const;

/** The decoded text's bytes (names are bytes: a latin1 string) as the golden's UTF-8 text. */
function decoded(name: string): string {
  return spoolToText(readFileSync(join(SPOOLS, name)), name).text;
}

async function analyzeJson(path: string): Promise<Record<string, unknown>> {
  const result = await runCli(['analyze', path, '--json', '-']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('real spools of the in-process recorder', () => {
  for (const name of SPOOL_FIXTURES) {
    test(`${name}: decoded text is the golden`, () => {
      const text = decoded(name);
      assertGolden(`spool/${name.replace(/\.spool$/, '.txt')}`, Buffer.from(text, 'latin1').toString('utf8'));
    });

    test(`${name}: decodes complete, with the header's fields`, () => {
      const { text, end } = spoolToText(readFileSync(join(SPOOLS, name)), name);
      assert.equal(end.how, 'exit');
      assert.match(
        text,
        /^# pyflame-trace v1 clock=monotonic_ns recorder=inprocess python=\S+ version=3\.\d+\.\d+ pid=\d+\n/,
      );
      assert.match(text, /\n# pyflame-end result=complete events=\d+ lost=0 recorder=inprocess end=exit\n$/);
      assert.equal(Number(/events=(\d+)/.exec(text.slice(text.lastIndexOf('# pyflame-end')))?.[1]), end.events);
    });

    test(`${name}: analyze of the spool equals analyze of its decoded text`, async () => {
      const textPath = join(scratch, `${name}.txt`);
      writeFileSync(textPath, decoded(name), 'latin1');
      const fromSpool = await analyzeJson(join(SPOOLS, name));
      const fromText = await analyzeJson(textPath);
      const spoolWarnings = fromSpool.warnings as { code: string }[];
      const textWarnings = fromText.warnings as { code: string }[];
      // The spool's own damage is warned of only where the spool is read.
      assert.deepEqual(
        textWarnings,
        spoolWarnings.filter((warning) => !warning.code.startsWith('spool-')),
      );
      for (const json of [fromSpool, fromText]) {
        delete (json.source as { path?: string }).path;
        delete json.warnings;
      }
      assert.deepEqual(fromSpool, fromText);
      assert.ok((fromSpool.functions as unknown[]).length > 5);
    });
  }

  test('calls-3.12.spool gzipped, and on stdin: the same analysis as the file', async () => {
    const path = join(SPOOLS, 'calls-3.12.spool');
    const gzipped = join(scratch, 'calls-3.12.spool.gz');
    writeFileSync(gzipped, gzipSync(readFileSync(path)));
    const stdin = await runCli(['analyze', '-', '--json', '-'], { stdin: readFileSync(path) });
    assert.equal(stdin.code, 0, stdin.stderr);
    const results = [await analyzeJson(path), await analyzeJson(gzipped), JSON.parse(stdin.stdout)];
    for (const json of results) delete (json.source as { path?: string }).path;
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[2], results[0]);
  });

  test('calls-3.12.spool (returns by offset) and calls-3.8.spool (by line): the same program, the same calls', async () => {
    const counts = async (name: string) => {
      const json = await analyzeJson(join(SPOOLS, name));
      const calls = new Map<string, number>();
      for (const f of json.functions as { name: string; file: string; calls: number }[])
        if (f.file.endsWith('/calls.py') || f.file === 'calls.py') calls.set(f.name, f.calls);
      return calls;
    };
    const modern = await counts('calls-3.12.spool');
    const old = await counts('calls-3.8.spool');
    for (const name of ['fib', 'countdown', 'catcher', 'fail', 'child', 'parent', 'worker', '__init__', 'angles'])
      assert.ok(modern.has(name) && old.has(name), `${name} in both`);
    assert.equal(modern.get('fib'), old.get('fib'));
    assert.equal(modern.get('fail'), old.get('fail'));
  });

  // --audit leaves out the recorder's own audit events (every id(code) in a hook is a builtins.id
  // event; flush's array() an array.__new__; its own sys.settrace/sys.setprofile; on 3.12+
  // note_new_thread's sys._getframe and frame reads), so a new thread's first audit events do not
  // come before its thread-name event (which would be a spool-unnamed-thread warning).
  for (const version of ['3.11.7', '3.12.1']) {
    const python = `/root/.pyenv/versions/${version}/bin/python3`;
    test(`${version} --audit: no audit events of the recorder itself, every thread named`, {
      skip: existsSync(python) ? false : `${python} is not installed`,
    }, async () => {
      const spool = join(scratch, `audit-${version}.spool`);
      const result = spawnSync(python, [RECORDER, '-o', spool, '--audit', '--', CALLS], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const json = await analyzeJson(spool);
      const events = (json.audit as { event: string }[]).map((row) => row.event);
      const own = [
        'builtins.id',
        'array.__new__',
        'sys.settrace',
        'sys.setprofile',
        'sys._getframe',
        'object.__getattr__',
      ];
      assert.deepEqual(
        events.filter((event) => own.includes(event)),
        [],
      );
      assert.deepEqual(json.warnings, []);
    });
  }
});
