import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareWithCprofile, run } from './helpers/inprocess-compare.js';
import { ROOT } from './helpers/paths.js';
import { spoolText } from './helpers/spool-text.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * More real programs under the in-process recorder, on every CPython installed here: an asyncio
 * program and the stdlib's tokenize (counts equal cProfile's ncalls), a thread pool (counts that do
 * not depend on scheduling, thread names).
 */

const RECORDER = join(ROOT, 'recorder/pyflame_recorder.py');
const scratch = scratchDir('inprocess-stdlib');
const PYTHONS = [
  ...['3.8.18', '3.9.18', '3.10.13', '3.11.7', '3.12.1', '3.13.0'].map((v) => `/root/.pyenv/versions/${v}/bin/python3`),
  '/usr/bin/python3.11',
];

let counter = 0;

for (const python of PYTHONS) {
  describe(`in-process recorder, stdlib programs, on ${python}`, {
    skip: existsSync(python) ? false : `${python} is not installed on this machine`,
  }, () => {
    test('asyncio.run with tasks and gather: counts equal cProfile ncalls', () => {
      const result = compareWithCprofile(python, ['aio.py']);
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 1000, String(result.calls));
    });

    test('python -m tokenize: counts equal cProfile ncalls', () => {
      const result = compareWithCprofile(python, ['-m', 'tokenize', 'calls.py']);
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 1000, String(result.calls));
    });

    test("a thread pool: every task counted once, in the pool's named threads", () => {
      const trace = join(scratch, `pool${++counter}.txt`);
      const result = run(python, [RECORDER, '-o', trace, '--', 'pool.py']);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, '8555\n');
      const text = spoolText(trace);
      const names = new Map([...text.matchAll(/^\d+\t\d+\t(\d+)\tthread-name\t(.*)$/gm)].map((m) => [m[1], m[2]]));
      const squares = text
        .split('\n')
        .filter((line) => line.split('\t')[3] === 'function__entry' && line.split('\t')[5] === 'square');
      assert.equal(squares.length, 30);
      for (const line of squares)
        assert.match(names.get(line.split('\t')[2]!) ?? '', /^pool_\d$/, 'a pool thread, named');
      assert.match(text, /# pyflame-end result=complete /);
    });
  });
}
