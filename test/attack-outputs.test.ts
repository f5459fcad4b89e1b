import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, ROOT, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Outputs never harm what is there (issue 10 §1): devices, FIFOs and pipes are written in place,
// links are followed, inputs are never outputs, and every destination is checked before the work.

const SAMPLE = join(SAMPLES, 'call-stack.pyflame.txt');
const THREADS = join(SAMPLES, 'threads.pyflame.txt');
const isRoot = process.getuid?.() === 0;
const ROOT_ONLY = isRoot ? false : 'needs root (mknod, mount)';

/** Files whose name marks them as pyflame's temporary outputs. */
const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.includes('.tmp-'));

/** Spawns the real binary with extra pipes (fd 3...) and stdin left open until the test ends it. */
function spawnCli(args: readonly string[], options: { cwd?: string; extraPipes?: number } = {}): ChildProcess {
  const stdio = ['pipe', 'pipe', 'pipe', ...Array.from({ length: options.extraPipes ?? 0 }, () => 'pipe')] as 'pipe'[];
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio,
  });
}

function collect(stream: NodeJS.ReadableStream | null | undefined): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    if (!stream) return resolve('');
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );

describe('a destination that is not a regular file is written in place', () => {
  it('a character device (a copy of /dev/null) stays a device', { skip: ROOT_ONLY }, async () => {
    const dir = scratchDir('attack-out');
    const device = join(dir, 'mynull');
    assert.equal(spawnSync('mknod', [device, 'c', '1', '3']).status, 0);
    const result = await runCli(['analyze', SAMPLE, '--json', device], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(lstatSync(device).isCharacterDevice(), 'still a character device');
    assert.deepEqual(temporaries(dir), []);
  });

  it('a FIFO is written into, and stays a FIFO', async () => {
    const dir = scratchDir('attack-out');
    const fifo = join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reading = collect(createReadStream(fifo));
    const result = await runCli(['analyze', SAMPLE, '--json', fifo], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(await reading) as { source: { path: string } };
    assert.equal(json.source.path, SAMPLE);
    assert.ok(lstatSync(fifo).isFIFO());
    assert.deepEqual(temporaries(dir), []);
  });

  it('a socket or pipe given as /dev/fd/N receives the document', async () => {
    const child = spawnCli(['analyze', SAMPLE, '--json', '/dev/fd/3', '--folded', '/dev/fd/4'], { extraPipes: 2 });
    child.stdin!.end();
    const [json, folded, stdout, stderr, status] = await Promise.all([
      collect(child.stdio[3] as NodeJS.ReadableStream),
      collect(child.stdio[4] as NodeJS.ReadableStream),
      collect(child.stdout),
      collect(child.stderr),
      exited(child),
    ]);
    assert.equal(status.code, 0, stderr);
    assert.equal((JSON.parse(json) as { schemaVersion: number }).schemaVersion, 2);
    assert.match(folded, /^\S.* \d+$/m);
    assert.match(stdout, /Top functions by self time/, 'the report still goes to stdout');
  });

  it("a shell's process substitution >(...) receives the document", async () => {
    const dir = scratchDir('attack-out');
    const script = `"${process.execPath}" "${CLI}" analyze "${SAMPLE}" --json >(cat > "${dir}/got.json") > /dev/null; status=$?; wait $!; exit $status`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      (JSON.parse(readFileSync(join(dir, 'got.json'), 'utf8')) as { source: { path: string } }).source.path,
      SAMPLE,
    );
  });

  it('a symlink to /proc/self/fd/1 writes to stdout, and the report stays off it', async () => {
    const dir = scratchDir('attack-out');
    symlinkSync('/proc/self/fd/1', join(dir, 'so'));
    const result = await runCli(['analyze', SAMPLE, '--json', 'so'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { source: { path: string } }).source.path, SAMPLE);
    assert.ok(lstatSync(join(dir, 'so')).isSymbolicLink());
  });

  it('a symlink to a file: the target is replaced, the link stays a link', async () => {
    const dir = scratchDir('attack-out');
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'old.svg'), 'old');
    chmodSync(join(dir, 'real', 'old.svg'), 0o640);
    symlinkSync('real/old.svg', join(dir, 'graph.svg'));
    symlinkSync('real/new.json', join(dir, 'dangling.json'));
    const result = await runCli(['analyze', SAMPLE, '--svg', 'graph.svg', '--json', 'dangling.json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(lstatSync(join(dir, 'graph.svg')).isSymbolicLink());
    assert.match(readFileSync(join(dir, 'real', 'old.svg'), 'utf8'), /^<\?xml/);
    assert.equal(statSync(join(dir, 'real', 'old.svg')).mode & 0o777, 0o640, 'the replaced file keeps its permissions');
    assert.ok(lstatSync(join(dir, 'dangling.json')).isSymbolicLink());
    assert.ok(statSync(join(dir, 'real', 'new.json')).isFile());
    assert.deepEqual(temporaries(join(dir, 'real')), []);
  });
});

describe('an output that is an input is refused, and the input is untouched', () => {
  const dir = scratchDir('attack-out');
  const trace = join(dir, 't.txt');
  copyFileSync(SAMPLE, trace);
  const original = readFileSync(trace);
  symlinkSync('t.txt', join(dir, 'link.txt'));
  linkSync(trace, join(dir, 'hard.txt'));
  const cases: [string, string[]][] = [
    ['analyze --json of the trace', ['analyze', 't.txt', '--json', 't.txt']],
    ['analyze of a link, --svg to the file', ['analyze', 'link.txt', '--svg', 't.txt']],
    ['analyze --html to a hard link of the trace', ['analyze', 't.txt', '--html', 'hard.txt']],
    ['convert -o the trace', ['convert', 't.txt', '--to', 'csv', '-o', 't.txt']],
    ['diff --markdown HEAD', ['diff', SAMPLE, 't.txt', '--markdown', 't.txt']],
    ['diff --json through a link to BASE', ['diff', 't.txt', SAMPLE, '--json', 'link.txt']],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /is the input .*pyflame never writes over what it reads/);
      assert.deepEqual(readFileSync(trace), original);
      assert.deepEqual(temporaries(dir), []);
    });
  }

  it('flamegraph --svg of its own folded file', async () => {
    const folded = join(dir, 'x.folded');
    writeFileSync(folded, 'a;b 3\n');
    const result = await runCli(['flamegraph', folded, '--svg', folded], { cwd: dir });
    assert.equal(result.code, 2);
    assert.equal(readFileSync(folded, 'utf8'), 'a;b 3\n');
  });

  it('stdin redirected from the file given as the output', async () => {
    // A real redirection: the shell opens the file as fd 0.
    const shell = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" analyze - --json t.txt < t.txt`], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(shell.status, 2, shell.stderr);
    assert.match(shell.stderr, /is the input stdin/);
    assert.deepEqual(readFileSync(trace), original);
  });
});

