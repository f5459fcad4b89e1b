import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { scratchDir } from './helpers/scratch.js';

// Attribution checked against what cProfile counts (issue 11 §1).

const dir = scratchDir('attribution');
let n = 0;
async function analyzeLines(lines: readonly string[]) {
  const path = join(dir, `t${n++}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const analysis = await analyzeTrace(path, { parseThread: false });
  return { analysis, calls: Object.fromEntries(analysis.functions.map((f) => [`${f.name}:${f.line}`, f.calls])) };
}
const ev = (ts: number, tid: number, probe: string, func: string, line: number) => `${ts}\t100\t${tid}\tfunction__${probe}\t/w/app.py\t${func}\t${line}`;

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

  it('a lambda leaving by an exception on the next lambda\'s line does not take that lambda\'s calls', async () => {
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
    const { calls, analysis } = await analyzeLines([ev(10, 1, 'entry', 'g', 3), ev(20, 1, 'return', 'g', 4), ev(30, 1, 'return', 'serve', 40)]);
    assert.deepEqual(Object.keys(calls).sort(), ['g:3', 'serve:40']);
    assert.equal(analysis.callsAtStart, 1);
  });
});
