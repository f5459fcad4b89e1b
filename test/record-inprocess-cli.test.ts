import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { markersUnusable } from '../src/record/choose-way.js';
import { splitPythonCommand } from '../src/record/python-command.js';
import { RecordError } from '../src/record/record-error.js';
import { fn } from './helpers/analysis.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * `pyflame record --via inprocess` and the automatic choice, for real: pyenv's CPython 3.13 (no
 * markers, like most Pythons users have) records without bpftrace or root.
 */

const PY313 = '/root/.pyenv/versions/3.13.0/bin/python3';
const PY37 = '/root/.pyenv/versions/3.7.16/bin/python3';
const skip = existsSync(PY313) ? false : `${PY313} is not installed on this machine`;

const FIB =
  'import sys\n\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfib(10)\nprint(sys.argv[1:])\n';

function lastLines(path: string, count: number): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-count);
}

test('record --via inprocess -- python script args: the program runs with its arguments, out/<script>.pyflame.txt is complete and analyzable', {
  skip,
}, async () => {
  const dir = scratchDir('inprocess-cli');
  writeFileSync(join(dir, 'fib.py'), FIB);
  const result = await runCli(['record', '--via', 'inprocess', '--', PY313, 'fib.py', 'a', 'b c'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "['a', 'b c']\n", 'arguments with spaces pass unchanged');
  assert.match(
    result.stderr,
    /^pyflame: recording \S+ in-process: CPython 3\.13, sys\.monitoring \(calls\), gc\.callbacks, imports$/m,
  );
  assert.match(result.stderr, /^pyflame: wrote out\/fib\.pyflame\.txt: \d+ events \(the program ended\)$/m);
  const trace = join(dir, 'out/fib.pyflame.txt');
  const [exit, end] = lastLines(trace, 2);
  assert.match(exit!, /^# pyflame-exit pid=\d+ wait-status=0$/);
  assert.match(end!, /^# pyflame-end result=complete events=\d+ lost=0 recorder=inprocess end=exit$/);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['fib.pyflame.txt'], 'no temporary file left');
  const analysis = await analyzeTrace(trace);
  assert.equal(fn(analysis, 'fib').calls, 177);
  assert.deepEqual(analysis.warnings, []);
});

test('record picks in-process by itself when the markers cannot record calls, and says why', { skip }, async () => {
  const dir = scratchDir('inprocess-auto');
  const why = markersUnusable([PY313]);
  assert.ok(why !== undefined, 'pyenv 3.13 has no function markers (or this is not root, or there is no bpftrace)');
  const result = await runCli(['record', '-o', 'cal.txt', '--', PY313, '-m', 'calendar', '2026'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /2026/);
  assert.match(
    result.stderr,
    /^pyflame: recording in-process \(a recorder inside the program\), not with bpftrace and the markers: .+$/m,
  );
  const analysis = await analyzeTrace(join(dir, 'cal.txt'));
  assert.ok(
    analysis.functions.some((f) => f.name === 'formatyear'),
    'calendar.formatyear was called',
  );
});

test("record --via inprocess: the program's exit status is reported (exit 3); a program killed by SIGKILL leaves a kept, labelled incomplete trace (exit 4)", {
  skip,
}, async () => {
  const dir = scratchDir('inprocess-status');
  writeFileSync(join(dir, 'three.py'), 'import sys\nsys.exit(3)\n');
  writeFileSync(
    join(dir, 'killed.py'),
    'import os, signal\n\ndef f():\n    os.kill(os.getpid(), signal.SIGKILL)\n\nf()\n',
  );
  const three = await runCli(['record', '--via', 'inprocess', '-o', 'three.txt', '--', PY313, 'three.py'], {
    cwd: dir,
  });
  assert.equal(three.code, 3, three.stderr);
  assert.match(three.stderr, /^pyflame: the program exited with status 3$/m);
  assert.match(
    lastLines(join(dir, 'three.txt'), 2).join('\n'),
    /^# pyflame-exit pid=\d+ wait-status=768\n# pyflame-end result=complete /,
  );
  const killed = await runCli(['record', '--via', 'inprocess', '-o', 'killed.txt', '--', PY313, 'killed.py'], {
    cwd: dir,
  });
  assert.equal(killed.code, 4, killed.stderr);
  assert.match(
    killed.stderr,
    /^pyflame: warning: recording incomplete: the recorder inside the program did not finish the trace/m,
  );
  assert.match(killed.stderr, /^pyflame: the program was killed by SIGKILL \(signal 9\)$/m);
  assert.match(
    lastLines(join(dir, 'killed.txt'), 1)[0]!,
    /^# pyflame-end result=incomplete events=\d+ lost=unknown recorder=inprocess reason=no-end-chunk$/,
  );
});

test('record --via inprocess errors: exit 2 before anything runs, nothing written', { skip }, async () => {
  const dir = scratchDir('inprocess-errors');
  writeFileSync(join(dir, 'p.py'), 'pass\n');
  const cases: [string[], RegExp][] = [
    [['--', PY313, 'missing.py'], /^pyflame: error: missing\.py: no such file/],
    [
      ['--', PY313, '-c', 'pass'],
      /^pyflame: error: the in-process recorder runs a script or -m module; -c code cannot be recorded this way/,
    ],
    [['--', '/bin/true', 'p.py'], /^pyflame: error: \/bin\/true did not answer as a Python interpreter/],
    [['-o', 'p.py', '--', PY313, 'p.py'], /^pyflame: error: .*p\.py/],
  ];
  if (existsSync(PY37))
    cases.push([
      ['--', PY37, 'p.py'],
      /^pyflame: error: \S+ is CPython 3\.7; the in-process recorder needs CPython 3\.8 or later/,
    ]);
  for (const [args, message] of cases) {
    const result = await runCli(['record', '--via', 'inprocess', ...args], { cwd: dir });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const pid = await runCli(['record', '--via', 'inprocess', '--pid', '1']);
  assert.equal(pid.code, 2);
  assert.match(pid.stderr, /--pid attaches with bpftrace and the markers/);
  assert.deepEqual(readdirSync(dir), ['p.py'], 'nothing written');
  assert.equal(readFileSync(join(dir, 'p.py'), 'utf8'), 'pass\n');
});

test('splitPythonCommand: interpreter options stay before the recorder; -m, -mmod, -X value; -c and no program refused', () => {
  assert.deepEqual(splitPythonCommand(['py', '-X', 'importtime', '-u', 's.py', '-x']), {
    interpreter: 'py',
    options: ['-X', 'importtime', '-u'],
    program: ['s.py', '-x'],
  });
  assert.deepEqual(splitPythonCommand(['py', '-O', '-m', 'http.server', '8000']), {
    interpreter: 'py',
    options: ['-O'],
    program: ['-m', 'http.server', '8000'],
  });
  assert.deepEqual(splitPythonCommand(['py', '-mjson.tool', 'a']), {
    interpreter: 'py',
    options: [],
    program: ['-m', 'json.tool', 'a'],
  });
  assert.throws(() => splitPythonCommand(['py', '-c', 'pass']), RecordError);
  assert.throws(() => splitPythonCommand(['py', '-u']), RecordError);
  assert.throws(() => splitPythonCommand([]), RecordError);
});
