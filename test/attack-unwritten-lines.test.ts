import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import type { StapsdtNote } from '../src/record/elf-notes.js';
import { chooseProbeSet } from '../src/record/probe-set.js';
import { codes } from './helpers/analysis.js';
import { eventLogCsv } from './helpers/event-log.js';
import { MARKED_PYTHON, markerRecordingSkipReason } from './helpers/record-skip.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

/**
 * Issue 13 §1 for real: on 3.11 `pyflame record` attaches the `line` marker without writing its
 * events (function__entry fires only while it is attached), and counts its firings per thread
 * instead: each written event ends with `u=N`, the firings since that thread's previous one.
 * The same deterministic program recorded with --lines and without: in a window of each thread
 * (from the return of mark_start to the entry of mark_end), the u= counts add up to the line
 * events of the --lines recording. Needs root, bpftrace and Debian's python3.11 (with markers).
 */
const skip = markerRecordingSkipReason();

const PROGRAM = `import threading

def mark_start(): pass
def mark_end(): pass

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def work(k):
    total = 0
    for i in range(k):
        total += i * i
    squares = [j * j for j in range(k)]
    try:
        raise ValueError(k)
    except ValueError:
        total += 1
    def gen():
        for j in range(5):
            yield j
    return total + sum(gen()) + fib(12) + len(squares)

def run(k):
    mark_start()
    work(k)
    mark_end()

worker = threading.Thread(target=run, args=(150,))
worker.start()
worker.join()
run(200)
`;

interface Line {
  readonly tid: string;
  readonly probe: string;
  readonly func: string;
  readonly unwritten: number | undefined;
}

/** The event lines of a recorded trace (pyflame's format), with their u= field. */
function eventLines(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => /^\d/.test(line))
    .map((line) => {
      const fields = line.split('\t');
      const last = fields.at(-1)!;
      const unwritten = last.startsWith('u=') ? Number(last.slice(2)) : undefined;
      if (unwritten !== undefined) fields.pop();
      return { tid: fields[2]!, probe: fields[3]!, func: fields[5] ?? '', unwritten };
    });
}

/** Per thread that ran the window (in the order its window began): the lines inside it. */
function windows(lines: readonly Line[]): Map<string, Line[]> {
  const open = new Map<string, Line[]>();
  const done = new Map<string, Line[]>();
  for (const line of lines) {
    const inside = open.get(line.tid);
    if (line.probe === 'function__return' && line.func === 'mark_start') open.set(line.tid, []);
    else if (inside !== undefined) {
      inside.push(line);
      if (line.probe === 'function__entry' && line.func === 'mark_end') {
        open.delete(line.tid);
        done.set(line.tid, inside);
      }
    }
  }
  return done;
}