describe('destinations are checked before the work, and said in words', () => {
  it('a folder as --json: exit 2 before reading stdin, naming the flag', async () => {
    const dir = scratchDir('attack-out');
    // stdin stays open: a check made after the analysis would wait for it forever.
    const child = spawnCli(['analyze', '-', '--json', dir]);
    const [stderr, status] = await Promise.all([collect(child.stderr), exited(child)]);
    child.stdin!.destroy();
    assert.equal(status.code, 2);
    assert.equal(stderr.split('\n')[0], `pyflame: error: --json ${dir} is a folder; give a file name inside it`);
    assert.doesNotMatch(stderr, /tmp-|rename|EISDIR/);
  });

  it('a path under a file', async () => {
    const dir = scratchDir('attack-out');
    writeFileSync(join(dir, 'file'), '');
    const result = await runCli(['analyze', SAMPLE, '--svg', 'file/x.svg'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^pyflame: error: --svg file\/x.svg: a part of this path is a file, not a folder\n/);
  });

  it('two documents to stdout, and two outputs to one file, are refused', async () => {
    const dir = scratchDir('attack-out');
    const both = await runCli(['analyze', SAMPLE, '--json', '-', '--svg', '-'], { cwd: dir });
    assert.equal(both.code, 2);
    assert.equal(both.stdout, '');
    assert.match(both.stderr, /--json and --svg would both write to stdout/);
    const twice = await runCli(['analyze', SAMPLE, '--svg', 'x.svg', '--chart', 'x.svg'], { cwd: dir });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /--svg x.svg and --chart x.svg are the same file/);
    const linked = join(dir, 'y.svg');
    symlinkSync('x.svg', linked);
    const viaLink = await runCli(['analyze', SAMPLE, '--svg', 'x.svg', '--chart', 'y.svg'], { cwd: dir });
    assert.equal(viaLink.code, 2);
    assert.deepEqual(readdirSync(dir), ['y.svg']);
  });

  it('several /dev/null outputs are fine', async () => {
    const result = await runCli([
      'analyze',
      SAMPLE,
      '--json',
      '/dev/null',
      '--svg',
      '/dev/null',
      '--html',
      '/dev/null',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(statSync('/dev/null').isCharacterDevice());
  });
});

describe('full and read-only disks', { skip: ROOT_ONLY }, () => {
  const mounts: string[] = [];
  const mount = (size: string, readOnly = false) => {
    const dir = scratchDir('attack-disk');
    const status = spawnSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${size}${readOnly ? ',ro' : ''}`,
      'tmpfs',
      dir,
    ]).status;
    if (status !== 0) return undefined;
    mounts.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of mounts) spawnSync('umount', [dir]);
  });

  it('a full disk: exit 2 naming the output, no temporary file left (plain and .gz)', async (t) => {
    const disk = mount('32k');
    if (disk === undefined) return t.skip('cannot mount a tmpfs here');
    for (const args of [
      ['--json', join(disk, 'x.json')],
      ['--speedscope', join(disk, 'x.speedscope.json.gz')],
      ['--html', join(disk, 'x.html')],
    ]) {
      const result = await runCli(['analyze', THREADS, ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(
        result.stderr,
        new RegExp(`pyflame: error: cannot write ${args[1]}: no space left on the device \\(ENOSPC\\)`),
      );
      assert.doesNotMatch(result.stderr, /internal error| {4}at /);
      assert.deepEqual(readdirSync(disk), []);
    }
    const convert = await runCli(['convert', THREADS, '--to', 'csv', '-o', join(disk, 'x.csv')]);
    assert.equal(convert.code, 2);
    assert.deepEqual(readdirSync(disk), []);
  });

  it('a read-only file system is said before the work', async (t) => {
    const disk = mount('64k', true);
    if (disk === undefined) return t.skip('cannot mount a tmpfs here');
    const result = await runCli(['analyze', SAMPLE, '--json', join(disk, 'x.json')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /read-only file system/);
  });
});

describe('signals during a run', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} mid-read: stops, says "interrupted", exits ${code}, leaves nothing`, async () => {
      const dir = scratchDir('attack-sig');
      const child = spawnCli(['analyze', '-', '--json', join(dir, 'x.json'), '--svg', join(dir, 'x.svg')], {
        cwd: dir,
      });
      const stderr = collect(child.stderr);
      const status = exited(child);
      // The trace arrives on stdin and never ends: once pyflame has taken a few MB, it is reading.
      const block = Buffer.from(readFileSync(THREADS, 'utf8').split('\n').slice(0, 2000).join('\n') + '\n');
      let sent = 0;
      while (sent < 4 * 1024 * 1024) {
        if (!child.stdin!.write(block)) await new Promise((resolve) => child.stdin!.once('drain', resolve));
        sent += block.length;
      }
      child.kill(signal);
      const { code: exitCode } = await status;
      child.stdin!.destroy();
      assert.equal(exitCode, code);
      assert.match(await stderr, new RegExp(`pyflame: interrupted \\(${signal}\\)`));
      assert.deepEqual(readdirSync(dir), []);
    });
  }
});

describe('hostile names reach no spreadsheet and no terminal', () => {
  it('CSV cells that would start a formula are neutralised, and read back exactly', async () => {
    const dir = scratchDir('attack-out');
    const names = [
      "=cmd|' /C calc'!A0",
      '=HYPERLINK("http://x","y")',
      '+1+2',
      '-2+3',
      '@SUM(A1)',
      '\tTAB',
      "'quoted",
      'plain',
    ];
    const lines = names.flatMap((name, index) => [
      `${1000 + index * 10}\t1\t1\tfunction__entry\tf.py\t${name}\t${index + 1}`,
      `${1005 + index * 10}\t1\t1\tfunction__return\tf.py\t${name}\t${index + 1}`,
    ]);
    const trace = join(dir, 't.txt');
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const csv = await runCli(['convert', trace, '--to', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    for (const cell of csv.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((row) => row.split(',').slice(5).join(','))) {
      assert.doesNotMatch(cell, /^[=+\-@\t]/, `a cell starts like a formula: ${cell}`);
    }
    assert.match(csv.stdout, /,"'=cmd\|' \/C calc'!A0",/);
    writeFileSync(join(dir, 'log.csv'), csv.stdout);
    const back = await runCli(['convert', join(dir, 'log.csv'), '--to', 'jsonl']);
    const direct = await runCli(['convert', trace, '--to', 'jsonl']);
    assert.equal(back.code, 0, back.stderr);
    const strip = (text: string) => text.replace(/"source_line":\d+/g, '');
    assert.equal(strip(back.stdout), strip(direct.stdout));
  });

  it('the "wrote" line escapes a path\'s control characters', async () => {
    const dir = scratchDir('attack-out');
    const hostile = join(dir, 'x\u001b]0;owned\u0007.json');
    const result = await runCli(['analyze', SAMPLE, '--json', hostile]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(hostile));
    assert.doesNotMatch(result.stderr, /[\u001b\u0007]/);
    assert.match(result.stderr, /pyflame: wrote .*x\\x1b\]0;owned\\x07\.json/);
    const convert = await runCli(['convert', SAMPLE, '--to', 'csv', '-o', hostile]);
    assert.doesNotMatch(convert.stderr, /[\u001b\u0007]/);
  });
});
