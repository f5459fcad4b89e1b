import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { pyflameFormat } from '../src/parse/formats/pyflame-tsv.js';
import { CHUNK_BYTES } from '../src/parse/input-source.js';
import { LineEnd, LineSplitter } from '../src/parse/line-splitter.js';
import { readTrace } from '../src/parse/read-trace.js';
import type { TraceFormat } from '../src/parse/trace-format.js';
import { scratchDir } from './helpers/scratch.js';

// Issue 16: the format is chosen after the head (200 lines); the rest of the chunk that held the
// head (4 MiB, tens of thousands of lines) went line by line through the TypeScript parser, cold,
// before the fast loop took over at the next chunk: a tenth of a second before the first batch.

describe('the line splitter hands the rest of a chunk to the fast loop once it is set', () => {
  it('lines after the one that set onLines go to it in one run, the unfinished last line is carried', () => {
    const one: [number, string, LineEnd][] = [];
    const runs: [number, string][] = [];
    const splitter: LineSplitter = new LineSplitter('t', (bytes, start, end, lineNo, ending) => {
      one.push([lineNo, bytes.toString('latin1', start, end), ending]);
      if (lineNo === 3)
        splitter.onLines = (b, s, e, first) => {
          runs.push([first, b.toString('latin1', s, e)]);
          return b.toString('latin1', s, e).split('\n').length - 1;
        };
    });
    splitter.push(Buffer.from('a\nb\r\nc\nd\ne\r\nf\npartial'));
    assert.deepEqual(one, [
      [1, 'a', LineEnd.LF],
      [2, 'b', LineEnd.CRLF],
      [3, 'c', LineEnd.LF],
    ]);
    assert.deepEqual(runs, [[4, 'd\ne\r\nf\n']]);
    splitter.push(Buffer.from('-end\ng\n'));
    // The carried line ends in the next chunk: one line on its own, then the loop again.
    assert.deepEqual(one.at(-1), [7, 'partial-end', LineEnd.LF]);
    assert.deepEqual(runs.at(-1), [8, 'g\n']);
    assert.equal(splitter.lines, 8);
  });

  it('the line that sets it may be the chunk’s last: nothing more is handed on from that chunk', () => {
    const runs: number[] = [];
    const splitter: LineSplitter = new LineSplitter('t', (_b, _s, _e, lineNo) => {
      if (lineNo === 2)
        splitter.onLines = (_bb, _ss, _ee, first) => {
          runs.push(first);
          return 1;
        };
    });
    splitter.push(Buffer.from('a\nb\n'));
    assert.deepEqual(runs, []);
    splitter.push(Buffer.from('c\n'));
    assert.deepEqual(runs, [3]);
  });
});

describe('a trace read in one chunk: after the head, its lines go through the WebAssembly loop', {
  skip: !fastLinesAvailable(),
}, () => {
  it('only the head reaches the TypeScript parser; the events are those read line by line', async () => {
    const calls = 20_000;
    const lines = ['# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11'];
    for (let i = 0; i < calls; i++) {
      lines.push(`${1000 + 4 * i}\t7\t7\tfunction__entry\t/a.py\tf\t3`);
      lines.push(`${1002 + 4 * i}\t7\t7\tfunction__return\t/a.py\tf\t4`);
    }
    const text = `${lines.join('\n')}\n`;
    assert.ok(text.length < CHUNK_BYTES, 'one chunk');
    const file = join(scratchDir('head-fast-path'), 'one-chunk.txt');
    writeFileSync(file, text);

    let typescriptLines = 0;
    const spied: TraceFormat = {
      ...pyflameFormat,
      createParser: (writer, diagnostics) => {
        const parser = pyflameFormat.createParser(writer, diagnostics);
        const line = parser.line.bind(parser);
        parser.line = (...args) => {
          typescriptLines++;
          return line(...args);
        };
        return parser;
      },
    };
    const fast = await readTrace(file, { formats: [spied] });
    assert.equal(fast.events, 2 * calls);
    assert.ok(typescriptLines <= 201, `${typescriptLines} lines went through the TypeScript parser`);

    const slow = await readTrace(file, { formats: [pyflameFormat], fastLines: false });
    assert.equal(slow.events, fast.events);
    assert.deepEqual(slow.warnings, fast.warnings);
  });
});
