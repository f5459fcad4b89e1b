import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * `pyflame record --follow-children`: Python subprocesses (multiprocessing's fork, spawn and
 * forkserver pools, subprocess.run) record themselves into the same trace, for real, on an old and
 * a new CPython; Pythons that cannot be recorded (2.7, 3.7) run as without the recorder; a hidden
 * sitecustomize (Debian's) still runs. Plus --lines and --audit through `pyflame record`.
 */

const PROGRAMS = join(FIXTURES, 'inprocess/programs');
const PY27 = '/root/.pyenv/versions/2.7.18/bin/python';
const PY37 = '/root/.pyenv/versions/3.7.16/bin/python3';
const DEBIAN = '/usr/bin/python3.11';
const PYTHONS = ['3.8.18', '3.12.1'].map((v) => `/root/.pyenv/versions/${v}/bin/python3`);

interface Line {
  readonly pid: string;
  readonly tid: string;
  readonly probe: string;
  readonly args: string[];
}

function events(trace: string): Line[] {
  return readFileSync(trace, 'latin1')
    .split('\n')
    .filter((line) => /^\d/.test(line))
    .map((line) => {
      const [, pid, tid, probe, ...args] = line.split('\t');
      return { pid: pid!, tid: tid!, probe: probe!, args };
    });
}

for (const python of PYTHONS) {
  describe(`record --follow-children on ${python}`, {
    skip: existsSync(python) ? false : `${python} is not installed on this machine`,
  }, () => {
    test('fork, spawn and forkserver pools and subprocess.run: every Python process in one complete trace, the program unchanged', async () => {
      const dir = scratchDir('follow');
      const others = [PY27, PY37, DEBIAN].filter((other) => existsSync(other));
      const plain = spawnSync(python, ['children.py', ...others], { cwd: PROGRAMS, encoding: 'utf8' });
      assert.equal(plain.status, 0, plain.stderr);
      const trace = join(dir, 'children.txt');
      const result = await runCli(
        ['record', '--follow-children', '-o', trace, '--', python, 'children.py', ...others],
        // A recorder stuck in a child (a lock held across a fork) fails here instead of stalling CI.
        { cwd: PROGRAMS, timeoutMs: 120_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      // Same output, except that a Python that cannot be recorded sees the recorder's sitecustomize
      // as its own (it does nothing there).
      const ours = join(PROGRAMS, '../../../../recorder/follow/sitecustomize.py');
      assert.equal(result.stdout.replaceAll(/ \S*recorder\/follow\/sitecustomize\.py/g, ' None'), plain.stdout);
      assert.ok(existsSync(ours));
      assert.match(result.stdout, /^subprocess \[\]$/m, "the follow folder is not in the children's sys.path");
      if (others.includes(DEBIAN))
        assert.match(
          result.stdout,
          /^other 0 3 \/usr\/lib\/python3\.11\/sitecustomize\.py ?$/m,
          "Debian's sitecustomize ran",
        );
      const text = readFileSync(trace, 'latin1');
      const processes = Number(/^# pyflame-end result=complete .* processes=(\d+)$/m.exec(text)?.[1]);
      const pids = new Set(events(trace).map((event) => event.pid));
      assert.equal(pids.size, processes, 'every process in the end line has events');
      // program, 2 fork workers, 2 spawn workers, the forkserver and its 2 workers, subprocess.run,
      // and the recordable other Pythons (not 2.7 or 3.7); spawn may add a resource tracker.
      const expected = 1 + 2 + 2 + 3 + 1 + (others.includes(DEBIAN) ? 1 : 0);
      assert.ok(processes >= expected && processes <= expected + 2, `${processes} processes`);
      const children = [...text.matchAll(/^# pyflame-process pid=(\d+) ppid=(\d+) /gm)];
      assert.equal(children.length, processes - 1);
      const main = /^# pyflame-trace v1 .* pid=(\d+)$/m.exec(text)![1]!;
      for (const [, pid, ppid] of children) assert.ok(pids.has(pid!) && pid !== main && ppid !== pid);
      // Every square() call, in the workers: 20 per pool.
      const squares = events(trace).filter(
        (event) =>
          event.probe === 'function__entry' && event.args[1] === 'square' && event.args[0]!.endsWith('children.py'),
      );
      assert.equal(squares.length, 60);
      assert.ok(squares.every((event) => event.pid !== main));
      // A worker's main thread is its own (a forked child has its own tid, not the parent's).
      for (const event of events(trace).filter((e) => e.probe === 'thread-name' && e.args[0] === 'MainThread'))
        assert.equal(event.tid, event.pid);
      // The subprocess's -c code ran json.dumps, in a process of its own.
      assert.ok(
        events(trace).some((e) => e.probe === 'function__entry' && e.args[1] === 'dumps' && e.pid !== main),
        'json.dumps in the subprocess',
      );
      assert.deepEqual(readdirSync(dir), ['children.txt'], 'no spool left behind');
      const analysis = await analyzeTrace(trace);
      assert.equal(new Set(analysis.threads.map((thread) => thread.pid)).size, processes);
      // Before 3.9 a script's code has the file name as given (fork workers: children.py), a
      // spawned worker's the absolute path: square() may be two functions of the analysis.
      const squareCalls = analysis.functions.filter((f) => f.name === 'square').reduce((sum, f) => sum + f.calls, 0);
      assert.equal(squareCalls, 60);
    });
  });
}

describe('record --lines and --audit, in-process', () => {
  const python = PYTHONS[1]!;
  test('line events of every executed line, audit events when asked; analyze --lines reads them', {
    skip: existsSync(python) ? false : `${python} is not installed`,
  }, async () => {
    const dir = scratchDir('inprocess-lines');
    const trace = join(dir, 'calls.txt');
    const result = await runCli(['record', '--lines', '--audit', '-o', trace, '--', python, 'calls.py'], {
      cwd: PROGRAMS,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /in-process: CPython 3\.12, sys\.monitoring \(calls\), gc\.callbacks, imports, lines, audit events$/m,
    );
    assert.doesNotMatch(result.stderr, /not supported/);
    const lines = events(trace).filter((e) => e.probe === 'line' && e.args[0]!.endsWith('calls.py'));
    assert.ok(lines.length > 500, `${lines.length} line events`);
    const audit = new Set(
      events(trace)
        .filter((e) => e.probe === 'audit')
        .map((e) => e.args[0]),
    );
    assert.ok(audit.has('exec') || audit.has('open'), [...audit].join(' '));
    const report = await runCli(['analyze', trace, '--lines'], { cwd: dir });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /Hottest lines by self time/);
    assert.match(report.stdout, /calls\.py:\d+/);
  });

  test("3.8-3.11: the same line events as 3.12 for the same program (sys.settrace), and no audit event of the recorder's own frame.f_code reads", {
    skip: existsSync('/root/.pyenv/versions/3.11.7/bin/python3') ? false : '3.11.7 is not installed',
  }, async () => {
    const dir = scratchDir('inprocess-lines-311');
    const counts = async (python: string, name: string) => {
      const trace = join(dir, name);
      const result = await runCli(['record', '--lines', '--audit', '-o', trace, '--', python, 'calls.py'], {
        cwd: PROGRAMS,
      });
      assert.equal(result.code, 0, result.stderr);
      const all = events(trace);
      assert.ok(!all.some((e) => e.probe === 'audit' && e.args[0] === 'object.__getattr__'), 'no f_code audit events');
      const byLine = new Map<string, number>();
      // Named functions: comprehensions are functions of their own up to 3.11, inlined from 3.12.
      for (const e of all.filter(
        (e) => e.probe === 'line' && e.args[0]!.endsWith('calls.py') && !e.args[1]!.startsWith('<'),
      )) {
        const key = `${e.args[1]}:${e.args[2]}`;
        byLine.set(key, (byLine.get(key) ?? 0) + 1);
      }
      return byLine;
    };
    const old = await counts('/root/.pyenv/versions/3.11.7/bin/python3', 'old.txt');
    const recent = await counts(python, 'new.txt');
    assert.ok(old.size > 20, `${old.size} lines`);
    assert.deepEqual(Object.fromEntries([...old].sort()), Object.fromEntries([...recent].sort()));
  });

  test('--follow-children is refused with the markers and with --pid (exit 2)', async () => {
    const markers = await runCli(['record', '--via', 'markers', '--follow-children', '--', python, 'calls.py'], {
      cwd: PROGRAMS,
    });
    assert.equal(markers.code, 2);
    assert.match(markers.stderr, /--follow-children is the in-process recorder's/);
    const pid = await runCli(['record', '--follow-children', '--pid', '1']);
    assert.equal(pid.code, 2);
  });
});
