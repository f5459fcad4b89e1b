import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { compareWithCprofile, run } from './helpers/inprocess-compare.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * Real stdlib programs under the in-process recorder, on every CPython installed here: the call
 * count of every Python function equals cProfile's ncalls (total calls). Each program's input is
 * sized so that one recorded run takes a second or two on the oldest Python.
 */

const scratch = scratchDir('inprocess-programs');
const PYTHONS = [
  ...['3.8.18', '3.9.18', '3.10.13', '3.11.7', '3.12.1', '3.13.0'].map((v) => `/root/.pyenv/versions/${v}/bin/python3`),
  '/usr/bin/python3.11',
];
const TEST_MODULES = ['test.test_textwrap', 'test.test_colorsys', 'test.test_shlex'];

/** A new empty folder: a program writing into its working directory starts from the same state in both runs. */
function freshDir(name: string): string {
  return mkdtempSync(join(scratch, `${name}-`));
}

/**
 * About 210 KB of JSON, always the same: 600 records with a 40-word text, numbers, booleans,
 * null and a nested object. (json.tool's indented output is made by pure-Python generators:
 * about 130,000 calls.)
 */
function generatedJson(): string {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
  const items = Array.from({ length: 600 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    text: Array.from({ length: 40 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
    ratio: i / 7,
    flags: [i % 2 === 0, i % 3 === 0, null],
    nested: { depth: i % 5, tags: [words[i % 12], words[(i + 5) % 12]] },
  }));
  return JSON.stringify({ items });
}

function missingTestModules(python: string): string | false {
  const found = run(python, [
    '-c',
    'import importlib.util, sys\n' +
      'for name in sys.argv[1:]:\n' +
      '    try:\n' +
      '        spec = importlib.util.find_spec(name)\n' +
      '    except ImportError:\n' +
      '        spec = None\n' +
      '    if spec is None:\n' +
      '        print(name)',
    ...TEST_MODULES,
  ]);
  const missing = found.stdout.split('\n').filter(Boolean);
  return missing.length > 0 ? `${python} lacks the stdlib test modules ${missing.join(', ')}` : false;
}

for (const python of PYTHONS) {
  const installed = existsSync(python);
  describe(`in-process recorder, stdlib programs (2), on ${python}`, {
    skip: installed ? false : `${python} is not installed on this machine`,
  }, () => {
    test('python -m json.tool on a generated 210 KB file: counts equal cProfile ncalls for every Python function (> 100,000 calls)', () => {
      const input = join(scratch, 'data.json');
      if (!existsSync(input)) writeFileSync(input, generatedJson());
      const result = compareWithCprofile(python, ['-m', 'json.tool', input, 'pretty.json'], {
        cwdFor: (mode) => freshDir(`json-${mode}`),
      });
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 100_000, `cProfile counted ${result.calls} calls`);
    });

    test('python -m pydoc -w textwrap, each run in a fresh empty folder: counts equal cProfile ncalls for every Python function (> 10,000 calls)', () => {
      const folders: string[] = [];
      const result = compareWithCprofile(python, ['-m', 'pydoc', '-w', 'textwrap'], {
        cwdFor: (mode) => folders[folders.push(freshDir(`pydoc-${mode}`)) - 1]!,
      });
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 10_000, `cProfile counted ${result.calls} calls`);
      for (const folder of folders)
        assert.deepEqual(readdirSync(folder), ['textwrap.html'], 'both runs wrote the page');
    });

    test('python -m compileall -q -f on a fresh copy of the json package (no __pycache__) per run: counts equal cProfile ncalls for every Python function (> 5,000 calls)', () => {
      const json = run(python, ['-c', 'import json, os; print(os.path.dirname(json.__file__))']).stdout.trim();
      const folders: string[] = [];
      const result = compareWithCprofile(python, ['-m', 'compileall', '-q', '-f', 'src'], {
        cwdFor: (mode) => {
          const folder = freshDir(`compileall-${mode}`);
          cpSync(json, join(folder, 'src'), { recursive: true, filter: (path) => basename(path) !== '__pycache__' });
          return folders[folders.push(folder) - 1]!;
        },
      });
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 5_000, `cProfile counted ${result.calls} calls`);
      const sources = readdirSync(json).filter((name) => name.endsWith('.py')).length;
      for (const folder of folders) {
        const compiled = readdirSync(join(folder, 'src/__pycache__')).filter((name) => name.endsWith('.pyc'));
        assert.equal(compiled.length, sources, 'both runs compiled every file');
      }
    });

    test(`python -m unittest ${TEST_MODULES.join(' ')}: counts equal cProfile ncalls for every Python function, the empty __init__ of the test package included (> 40,000 calls)`, {
      skip: installed ? missingTestModules(python) : false,
    }, () => {
      const result = compareWithCprofile(python, ['-m', 'unittest', ...TEST_MODULES], {
        cwdFor: (mode) => freshDir(`unittest-${mode}`),
      });
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 40_000, `cProfile counted ${result.calls} calls`);
    });

    test('code objects that compare equal (two empty __init__.py, the same function text in two files) are each counted under their own file', () => {
      const folder = freshDir('twins');
      for (const pkg of ['left', 'right']) {
        mkdirSync(join(folder, pkg));
        writeFileSync(join(folder, pkg, '__init__.py'), '');
        writeFileSync(join(folder, pkg, 'same.py'), 'def same():\n    return 1\n');
      }
      writeFileSync(
        join(folder, 'main.py'),
        'import left.same\nimport right.same\n' +
          'for _ in range(3):\n    left.same.same()\n' +
          'for _ in range(5):\n    right.same.same()\n',
      );
      const result = compareWithCprofile(python, [join(folder, 'main.py')]);
      assert.deepEqual(result.mismatches, []);
      // main's <module>, the four modules, the eight calls of same(): at least these were compared.
      assert.ok(result.calls >= 13, `cProfile counted ${result.calls} calls`);
    });
  });
}
