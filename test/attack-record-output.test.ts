import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  lstatSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';
import { markerRecordingSkipReason } from './helpers/record-skip.js';

// `pyflame record -o` never harms what is there (issue 10 §1): the script is not overwritten by its
// own trace, a device or FIFO is written in place, a symlink's target is written.

const PY = '/usr/bin/python3.11';

const skipReason = markerRecordingSkipReason;
const skip = skipReason();

const SCRIPT = 'def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\nf(8)\n';
const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.includes('.tmp-'));

describe('record -o', { skip }, () => {
  it('refuses the script it would run (also through a link), before anything runs', async () => {
    const dir = scratchDir('rec-out');
    writeFileSync(join(dir, 'victim.py'), SCRIPT);
    symlinkSync('victim.py', join(dir, 'alias.txt'));
    for (const output of ['victim.py', 'alias.txt']) {
      const result = await runCli(['record', '-o', output, '--', PY, 'victim.py'], { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^pyflame: error: -o ${output} is the input victim\\.py: pyflame never writes over what it reads; choose another output path; nothing was recorded\\n$`,
        ),
      );
      assert.equal(readFileSync(join(dir, 'victim.py'), 'utf8'), SCRIPT);
    }
    const interpreter = await runCli(['record', '-o', PY, '--', PY, 'victim.py'], { cwd: dir });
    assert.equal(interpreter.code, 2);
    assert.ok(lstatSync(PY).isFile() || lstatSync(PY).isSymbolicLink());
  });

  it("writes a FIFO in place, and a symlink's target", async () => {
    const dir = scratchDir('rec-out');
    writeFileSync(join(dir, 'p.py'), SCRIPT);
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    const chunks: Buffer[] = [];
    const reading = new Promise<string>((resolve) => {
      const stream = createReadStream(join(dir, 'fifo'));
      stream.on('data', (chunk) => chunks.push(Buffer.from(chunk)));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const result = await runCli(['record', '-o', 'fifo', '--', PY, 'p.py'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const trace = await reading;
    assert.match(trace, /^# pyflame-end result=complete /m);
    // Each event line ends with the unwritten line firings before it (u=N: 3.11's silent line probe).
    assert.equal(trace.match(/\tfunction__entry\t.*\tf\t1(?:\tu=\d+)?$/gm)?.length, 67, 'fib(8) makes 67 calls of f');
    assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());

    copyFileSync(join(dir, 'p.py'), join(dir, 'q.py'));
    symlinkSync('real.txt', join(dir, 'link.txt'));
    const linked = await runCli(['record', '-o', 'link.txt', '--', PY, 'q.py'], { cwd: dir });
    assert.equal(linked.code, 0, linked.stderr);
    assert.ok(lstatSync(join(dir, 'link.txt')).isSymbolicLink());
    assert.match(readFileSync(join(dir, 'real.txt'), 'utf8'), /^# pyflame-end result=complete /m);
    assert.deepEqual(temporaries(dir), []);
  });

  it('a folder as -o is refused in words', async () => {
    const dir = scratchDir('rec-out');
    writeFileSync(join(dir, 'p.py'), SCRIPT);
    const result = await runCli(['record', '-o', dir, '--', PY, join(dir, 'p.py')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is a folder; give a file name inside it; nothing was recorded/);
  });
});
