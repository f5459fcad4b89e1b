import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StapsdtNote } from '../src/record/elf-notes.js';
import {
  findPythonForCommand,
  findPythonForPid,
  mappedFiles,
  resolveProgram,
  versionFromName,
} from '../src/record/find-python.js';
import { checkPlatform, checkRoot, ensureTracefs, findBpftrace } from '../src/record/preflight.js';
import { switchProbes, chooseProbeSet } from '../src/record/probe-set.js';
import { RecordError } from '../src/record/record-error.js';
import { defaultTracePath } from '../src/record/record.js';
import { commandLine } from '../src/record/run-bpftrace.js';
import { ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

const scratch = scratchDir('record-units');
const marker = (name: string): StapsdtNote => ({ provider: 'python', name, args: '', pc: 1n, base: 1n, semaphore: 1n });
const PY311 = [
  'function__entry',
  'function__return',
  'line',
  'gc__start',
  'gc__done',
  'import__find__load__start',
  'import__find__load__done',
  'audit',
].map(marker);
const PY312 = ['gc__start', 'gc__done', 'import__find__load__start', 'import__find__load__done', 'audit'].map(marker);

/** The probe blocks of a bpftrace script, white space removed (the shipped scripts wrap lines). */
function probeBlocks(program: string): string[] {
  const code = program.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, '');
  return [...code.matchAll(/(usdt:\$1:python:\w+)(\/[^/]*\/)?\{(.*?)\}/g)].map((m) => `${m[1]}{${m[3]}}`);
}

