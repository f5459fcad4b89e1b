import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { compareWithCprofile, type PythonRun, run } from './helpers/inprocess-compare.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';
import { spoolText } from './helpers/spool-text.js';

/**
 * The in-process recorder (recorder/pyflame_recorder.py) for real, on every CPython installed on
 * this machine image (pyenv 3.8-3.13, Debian's 3.11); a missing one is skipped with the reason.
 * Its counts are checked against the interpreter's own instruments: cProfile's ncalls per function,
 * gc.callbacks per generation, -X importtime's list of imports.
 */

const RECORDER = join(ROOT, 'recorder/pyflame_recorder.py');
const HERE = join(FIXTURES, 'inprocess');
const scratch = scratchDir('inprocess');

const PYTHONS = [
  ...['3.8.18', '3.9.18', '3.10.13', '3.11.7', '3.12.1', '3.13.0'].map((v) => `/root/.pyenv/versions/${v}/bin/python3`),
  '/usr/bin/python3.11',
];

function skipReason(python: string): string | false {
  if (!existsSync(python)) return `${python} is not installed on this machine`;
  return false;
}

type Run = PythonRun;

let counter = 0;
function tracePath(): string {
  return join(scratch, `trace-${++counter}.pyflame.txt`);
}

function record(
  python: string,
  program: readonly string[],
  extra: readonly string[] = [],
): { run: Run; trace: string; text: string } {
  const trace = tracePath();
  const result = run(python, [...extra, RECORDER, '-o', `${trace}.spool`, '--', ...program]);
  const text = spoolText(`${trace}.spool`);
  writeFileSync(trace, text);
  return { run: result, trace, text };
}

