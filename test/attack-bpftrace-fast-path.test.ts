import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { bpftraceFormat } from '../src/parse/formats/bpftrace-raw.js';
import { SAMPLES } from './helpers/paths.js';
import { readThroughLoop as readLoop } from './helpers/through-loop.js';

// Issue 16: a raw bpftrace recording of probes/pyflame.bt ("Attaching N probes...", pyflame's
// event lines, the maps dumped at exit) is pyflame's format with a few lines around it, and as
// large: its event lines must go through the WebAssembly loop, not the TypeScript parser.

/** Reads `text` as raw bpftrace output through the loop (helpers/through-loop.ts). */
const readThroughLoop = (text: string) => readLoop(bpftraceFormat.createParser, text);

describe('raw bpftrace output on the WebAssembly fast path', { skip: !fastLinesAvailable() }, () => {
  it('only bpftrace’s own lines, the header and gc/import lines reach the TypeScript parser', () => {
    const text = [
      'Attaching 9 probes...',
      '# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11',
      '1000\t7\t7\tfunction__entry\t/a.py\t<module>\t1',
      '1010\t7\t7\tfunction__entry\t/a.py\tf\t3',
      '1020\t7\t7\tgc__start\t0',
      '1030\t7\t7\tgc__done\t4',
      '1040\t7\t7\tfunction__return\t/a.py\tf\t4',
      '1050\t7\t7\tfunction__return\t/a.py\t<module>\t9',
      '',
      '@calls[/a.py, f]: 1',
      '@lat:',
      '[1K, 2K)    3 |@@@@@@@@@@|',
      '',
    ].join('\n');
    const { seen, rejected, events } = readThroughLoop(text);
    // The first event sets the trace's time base in TypeScript (as in pyflame's own format); the
    // loop skips the blank line itself.
    assert.deepEqual(seen, [1, 2, 3, 5, 6, 10, 11, 12]);
    assert.deepEqual(rejected, []);
    assert.equal(events, 6);
  });

  it('the shipped bpftrace sample: its event lines go through the loop', () => {
    const text = readFileSync(join(SAMPLES, 'lost-events.bpftrace.txt'), 'latin1');
    const lines = text.split('\n');
    const functionLines = lines.filter((line) => /\tfunction__(entry|return)\t/.test(line)).length;
    assert.ok(functionLines > 100, 'the sample has function events');
    const { seen, events } = readThroughLoop(text);
    const seenFunctionLines = seen.filter((n) => /\tfunction__(entry|return)\t/.test(lines[n - 1] ?? '')).length;
    assert.ok(seenFunctionLines <= 1, `at most the first function line is left to TypeScript (${seenFunctionLines})`);
    assert.ok(events >= functionLines);
  });
});