test('3.11 without --lines: every written event carries u=N, and per thread they add up to the line events a --lines recording of the same program has', {
  skip,
}, async () => {
  const dir = scratchDir('unwritten-lines');
  writeFileSync(join(dir, 'prog.py'), PROGRAM);
  const record = async (name: string, extra: string[]) => {
    const path = join(dir, name);
    const result = await runCli(['record', '-o', path, ...extra, '--', MARKED_PYTHON, 'prog.py'], {
      cwd: dir,
      env: { PYTHONHASHSEED: '0' },
      timeoutMs: 120_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(path, 'utf8');
    // The end-of-recording counts still add up: the per-thread counts are not dumped with them.
    assert.match(text, /^# pyflame-end result=complete /m);
    assert.doesNotMatch(text, /^@/m);
    return path;
  };
  const silentPath = await record('silent.txt', []);
  const printedPath = await record('printed.txt', ['--lines']);

  const silent = eventLines(silentPath);
  const printed = eventLines(printedPath);
  assert.equal(silent.filter((line) => line.probe === 'line').length, 0, 'no line events are written without --lines');
  const pythonEvents = silent.filter((line) => !line.probe.startsWith('sched-'));
  assert.ok(pythonEvents.length > 0);
  assert.deepEqual(
    pythonEvents.filter((line) => line.unwritten === undefined),
    [],
    'every Python event carries u=',
  );
  assert.ok(
    printed.every((line) => line.unwritten === undefined),
    'with --lines nothing is unwritten: no u= field',
  );

  const silentWindows = [...windows(silent).values()];
  const printedWindows = [...windows(printed).values()];
  assert.equal(silentWindows.length, 2, 'both threads ran their window');
  assert.equal(printedWindows.length, 2);
  for (let t = 0; t < 2; t++) {
    const calls = (lines: Line[]) => lines.filter((line) => line.probe.startsWith('function__')).length;
    assert.equal(calls(silentWindows[t]!), calls(printedWindows[t]!), `thread ${t}: same calls in both runs`);
    const unwritten = silentWindows[t]!.reduce((sum, line) => sum + (line.unwritten ?? 0), 0);
    const lineEvents = printedWindows[t]!.filter((line) => line.probe === 'line').length;
    assert.ok(lineEvents > 1000, `thread ${t}: the window executed lines (${lineEvents})`);
    assert.equal(unwritten, lineEvents, `thread ${t}: u= counts against line events`);
  }

  // pyflame reads the counts as unwritten events, and reports no damage (out-of-order lines are
  // bpftrace's: its per-CPU buffers, two threads on two CPUs).
  const { csv } = await eventLogCsv(silentPath);
  const unwrittenValues = csv
    .split('\n')
    .filter((row) => row.split(',')[3] === 'unwritten')
    .map((row) => Number(row.split(',')[7]));
  assert.equal(
    unwrittenValues.reduce((a, b) => a + b, 0),
    silent.reduce((sum, line) => sum + (line.unwritten ?? 0), 0),
  );
  assert.ok(unwrittenValues.every((value) => value > 0));
  for (const fastLines of [true, false]) {
    const { 'out-of-order': _reordered, ...others } = codes(await analyzeTrace(silentPath, { fastLines }));
    assert.deepEqual(others, {}, `fastLines ${fastLines}`);
  }
});

const MARKERS_311 = [
  'line',
  'function__entry',
  'function__return',
  'gc__start',
  'gc__done',
  'import__find__load__start',
  'import__find__load__done',
  'audit',
].map((name): StapsdtNote => ({ provider: 'python', name, args: '', pc: 1n, base: 1n, semaphore: 1n }));

test('the generated program: without --lines on 3.11 every marker print ends with u= and starts the count again; one END clears the counts, with or without the switches; --lines has no u=', () => {
  for (const switches of ['cpid', undefined] as const) {
    const { program } = chooseProbeSet(MARKERS_311, { major: 3, minor: 11 }, false, 'cpid', switches);
    assert.match(program, /usdt:\$1:python:line\n\{\n\t@pyflame_unwritten\[tid\]\+\+;\n\}/);
    const prints = program.match(/usdt:\$1:python:(?!line)\w+\n\{[^}]*\}/g) ?? [];
    assert.equal(prints.length, 7);
    for (const block of prints)
      assert.match(
        block,
        /\\tu=%d\\n", [^;]*, @pyflame_unwritten\[tid\]\);\n\tdelete\(@pyflame_unwritten\[tid\]\);\n\}$/,
        block,
      );
    assert.equal(program.match(/^END$/gm)?.length, 1, `one END (switches: ${switches})`);
    assert.match(program, /END\n\{\n(?:\tclear\(@pyflame_switched\);\n)?\tclear\(@pyflame_unwritten\);\n\}/);
  }
  const printed = chooseProbeSet(MARKERS_311, { major: 3, minor: 11 }, true, 'cpid', 'cpid').program;
  assert.doesNotMatch(printed, /u=|@pyflame_unwritten/);
  // 3.10: no line probe unless asked, so nothing to count.
  assert.doesNotMatch(chooseProbeSet(MARKERS_311, { major: 3, minor: 10 }, false).program, /u=|@pyflame_unwritten/);
});