test('probe set, 3.11: all eight markers, line attached silently (counting its firings per thread, written as u=N) so function__entry fires; the prints are those of probes/pyflame.bt', () => {
  const set = chooseProbeSet(PY311, { major: 3, minor: 11 }, false);
  assert.equal(set.functionCalls, true);
  assert.equal(set.silentLine, true);
  // line first: bpftrace detaches in reverse, so entries keep firing until returns are gone.
  assert.deepEqual(set.attached, ['line', ...PY311.map((note) => note.name).filter((name) => name !== 'line')]);
  assert.match(set.program, /usdt:\$1:python:line\n\{\n\t@pyflame_unwritten\[tid\]\+\+;\n\}/);
  assert.match(set.notices.join('\n'), /function__entry fires only while it is \(python\/cpython#98894\)/);
  const shipped = readFileSync(join(ROOT, 'probes/pyflame.bt'), 'utf8');
  assert.equal(probeBlocks(shipped).length, 8);
  // line: the shipped script prints or counts by its argument $2; the generated set only counts.
  const notLine = (blocks: string[]) => blocks.filter((block) => !block.startsWith('usdt:$1:python:line{'));
  assert.deepEqual(notLine(probeBlocks(set.program)), notLine(probeBlocks(shipped)));
  assert.match(shipped, /\}\s*else\s*\{\s*@pyflame_unwritten\[tid\]\+\+;\s*\}/);
  assert.match(set.program, /^BEGIN\n\{\n\tprintf\("# pyflame-trace v1 clock=boot_ns python=%s\\n", str\(\$1\)\);\n\}/);
  // The shipped script records the scheduler's switches as pyflame record does under -c.
  assert.ok(shipped.includes(switchProbes('cpid', true)));
});

test('probe set, --lines prints line events (no predicate); 3.10 and 3.15 attach line only then', () => {
  assert.doesNotMatch(chooseProbeSet(PY311, { major: 3, minor: 11 }, true).program, /\/0\//);
  for (const minor of [10, 15]) {
    const quiet = chooseProbeSet(PY311, { major: 3, minor }, false);
    assert.equal(quiet.attached.includes('line'), false, `3.${minor}`);
    assert.deepEqual(quiet.notices, []);
    assert.equal(chooseProbeSet(PY311, { major: 3, minor }, true).attached.includes('line'), true);
  }
  // Unknown version: attach it (slower, never missing entries).
  assert.equal(chooseProbeSet(PY311, undefined, false).silentLine, true);
});

test('probe set, 3.12-3.14: gc/import/audit only, as probes/pyflame-gc-import-audit.bt, and says so', () => {
  const set = chooseProbeSet(PY312, { major: 3, minor: 13 }, false);
  assert.equal(set.functionCalls, false);
  assert.deepEqual(
    probeBlocks(set.program),
    probeBlocks(readFileSync(join(ROOT, 'probes/pyflame-gc-import-audit.bt'), 'utf8')),
  );
  assert.match(set.notices.join('\n'), /^CPython 3\.13 has no function markers .*NO function calls/);
  assert.match(
    chooseProbeSet(PY312, { major: 3, minor: 13 }, true).notices.join('\n'),
    /has no line marker: --lines records nothing more/,
  );
});

test('probe set, 3.6: only the markers the binary has (no import, no audit); other providers ignored', () => {
  const notes = [
    ...['function__entry', 'function__return', 'line', 'gc__start', 'gc__done'].map(marker),
    { ...marker('audit'), provider: 'node' },
  ];
  const set = chooseProbeSet(notes, { major: 3, minor: 6 }, false);
  assert.deepEqual(set.attached, ['function__entry', 'function__return', 'gc__start', 'gc__done']);
  assert.doesNotMatch(set.program, /import|audit|:line/);
});

test('default trace path: named after the script, the module, the program or the pid', () => {
  assert.equal(
    defaultTracePath({ command: ['/usr/bin/python3.11', 'tools/fib.py', '--n', '3'] }),
    'out/fib.pyflame.txt',
  );
  assert.equal(
    defaultTracePath({ command: ['/usr/bin/python3.11', '-X', 'dev', '-W', 'error', '-u', 'app.py'] }),
    'out/app.pyflame.txt',
  );
  assert.equal(
    defaultTracePath({ command: ['/usr/bin/python3.11', '-c', 'print(1)', 'x.py'] }),
    'out/python3.11.pyflame.txt',
  );
  assert.equal(
    defaultTracePath({ command: ['/usr/bin/python3.11', '-m', 'http.server'] }),
    'out/http.server.pyflame.txt',
  );
  assert.equal(defaultTracePath({ command: ['/usr/bin/python3.11'] }), 'out/python3.11.pyflame.txt');
  assert.equal(defaultTracePath({ command: ['python3', 'we<ird>.py'] }), 'out/we_ird_.pyflame.txt');
  assert.equal(defaultTracePath({ pid: 4242 }), 'out/pid-4242.pyflame.txt');
});

test('bpftrace -c command line: arguments with white space or empty are refused (bpftrace 0.17 would split them)', () => {
  assert.equal(commandLine(['/usr/bin/python3.11', 'a.py', '--x=1']), '/usr/bin/python3.11 a.py --x=1');
  assert.throws(
    () => commandLine(['/usr/bin/python3.11', 'my script.py']),
    /cannot pass the argument "my script.py" to the program: bpftrace 0.17 splits its -c command at spaces/,
  );
  assert.throws(() => commandLine(['/usr/bin/python3.11', '']), /cannot pass the argument ""/);
});

test('versions from file names; mapped files from /proc/PID/maps lines', () => {
  assert.deepEqual(versionFromName('/usr/bin/python3.11'), { major: 3, minor: 11 });
  assert.deepEqual(versionFromName('/opt/lib/libpython3.12d.so.1.0'), { major: 3, minor: 12 });
  assert.equal(versionFromName('/usr/bin/python3'), undefined);
  assert.deepEqual(
    mappedFiles([
      '559fa3256000-559fa3258000 r--p 00000000 fe:00 260131                     /usr/bin/python3.11',
      '7f00-7f10 r-xp 00000000 fe:00 1 /opt/py/lib/libpython3.11.so.1.0',
      '7f10-7f20 r-xp 00000000 fe:00 1 /opt/py/lib/libpython3.11.so.1.0',
      '7f20-7f30 rw-p 00000000 00:00 0 ',
      '7ffd-7ffe rw-p 00000000 00:00 0                          [stack]',
      '7f30-7f40 r-xp 00000000 fe:00 2 /tmp/with space.so (deleted)',
    ]),
    ['/usr/bin/python3.11', '/opt/py/lib/libpython3.11.so.1.0', '/tmp/with space.so'],
  );
});

test('finding the interpreter: PATH search, scripts (pyenv shims) refused, binaries without markers refused', () => {
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  const shim = join(bin, 'python3.11');
  writeFileSync(shim, '#!/usr/bin/env bash\nexec /usr/bin/python3.11 "$@"\n');
  chmodSync(shim, 0o755);
  assert.equal(resolveProgram('python3.11', `/nonexistent:${bin}`, '/'), shim);
  assert.throws(
    () => resolveProgram('python3.99', bin, '/'),
    (error: unknown) => error instanceof RecordError && error.message === 'python3.99: not found on PATH',
  );
  assert.throws(
    () => findPythonForCommand('python3.11', { PATH: bin }),
    /^RecordError: python3\.11 is a script \(.*python3\.11: "#!\/usr\/bin\/env bash"\), not the interpreter: pyenv shims and wrappers are\. .*full path, e\.g\. \/usr\/bin\/python3\.11\.$/,
  );
  // node's own binary, through a symlink named like an interpreter: an ELF file without python markers.
  const fake = join(bin, 'python3.12');
  symlinkSync(process.execPath, fake);
  assert.throws(
    () => findPythonForCommand(fake),
    /has no CPython static markers \(no "python" notes in \.note\.stapsdt\).*built --with-dtrace.*Debian\/Ubuntu's \/usr\/bin\/python3\.X/,
  );
  assert.throws(() => findPythonForPid(2 ** 22 + 1), /^RecordError: --pid 4194305: there is no process with that id$/);
  assert.throws(
    () => findPythonForPid(process.pid),
    /^RecordError: --pid \d+: the process runs .*node.*, which is not Python \(no python in its name, no libpython loaded\)$/,
  );
});

test('preflight messages: not Linux, not root, no bpftrace', () => {
  assert.throws(
    () => checkPlatform('darwin'),
    /bpftrace, which is Linux only \(this is darwin\)\. On macOS, FreeBSD or illumos record with DTrace: .*probes\/pyflame\.d.*docs\/recording\.md/,
  );
  assert.doesNotThrow(() => checkPlatform('linux'));
  assert.throws(() => checkRoot(1000), /must run as root .*effective uid is 1000\): run it with sudo/);
  assert.doesNotThrow(() => checkRoot(0));
  assert.throws(
    () => findBpftrace('/nonexistent:'),
    /^RecordError: bpftrace is not installed \(not found on PATH\)\. Install it: apt-get install -y bpftrace/,
  );
});

test('tracefs: left alone when mounted; a failed mount is an error with the command to run', () => {
  const mounted = join(scratch, 'tracing');
  mkdirSync(mounted);
  writeFileSync(join(mounted, 'uprobe_events'), '');
  assert.equal(ensureTracefs(mounted), undefined);
  const missing = join(scratch, 'no-such-dir');
  assert.throws(
    () => ensureTracefs(missing),
    (error: unknown) =>
      error instanceof RecordError &&
      error.message.startsWith(`tracefs is not mounted at ${missing} and mounting it failed`) &&
      error.message.endsWith(`: mount -t tracefs nodev ${missing}`),
  );
});
