import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace, type AnalyzeOptions } from '../src/analyze/analyze.js';
import { scratchDir } from './helpers/scratch.js';

// Attribution checked against what cProfile counts (issue 11 §1).

const dir = scratchDir('attribution');
let n = 0;
async function analyzeLines(lines: readonly string[], options: AnalyzeOptions = {}) {
  const path = join(dir, `t${n++}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const analysis = await analyzeTrace(path, { parseThread: false, ...options });
  return { analysis, calls: Object.fromEntries(analysis.functions.map((f) => [`${f.name}:${f.line}`, f.calls])) };
}
const ev = (ts: number, tid: number, probe: string, func: string, line: number) =>
  `${ts}\t100\t${tid}\tfunction__${probe}\t/w/app.py\t${func}\t${line}`;

describe('attribution', () => {
  it('a generator resumed on another thread than it yielded on stays one function', async () => {
    const { calls } = await analyzeLines([
      ev(10, 1, 'entry', 'produce', 1), // a new call: def line 1
      ev(20, 1, 'return', 'produce', 3), // yields at line 3
      ev(30, 2, 'entry', 'produce', 3), // resumed on thread 2
      ev(40, 2, 'return', 'produce', 3),
      ev(50, 1, 'entry', 'produce', 3), // and back on thread 1
      ev(60, 1, 'return', 'produce', 4), // finished
    ]);
    assert.deepEqual(calls, { 'produce:1': 3 });
  });

  it("a lambda leaving by an exception on the next lambda's line does not take that lambda's calls", async () => {
    const lines: string[] = [];
    let ts = 100;
    for (let i = 0; i < 2; i++) {
      lines.push(ev(ts++, 1, 'entry', '<lambda>', 8), ev(ts++, 1, 'return', '<lambda>', 9)); // raises on line 9
      lines.push(ev(ts++, 1, 'entry', '<lambda>', 9), ev(ts++, 1, 'return', '<lambda>', 9));
    }
    lines.push(ev(ts++, 1, 'entry', '<lambda>', 9), ev(ts++, 1, 'return', '<lambda>', 9));
    const { calls } = await analyzeLines(lines);
    assert.deepEqual(calls, { '<lambda>:8': 2, '<lambda>:9': 3 });
  });

  it('a call running when the trace began is named by its def line, and counted', async () => {
    const { analysis, calls } = await analyzeLines([
      ev(10, 1, 'entry', 'fib', 7), // an inner call, entered in the trace
      ev(20, 1, 'return', 'fib', 8),
      ev(30, 1, 'return', 'fib', 10), // the outer call: its entry came before the trace began
      ev(40, 1, 'return', 'main', 22), // and its caller
    ]);
    assert.deepEqual(Object.keys(calls).sort(), ['fib:7', 'main:22']);
    assert.equal(calls['fib:7'], 1, 'the call entered in the trace; the outer one is partial');
    assert.equal(analysis.functions.find((f) => f.name === 'fib')!.partial, 1);
    assert.equal(analysis.callsAtStart, 2);
  });

  it('with no call of it entered first, a running call keeps its return line', async () => {
    const { calls, analysis } = await analyzeLines([
      ev(10, 1, 'entry', 'g', 3),
      ev(20, 1, 'return', 'g', 4),
      ev(30, 1, 'return', 'serve', 40),
    ]);
    assert.deepEqual(Object.keys(calls).sort(), ['g:3', 'serve:40']);
    assert.equal(analysis.callsAtStart, 1);
  });

  it('line events name the frames running when the trace began: a serve loop that never returns appears', async () => {
    const line = (ts: number, func: string, number: number) => `${ts}\t100\t1\tline\t/w/app.py\t${func}\t${number}`;
    const { analysis, calls } = await analyzeLines([
      line(10, 'serve', 41), // no call open: serve was running before the trace began
      ev(20, 1, 'entry', 'handle', 50),
      line(25, 'handle', 51),
      ev(30, 1, 'return', 'handle', 51),
      line(40, 'serve', 42),
      ev(50, 1, 'entry', 'handle', 50),
      ev(60, 1, 'return', 'handle', 51),
      line(70, 'serve', 41), // the trace ends inside the loop
    ]);
    assert.deepEqual(calls, { 'serve:41': 0, 'handle:50': 2 });
    const serve = analysis.functions.find((f) => f.name === 'serve')!;
    assert.deepEqual([serve.partial, serve.totalNs, serve.selfNs], [1, 60, 40]);
    assert.equal(analysis.callsAtStart, 1);
    assert.ok(analysis.warnings.some((w) => w.code === 'open-at-end'));
    // The thread's tree: serve at the root, handle under it.
    const tree = analysis.threads[0].tree;
    const names = (node: number) => analysis.functionTable.name(tree.func.get(node));
    const handle = [...Array(tree.size).keys()].find((node) => tree.func.get(node) >= 0 && names(node) === 'handle')!;
    assert.equal(names(tree.parent.get(handle)), 'serve');
  });

  it('a frame found by its lines takes the def line of a call of it entered elsewhere, and closes at its return', async () => {
    const line = (ts: number, tid: number, func: string, number: number) =>
      `${ts}\t100\t${tid}\tline\t/w/app.py\t${func}\t${number}`;
    const { analysis, calls } = await analyzeLines([
      ev(5, 2, 'entry', 'worker', 30), // thread 2 shows worker's def line
      ev(6, 2, 'return', 'worker', 33),
      line(10, 1, 'worker', 32), // thread 1 was inside worker when the trace began
      ev(20, 1, 'return', 'worker', 33),
    ]);
    assert.deepEqual(calls, { 'worker:30': 1 });
    const worker = analysis.functions.find((f) => f.name === 'worker')!;
    assert.equal(worker.partial, 1);
    assert.equal(analysis.callsAtStart, 1);
    assert.ok(!analysis.warnings.some((w) => w.code === 'open-at-end' || w.code === 'unmatched-return'));
  });

  it('a call running at the start is named by a def line the trace shows only later, and joins that function', async () => {
    const { analysis, calls } = await analyzeLines([
      ev(0, 1, 'entry', 'g', 3),
      ev(5, 1, 'return', 'g', 4),
      ev(10, 1, 'return', 'fib', 10), // the outer call: no fib entered yet, named provisionally by line 10
      ev(20, 1, 'entry', 'fib', 7), // later calls show the def line
      ev(30, 1, 'return', 'fib', 8),
      ev(40, 2, 'entry', 'fib', 7),
      ev(50, 2, 'return', 'fib', 9),
    ]);
    assert.deepEqual(calls, { 'g:3': 1, 'fib:7': 2 });
    const fib = analysis.functions.find((f) => f.name === 'fib')!;
    assert.deepEqual([fib.partial, fib.returns], [1, 3]);
    // Thread 1: the partial call (0..10, around g) and the later one (20..30) are both outermost.
    assert.equal(analysis.threads[0].functions.find((f) => f.name === 'fib')!.totalNs, 10 + 10);
    assert.equal(fib.totalNs, 10 + 10 + 10);
    assert.equal(analysis.callsAtStart, 1);
  });

  it('a frame found by its lines joins the def line shown later, without counting its inner calls twice', async () => {
    const line = (ts: number, func: string, number: number) => `${ts}\t100\t1\tline\t/w/app.py\t${func}\t${number}`;
    const { analysis, calls } = await analyzeLines([
      line(0, 'fib', 9), // running since before the trace: named by line 9 for now
      ev(10, 1, 'entry', 'fib', 7), // a recursive call shows the def line
      ev(20, 1, 'return', 'fib', 8),
      ev(30, 1, 'return', 'fib', 10), // the outer call returns
      ev(40, 1, 'entry', 'fib', 7),
      ev(50, 1, 'return', 'fib', 8),
    ]);
    assert.deepEqual(calls, { 'fib:7': 2 });
    const fib = analysis.functions.find((f) => f.name === 'fib')!;
    // Outermost: the outer call (0..30), which holds the first inner one, and the last (40..50).
    assert.equal(fib.totalNs, 30 + 10);
    assert.equal(fib.selfNs, 50 - 10);
    assert.equal(fib.partial, 1);
    // One row in every output: the tree has fib at the root and fib under it, no fib:9.
    const tree = analysis.threads[0].tree;
    const lines = [...Array(tree.size).keys()]
      .filter((node) => tree.func.get(node) >= 0)
      .map((node) => analysis.functionTable.line(tree.func.get(node)));
    assert.deepEqual([...new Set(lines)], [7]);
  });

  it('--focus on a frame found running by its lines keeps what runs inside it, nested under it', async () => {
    const line = (ts: number, func: string, number: number) => `${ts}\t100\t1\tline\t/w/app.py\t${func}\t${number}`;
    const { analysis, calls } = await analyzeLines(
      [
        line(10, 'serve', 41),
        ev(20, 1, 'entry', 'handle', 50),
        ev(30, 1, 'return', 'handle', 51),
        line(40, 'serve', 42),
      ],
      { filters: { focus: /^serve$/ } },
    );
    assert.deepEqual(calls, { 'serve:41': 0, 'handle:50': 1 });
    const tree = analysis.threads[0].tree;
    const handle = [...Array(tree.size).keys()].find(
      (node) => tree.func.get(node) >= 0 && analysis.functionTable.name(tree.func.get(node)) === 'handle',
    )!;
    assert.equal(analysis.functionTable.name(tree.func.get(tree.parent.get(handle))), 'serve');
  });
});