for (const python of PYTHONS) {
  describe(`in-process recorder on ${python}`, { skip: skipReason(python) }, () => {
    test('call counts equal cProfile ncalls for every Python function: recursion, generators, throw, a class, exceptions, coroutines, a thread', () => {
      const result = compareWithCprofile(python, ['calls.py']);
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.calls > 400, `cProfile counted ${result.calls} calls`);
    });

    test('call counts equal cProfile ncalls for python -m json.tool on a generated file', () => {
      const input = join(scratch, 'data.json');
      writeFileSync(
        input,
        JSON.stringify(
          Array.from({ length: 40 }, (_, i) => ({
            id: i,
            name: `item ${i}`,
            tags: ['a', 'b'],
            nested: { ok: i % 2 === 0 },
          })),
        ),
      );
      const output = join(scratch, `pretty-${counter}.json`);
      const result = compareWithCprofile(python, ['-m', 'json.tool', input, output]);
      assert.deepEqual(result.mismatches, []);
      assert.ok(result.functions > 50, `cProfile saw ${result.functions} functions`);
    });

    test('GC collections per generation equal what gc.callbacks saw', () => {
      const { run: result, text } = record(python, ['gc_counts.py']);
      assert.equal(result.status, 0, result.stderr);
      const seen: Record<number, number> = Object.fromEntries(
        result.stdout
          .trim()
          .split(' ')
          .map((pair) => pair.split('=').map(Number)),
      );
      const traced: Record<number, number> = {};
      let inWindow = false;
      let done = 0;
      for (const line of text.split('\n')) {
        const fields = line.split('\t');
        if (fields[3] === 'function__entry' && fields[5] === 'window') inWindow = !inWindow;
        if (!inWindow) continue;
        if (fields[3] === 'gc__start') traced[Number(fields[4])] = (traced[Number(fields[4])] ?? 0) + 1;
        if (fields[3] === 'gc__done') done++;
      }
      assert.deepEqual(traced, seen);
      assert.ok((seen[2] ?? 0) >= 1 && (seen[0] ?? 0) >= 1, result.stdout);
      assert.equal(
        done,
        Object.values(seen).reduce((a, b) => a + b, 0),
      );
    });

    test('imports: the same modules, order, nesting and found flags as -X importtime', () => {
      const { run: result, trace } = record(python, ['imports.py'], ['-X', 'importtime']);
      assert.equal(result.status, 0, result.stderr);
      const stderr = `${trace}.stderr`;
      writeFileSync(stderr, result.stderr);
      const compared = run(python, [join(HERE, 'compare_importtime.py'), trace, stderr]);
      const { traced, importtime } = JSON.parse(compared.stdout) as {
        traced: [number, string, number][];
        importtime: [number, string][];
      };
      assert.deepEqual(
        traced.map(([depth, name]) => [depth, name]),
        importtime,
      );
      const names = traced.map(([, name]) => name);
      for (const name of ['json', 'email.parser', 'xml.dom.minidom', 'pyflame_no_such_module', 'colorsys'])
        assert.ok(names.includes(name), `${name} is listed`);
      const found = new Map(traced.map(([, name, flag]) => [name, flag]));
      assert.equal(found.get('pyflame_no_such_module'), 0, 'a missing module: found 0');
      assert.equal(found.get('json'), 1);
      // importlib.import_module is not an import statement: -X importtime and the markers skip it.
      assert.ok(!names.includes('csv'), 'import_module("csv") itself is not listed');
    });

    test('the program sees plain python: argv, sys.path[0], __main__, __file__, exit status (script and -m)', () => {
      for (const program of [
        ['where.py', '5'],
        ['-m', 'pkg.where', '7'],
      ]) {
        const plain = run(python, program);
        const { run: traced, text } = record(python, program);
        assert.equal(traced.stdout, plain.stdout);
        assert.equal(traced.status, plain.status);
        assert.match(text, /^# pyflame-trace v1 clock=monotonic_ns recorder=inprocess /);
        assert.match(text, /\n# pyflame-end result=complete events=\d+ lost=0 recorder=inprocess end=exit\n$/);
      }
    });

    test('an uncaught exception: same status and traceback as plain python, trace complete', () => {
      const plain = run(python, ['where.py', 'raise']);
      const { run: traced, text } = record(python, ['where.py', 'raise']);
      assert.equal(traced.status, 1);
      assert.equal(traced.stderr, plain.stderr);
      assert.match(text, /# pyflame-end result=complete /);
    });

    test('SIGTERM and Ctrl-C: the program dies of the signal as under plain python, the trace is complete', () => {
      for (const [how, signal] of [
        ['sigterm', 'SIGTERM'],
        ['sigint', 'SIGINT'],
      ] as const) {
        const plain = run(python, ['where.py', how]);
        const { run: traced, text } = record(python, ['where.py', how]);
        assert.equal(traced.signal ?? traced.status, plain.signal ?? plain.status, `${how}: ${traced.stderr}`);
        assert.equal(plain.signal, signal);
        const end = /# pyflame-end result=complete events=(\d+) /.exec(text);
        assert.ok(end, `${how}: the trace ends complete`);
        const events = text.split('\n').filter((line) => /^\d/.test(line)).length;
        assert.equal(Number(end[1]), events, 'events= counts the event lines');
      }
    });

    test("forked children (multiprocessing fork pool, os.fork) write nothing into the parent's trace and die as without the recorder", () => {
      const plain = run(python, ['forks.py']);
      const { run: traced, text } = record(python, ['forks.py']);
      assert.equal(traced.status, 0, traced.stderr);
      assert.equal(traced.stdout, plain.stdout);
      assert.equal(traced.stderr, '', 'a pool worker terminated by SIGTERM prints nothing');
      const pids = new Set(
        text
          .split('\n')
          .filter((line) => /^\d/.test(line))
          .map((line) => line.split('\t')[1]),
      );
      assert.equal(pids.size, 1, `one process in the trace: ${[...pids].join(' ')}`);
      assert.match(text, /# pyflame-end result=complete /);
      assert.equal(text.match(/^# pyflame-end/gm)?.length, 1);
    });

    test('bounded memory: events are written as the program runs, a buffer (16384 words) at a time', () => {
      const trace = tracePath();
      const result = run(python, [RECORDER, '-o', trace, '--', 'grows.py', trace]);
      assert.equal(result.status, 0, result.stderr);
      const onDisk = Number(result.stdout);
      // fib(18): 8361 entries of 3 words and as many returns of 4: 58527 words, all but the last
      // buffer's on disk (and some of the module's own events besides).
      assert.ok(
        onDisk >= 58527 - 16384 && onDisk < 58527 + 64,
        `${onDisk} event words were on disk while the program ran`,
      );
      assert.match(spoolText(trace), /# pyflame-end result=complete /);
    });

    test('--audit: audit events (open, exec) are recorded', () => {
      const { run: result, text } = record(python, ['where.py', '0']);
      assert.equal(result.status, 0);
      assert.doesNotMatch(text, /\taudit\t/, 'no audit events unless asked');
      const trace = tracePath();
      const audited = run(python, [RECORDER, '-o', trace, '--audit', '--', 'where.py', '0']);
      assert.equal(audited.status, 0, audited.stderr);
      const events = new Set(
        spoolText(trace)
          .split('\n')
          .filter((line) => line.split('\t')[3] === 'audit')
          .map((line) => line.split('\t')[4]),
      );
      assert.ok(events.has('exec') || events.has('open') || events.has('import'), [...events].join(' '));
    });

    test('threads: OS thread ids and names; pyflame analyze reads the trace without warnings', async () => {
      const { run: result, trace, text } = record(python, ['calls.py']);
      assert.equal(result.status, 0, result.stderr);
      const names = [...text.matchAll(/^\d+\t\d+\t(\d+)\tthread-name\t(.*)$/gm)].map(
        (m) => [Number(m[1]), m[2]] as const,
      );
      assert.ok(names.some(([, name]) => name === 'MainThread'));
      const worker = names.find(([, name]) => name === 'worker-1');
      assert.ok(worker, 'the worker thread is named');
      const analysis = await analyzeTrace(trace);
      assert.deepEqual(
        analysis.warnings.map((w) => w.code),
        [],
      );
      assert.ok(
        analysis.threads.some((t) => t.tid === worker[0]),
        'the worker thread id has events',
      );
      assert.equal(analysis.threads.find((t) => t.tid === worker[0])!.name, 'worker-1', 'the analysis names it');
      const fib = analysis.functions.filter((f) => f.name === 'fib');
      assert.equal(
        fib.reduce((sum, f) => sum + f.calls, 0),
        465 + 67,
        'fib(12) and fib(8) calls',
      );
    });
  });
}
