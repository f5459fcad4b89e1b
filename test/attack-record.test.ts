import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import type { StapsdtNote } from '../src/record/elf-notes.js';
import { decodeWaitStatus, finishTrace } from '../src/record/finish-trace.js';
import { findBpftrace } from '../src/record/preflight.js';
import { chooseProbeSet, exitProbe } from '../src/record/probe-set.js';
import { checkScript, runs } from '../src/record/record.js';
import { RecordError } from '../src/record/record-error.js';
import { codes } from './helpers/analysis.js';
import { CLI, ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { markerRecordingSkipReason } from './helpers/record-skip.js';

/** The calibration (issue 13, seconds) is not what these tests are about: attack-calibration*.test.ts. */
const NO_CALIBRATION = { ...process.env, PYFLAME_CALIBRATE: '0' };

/**
 * What an attack on `pyflame record` found (issue 10): events lost without a word, a full disk
 * reported as success, SIGHUP leaving orphans and no trace, a missing script recorded, the
 * program's failure never reported, terminal escapes in the `wrote` line. The first tests need
 * nothing; the rest record for real (root, bpftrace, Debian's python3.11 with markers).
 */

const PY = '/usr/bin/python3.11';
const scratch = scratchDir('attack-record');

const skipReason = markerRecordingSkipReason;
const skip = skipReason();
/** The exit status comes from the kernel's task struct, which bpftrace reads through BTF. */
const skipNoBtf =
  skip ||
  (existsSync('/sys/kernel/btf/vmlinux') ? false : "the kernel has no BTF: the program's exit status cannot be read");

const EVENT = (ts: number, probe: string) => `${ts}\t7\t7\t${probe}\t/t/m.py\tf\t1`;

// --- The completeness check, on bpftrace outputs written here --------------------------------------

test('finishTrace: final counts that add up (lines + Lost) → the dump becomes "# pyflame-end result=complete"; the analysis reads it without a warning', async () => {
  const path = join(scratch, 'complete.txt');
  const lines = [
    '# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11',
    EVENT(1, 'function__entry'),
    'Lost 3 events',
    EVENT(5, 'function__return'),
    '# pyflame-exit pid=7 wait-status=768',
  ];
  writeFileSync(path, `${lines.join('\n')}\n@function__return: 3\n@function__entry: 2\n@line: 0\n@pyflame_exit: 1\n`);
  const end = await finishTrace(path);
  assert.deepEqual(
    { ...end, marker: undefined },
    {
      events: 2,
      lost: 3,
      fired: 5,
      missing: 0,
      complete: true,
      cutLine: false,
      exit: { pid: 7, status: 3 },
      marker: undefined,
    },
  );
  assert.equal(
    readFileSync(path, 'utf8'),
    `${lines.join('\n')}\n# pyflame-end result=complete events=2 lost=3 fired=5 missing=0\n`,
  );
  const analysis = await analyzeTrace(path);
  assert.equal(codes(analysis)['junk-line'], undefined);
  assert.equal(codes(analysis)['dropped-events'], 3);
});

test('finishTrace: fewer lines than the probes fired (bpftrace stopped before writing them) → incomplete, how many missing', async () => {
  const path = join(scratch, 'missing.txt');
  const events = Array.from({ length: 10 }, (_, i) =>
    EVENT(i + 1, i % 2 === 0 ? 'function__entry' : 'function__return'),
  );
  writeFileSync(path, `${events.join('\n')}\n@function__entry: 9\n@function__return: 7\n`);
  const end = await finishTrace(path);
  assert.equal(end.complete, false);
  assert.deepEqual([end.events, end.fired, end.missing], [10, 16, 6]);
  assert.equal(
    readFileSync(path, 'utf8').split('\n').at(-2),
    '# pyflame-end result=incomplete events=10 lost=0 fired=16 missing=6',
  );
});

test('finishTrace: no final counts (bpftrace killed, or its writes failed) and a last line cut short → incomplete, the cut line removed', async () => {
  const path = join(scratch, 'cut.txt');
  // A map-dump line in the middle is not the final dump: only the last block counts.
  writeFileSync(
    path,
    `${EVENT(1, 'function__entry')}\n@function__entry: 1\n${EVENT(2, 'function__entry')}\n3\t7\t7\tfunction__ret`,
  );
  const end = await finishTrace(path);
  assert.deepEqual(
    [end.complete, end.events, end.fired, end.missing, end.cutLine],
    [false, 2, undefined, undefined, true],
  );
  assert.equal(
    readFileSync(path, 'utf8'),
    `${EVENT(1, 'function__entry')}\n@function__entry: 1\n${EVENT(2, 'function__entry')}\n# pyflame-end result=incomplete events=2 lost=0 fired=unknown missing=unknown reason=no-final-counts cut-line=1\n`,
  );
});

test('wait statuses: exit code << 8, or the signal (0x80: core dumped)', () => {
  assert.deepEqual(decodeWaitStatus(5, 0), { pid: 5, status: 0 });
  assert.deepEqual(decodeWaitStatus(5, 3 << 8), { pid: 5, status: 3 });
  assert.deepEqual(decodeWaitStatus(5, 11), { pid: 5, signal: 11 });
  assert.deepEqual(decodeWaitStatus(5, 0x80 | 6), { pid: 5, signal: 6 });
});

test("a trace recorded by hand with probes/pyflame.bt ends with bpftrace's count dump: analyze reads it as such, not as junk", async () => {
  const path = join(scratch, 'by-hand.txt');
  writeFileSync(
    path,
    `# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11\n${EVENT(1, 'function__entry')}\n${EVENT(2, 'function__return')}\n\n\n@function__entry: 1\n@function__return: 1\n@line: 0\n`,
  );
  assert.deepEqual(codes(await analyzeTrace(path)), {});
  assert.deepEqual(codes(await analyzeTrace(path, { fastLines: false })), {});
  // Anything else starting with @ still is junk.
  writeFileSync(path, `${EVENT(1, 'function__entry')}\n${EVENT(2, 'function__return')}\n@evil[1]: x\n`);
  assert.equal(codes(await analyzeTrace(path))['junk-line'], 1);
});

test("the script of the command must exist (a module of -m is the interpreter's to find)", () => {
  assert.deepEqual(runs([PY, '-X', 'dev', '--check-hash-based-pycs', 'always', '-u', 'app.py', 'x']), {
    kind: 'script',
    name: 'app.py',
  });
  assert.deepEqual(runs([PY, '-m', 'calendar', '2026']), { kind: 'module', name: 'calendar' });
  assert.equal(runs([PY, '-c', 'pass', 'missing.py']), undefined);
  assert.doesNotThrow(() => checkScript([PY, '-m', 'no_such_module']));
  assert.doesNotThrow(() => checkScript([PY, 'complete.txt'], scratch));
  assert.throws(
    () => checkScript([PY, '-u', 'missing.py'], scratch),
    (error: unknown) =>
      error instanceof RecordError &&
      error.message === `missing.py: no such file (the script ${PY} would run, from ${scratch}); nothing was recorded`,
  );
});

test("the exit-status probe: the generated program's (-c: cpid; --pid: the pid) is the one probes/pyflame.bt and pyflame-gc-import-audit.bt end with", () => {
  const notes = ['function__entry', 'function__return', 'line'].map(
    (name): StapsdtNote => ({ provider: 'python', name, args: '', pc: 1n, base: 1n, semaphore: 1n }),
  );
  const squeeze = (text: string) => text.replace(/\s+/g, '');
  const block = squeeze(exitProbe('cpid'));
  assert.ok(squeeze(chooseProbeSet(notes, { major: 3, minor: 11 }, false, 'cpid').program).includes(block));
  assert.ok(
    squeeze(chooseProbeSet(notes, { major: 3, minor: 11 }, false, 4242).program).includes(squeeze(exitProbe(4242))),
  );
  assert.doesNotMatch(chooseProbeSet(notes, { major: 3, minor: 11 }, false).program, /sched_process_exit/);
  for (const script of ['probes/pyflame.bt', 'probes/pyflame-gc-import-audit.bt']) {
    const shipped = squeeze(readFileSync(join(ROOT, script), 'utf8').replace(/\/\*[\s\S]*?\*\//g, ''));
    assert.ok(shipped.endsWith(block), script);
  }
  // Every written event is counted, in both.
  assert.match(
    chooseProbeSet(notes, { major: 3, minor: 11 }, true).program,
    /usdt:\$1:python:line\n\{\n\t@line = count\(\);\n\tprintf/,
  );
});

// --- For real ----------------------------------------------------------------------------------------

/** The last line of a file. */
function lastLine(path: string): string {
  return readFileSync(path, 'utf8').trimEnd().split('\n').at(-1)!;
}

test('record python3.11 -m calendar 2026: the trace ends with "result=complete", its counts those of the wrote line', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-calendar');
  const output = join(dir, 'cal.txt');
  const result = await runCli(['record', '-o', output, '--', PY, '-m', 'calendar', '2026'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const events = Number(/^pyflame: wrote .*cal\.txt: (\d+) events \(the program ended\)$/m.exec(result.stderr)?.[1]);
  assert.ok(events > 10000, result.stderr);
  assert.equal(lastLine(output), `# pyflame-end result=complete events=${events} lost=0 fired=${events} missing=0`);
  assert.doesNotMatch(result.stderr, /incomplete|warning/);
  const analysis = await analyzeTrace(output);
  assert.equal(codes(analysis)['junk-line'], undefined);
  assert.deepEqual(readdirSync(dir), ['cal.txt']);
});

test('record: events bpftrace never wrote are found and reported, exit 4, the trace kept and labelled incomplete', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-undrained');
  // A bpftrace that loses the last 50 event lines without a "Lost" line, as the attack saw.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'bpftrace'),
    `#!/bin/sh\nout=""; prev=""\nfor a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done\n${findBpftrace()} "$@"; status=$?\n` +
      `grep -n '^[0-9]' "$out" | tail -n 50 | cut -d: -f1 | sed 's/$/d/' > "$out.sed"; sed -i -f "$out.sed" "$out"; rm -f "$out.sed"\nexit $status\n`,
  );
  chmodSync(join(bin, 'bpftrace'), 0o755);
  writeFileSync(join(dir, 'prog.py'), 'def f(i):\n    return i\n\nfor i in range(200):\n    f(i)\n');
  const output = join(dir, 'prog.txt');
  const result = await runCli(['record', '-o', output, '--', PY, 'prog.py'], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  assert.equal(result.code, 4, result.stderr);
  const end = /^# pyflame-end result=incomplete events=(\d+) lost=0 fired=(\d+) missing=50$/.exec(lastLine(output));
  assert.ok(end !== null, lastLine(output));
  assert.match(
    result.stderr,
    new RegExp(
      `^pyflame: warning: recording incomplete: 50 of ${end[2]} events missing \\(the probes fired ${end[2]} times; ${end[1]} were written, 0 reported lost\\): bpftrace stopped before writing them all\\. The trace is kept and its last line says "result=incomplete"; record again\\.$`,
      'm',
    ),
  );
});

test('record onto a full disk (a 200 KiB tmpfs): exit 2, says the file system is full, leaves nothing', {
  skip,
}, async (t) => {
  const mountPoint = join(scratchDir('attack-record-full'), 'small');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mounted.status !== 0) return t.skip(`cannot mount a tmpfs: ${mounted.stderr.trim()}`);
  t.after(() => spawnSync('umount', [mountPoint]));
  const output = join(mountPoint, 'cal.txt');
  const result = await runCli(['record', '-o', output, '--', PY, '-m', 'calendar', '2026'], { cwd: scratch });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^pyflame: error: ${output}: the file system is full\\b.*nothing was kept\\. Free some space, or record to another file system with -o$`,
      'm',
    ),
  );
  assert.doesNotMatch(result.stderr, /^pyflame: wrote/m);
  assert.deepEqual(readdirSync(mountPoint), []);
});

/** The children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits for a condition (not for a time), failing after 30 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const TICKER = (pidFile: string) => `import os, time
open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))

def tick(i):
    time.sleep(0.05)

for i in range(2000):
    tick(i)
`;

/** Starts `pyflame record` of a long ticker; resolves once events reach the temporary file. */
async function recordTicker(dir: string) {
  writeFileSync(join(dir, 'tick.py'), TICKER(join(dir, 'pid')));
  const output = join(dir, 'tick.txt');
  const pyflame = spawn(process.execPath, [CLI, 'record', '-o', output, '--', PY, 'tick.py'], {
    env: NO_CALIBRATION,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  pyflame.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    pyflame.on('close', (code, signal) => resolve({ code, signal })),
  );
  await until('events in the temporary file', () => {
    const temp = readdirSync(dir).find((name) => name.startsWith('.tick.txt.tmp-'));
    return temp !== undefined && /\ttick\t/.test(readFileSync(join(dir, temp), 'utf8'));
  });
  const bpftrace = childrenOf(pyflame.pid!);
  assert.equal(bpftrace.length, 1, "pyflame runs bpftrace (exec'd through sh and setpriv: the same pid)");
  const python = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  return { pyflame, exited, output, bpftrace: bpftrace[0], python, stderr: () => stderr };
}

test('record: SIGHUP (terminal closed) stops like Ctrl-C: exit 0, the trace kept complete and analyzable, bpftrace and the program gone', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-hup');
  const run = await recordTicker(dir);
  run.pyflame.kill('SIGHUP');
  const { code, signal } = await run.exited;
  assert.deepEqual([code, signal], [0, null], run.stderr());
  assert.match(run.stderr(), /^pyflame: wrote .*tick\.txt: \d+ events \(stopped by SIGHUP; kept what was recorded\)$/m);
  assert.match(lastLine(run.output), /^# pyflame-end result=complete events=(\d+) lost=0 fired=\1 missing=0$/);
  assert.deepEqual(
    readdirSync(dir).filter((name) => name.startsWith('.')),
    [],
    'no temporary file left',
  );
  const analysis = await analyzeTrace(run.output);
  assert.ok(analysis.functions.some((f) => f.name === 'tick'));
  assert.equal(codes(analysis)['junk-line'], undefined);
  assert.equal(alive(run.bpftrace), false, 'bpftrace ended');
  assert.equal(alive(run.python), false, 'the program ended');
});

test('record: Ctrl-C during a busy program keeps every event (bpftrace 0.17 threw away what it had not written when signalled)', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-busy-int');
  writeFileSync(join(dir, 'busy.py'), 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfib(32)\n');
  const output = join(dir, 'busy.txt');
  const pyflame = spawn(process.execPath, [CLI, 'record', '-o', output, '--', PY, 'busy.py'], {
    env: NO_CALIBRATION,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  pyflame.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => pyflame.on('close', (code) => resolve(code)));
  await until('fib events in the temporary file', () => {
    const temp = readdirSync(dir).find((name) => name.startsWith('.busy.txt.tmp-'));
    return temp !== undefined && /\tfib\t/.test(readFileSync(join(dir, temp), 'utf8'));
  });
  pyflame.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.match(
    stderr,
    /^pyflame: wrote .*busy\.txt: \d+ events \(stopped by interrupt; kept what was recorded\)\npyflame: the program was killed by SIGINT \(signal 2\)$/m,
  );
  assert.match(lastLine(output), /^# pyflame-end result=complete events=(\d+) lost=(\d+) fired=\d+ missing=0$/);
});

test('record: a program that survives Ctrl-C gets it twice; then pyflame warns, and the next one stops bpftrace (the trace kept)', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-stubborn');
  writeFileSync(
    join(dir, 'stubborn.py'),
    'import signal, sys, time\nsignal.signal(signal.SIGINT, lambda *_: print("got SIGINT", flush=True))\nprint("ready", flush=True)\nfor i in range(600):\n    time.sleep(0.05)\n',
  );
  const output = join(dir, 'stubborn.txt');
  const pyflame = spawn(process.execPath, [CLI, 'record', '-o', output, '--', PY, 'stubborn.py'], {
    env: NO_CALIBRATION,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  pyflame.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  pyflame.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => pyflame.on('close', (code) => resolve(code)));
  await until('the program to run', () => stdout.includes('ready'));
  for (const times of [1, 2]) {
    pyflame.kill('SIGINT');
    await until(`the program to get SIGINT ${times} times`, () => stdout.split('got SIGINT').length - 1 === times);
  }
  pyflame.kill('SIGINT');
  await until('the warning', () =>
    stderr.includes(
      'pyflame: the program has not stopped; SIGINT again stops bpftrace now, and the events it has not written yet will be missing\n',
    ),
  );
  pyflame.kill('SIGINT');
  const code = await exited;
  assert.ok(code === 0 || code === 4, stderr);
  assert.equal(stdout.split('got SIGINT').length - 1, 2, 'the third and fourth went to pyflame only');
  assert.match(
    stderr,
    /^pyflame: wrote .*stubborn\.txt: \d+ events \(stopped by interrupt; kept what was recorded\)$/m,
  );
  assert.match(lastLine(output), /^# pyflame-end result=/);
});

test("record --pid of a busy process, stopped by Ctrl-C: the label and the exit status say whether events are missing, and its counts are the file's", {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-pid-busy');
  writeFileSync(
    join(dir, 'loop.py'),
    'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint("ready", flush=True)\nwhile True:\n    fib(18)\n',
  );
  const target = spawn(PY, [join(dir, 'loop.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => target.stdout!.once('data', () => resolve()));
    const output = join(dir, 'loop.txt');
    const pyflame = spawn(process.execPath, [CLI, 'record', '-o', output, '--pid', String(target.pid)], {
      env: NO_CALIBRATION,
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    pyflame.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => pyflame.on('close', (code) => resolve(code)));
    await until('fib events in the temporary file', () => {
      const temp = readdirSync(dir).find((name) => name.startsWith('.loop.txt.tmp-'));
      return temp !== undefined && /\tfib\t/.test(readFileSync(join(dir, temp), 'utf8'));
    });
    pyflame.kill('SIGINT');
    const code = await exited;
    const text = readFileSync(output, 'utf8');
    const events = text.split('\n').filter((line) => /^\d/.test(line)).length;
    const lost = [...text.matchAll(/^Lost (\d+) events$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    const end = /^# pyflame-end result=(complete|incomplete) events=(\d+) lost=(\d+) fired=(\d+) missing=(\d+)$/.exec(
      lastLine(output),
    );
    assert.ok(end !== null, lastLine(output));
    assert.deepEqual([Number(end[2]), Number(end[3]), Number(end[4]) - Number(end[5])], [events, lost, events + lost]);
    if (end[1] === 'complete') assert.equal(code, 0, stderr);
    else {
      assert.equal(code, 4, stderr);
      assert.match(
        stderr,
        new RegExp(
          `^pyflame: warning: recording incomplete: ${end[5]} of ${end[4]} events missing .*when stopped, bpftrace 0\\.17 throws away what it has not written yet`,
          'm',
        ),
      );
    }
    assert.ok(alive(target.pid!), 'an attached process keeps running');
  } finally {
    target.kill();
  }
});

test('record in a terminal that is closed (script(1) killed: the kernel hangs up the session): the trace is kept complete, nothing left running', {
  skip: skip || (existsSync('/usr/bin/script') ? false : 'script (util-linux) is not installed'),
}, async () => {
  const dir = scratchDir('attack-record-hangup');
  writeFileSync(join(dir, 'tick.py'), TICKER(join(dir, 'pid')));
  const command = `exec ${process.execPath} ${CLI} record -o tick.txt -- ${PY} tick.py 2>err.txt`;
  const terminal = spawn('script', ['-qfc', command, '/dev/null'], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
  await until('events in the temporary file', () => {
    const temp = readdirSync(dir).find((name) => name.startsWith('.tick.txt.tmp-'));
    return temp !== undefined && /\ttick\t/.test(readFileSync(join(dir, temp), 'utf8'));
  });
  const python = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  terminal.kill('SIGKILL');
  // (pyflame's own exit status is not asserted: Node 20 may abort restoring a hung-up terminal.)
  await until(
    'the trace to be renamed into place',
    () => existsSync(join(dir, 'tick.txt')) && !readdirSync(dir).some((name) => name.startsWith('.tick')),
  );
  assert.match(
    readFileSync(join(dir, 'err.txt'), 'utf8'),
    /^pyflame: wrote tick\.txt: \d+ events \(stopped by SIGHUP; kept what was recorded\)$/m,
  );
  assert.match(
    lastLine(join(dir, 'tick.txt')),
    /^# pyflame-end result=complete events=(\d+) lost=0 fired=\1 missing=0$/,
  );
  await until('the program to end', () => !alive(python));
});

test('record: pyflame killed by SIGKILL: bpftrace is told to stop (setpriv --pdeathsig) and stops the program', {
  skip: skip || (existsSync('/usr/bin/setpriv') ? false : 'setpriv is not installed'),
}, async () => {
  const dir = scratchDir('attack-record-kill');
  const run = await recordTicker(dir);
  run.pyflame.kill('SIGKILL');
  assert.equal((await run.exited).signal, 'SIGKILL');
  await until('bpftrace and the program to end', () => !alive(run.bpftrace) && !alive(run.python));
});

test('record of a missing script: exit 2 before anything runs, nothing written', { skip }, async () => {
  const dir = scratchDir('attack-record-noscript');
  const result = await runCli(['record', '--', PY, 'missing.py'], { cwd: dir });
  assert.deepEqual(
    [result.code, result.stderr],
    [2, `pyflame: error: missing.py: no such file (the script ${PY} would run, from ${dir}); nothing was recorded\n`],
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('record reports how the program ended: "exited with status 3", "killed by SIGSEGV": exit 3, the trace complete', {
  skip: skipNoBtf,
}, async () => {
  const dir = scratchDir('attack-record-status');
  writeFileSync(join(dir, 'three.py'), 'import sys\nsys.exit(3)\n');
  writeFileSync(join(dir, 'crash.py'), 'import ctypes\nctypes.string_at(0)\n');
  const three = await runCli(['record', '-o', 'three.txt', '--', PY, 'three.py'], { cwd: dir });
  assert.equal(three.code, 3, three.stderr);
  assert.match(
    three.stderr,
    /^pyflame: wrote three\.txt: \d+ events \(the program ended\)\npyflame: the program exited with status 3\n/m,
  );
  assert.match(
    readFileSync(join(dir, 'three.txt'), 'utf8'),
    // The exiting thread's last switches of the CPU may come after the exit line.
    /^# pyflame-exit pid=\d+ wait-status=768\n(?:\d+\t\d+\t\d+\tsched-(?:out\t\d+(?:\tu=\d+)?|in)\n)*# pyflame-end result=complete /m,
  );
  const crash = await runCli(['record', '-o', 'crash.txt', '--', PY, 'crash.py'], { cwd: dir });
  assert.equal(crash.code, 3, crash.stderr);
  assert.match(crash.stderr, /^pyflame: the program was killed by SIGSEGV \(signal 11\)$/m);
  assert.match(lastLine(join(dir, 'crash.txt')), /result=complete/);
});

test('record: the output path in the wrote and next lines reaches the terminal escaped; a program that exits 0 gives exit 0', {
  skip,
}, async () => {
  const dir = scratchDir('attack-record-escape');
  writeFileSync(join(dir, 'fine.py'), 'pass\n');
  const result = await runCli(['record', '-o', 'evil\x1b]0;owned\x07.txt', '--', PY, 'fine.py'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /[\x1b\x07]/);
  assert.doesNotMatch(
    result.stderr,
    /the program (exited|was killed)/,
    'a program that succeeds: no word about its status',
  );
  assert.match(result.stderr, /^pyflame: wrote evil\\x1b\]0;owned\\x07\.txt: \d+ events/m);
  assert.ok(existsSync(join(dir, 'evil\x1b]0;owned\x07.txt')), 'the file has the name asked for');
});
