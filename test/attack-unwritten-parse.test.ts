import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { FIXTURES } from './helpers/paths.js';
import { withCounts } from './helpers/unwritten-counts.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText, type GenEvent } from './helpers/trace-gen.js';

// Issue 13 §B: the pyflame format's optional last field `u=N` (probe firings not written since the
// thread's previous written event). A parser strips it before reading the frame and emits an
// `unwritten` event (value N) just before the line's event when N > 0; both engines alike.
const scratch = scratchDir('unwritten');

const UNWRITTEN_ROW = /^(\d+),(\d+),(\d+),unwritten,,,,(\d+),,(\d+)$/;

function rows(csv: string): string[] {
  return csv.trim().split('\n').slice(1);
}

/** File names that hold `\tu=N` themselves: only a line's last field is the count. */
function withTabbedFiles(events: readonly GenEvent[]): GenEvent[] {
  return events.map((e) => (e.file === undefined ? e : { ...e, file: e.file.replace('/app/', '/app\tu=7/') }));
}

describe('the u=N field of the pyflame format', () => {
  it('the WebAssembly loop is built (both engines are compared below)', () => assert.ok(fastLinesAvailable()));

  it('a trace with u= fields reads as without them, plus unwritten events, in both engines at any read size', async () => {
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.array(fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 }), fc.constant(2 ** 53 - 1))), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.boolean(),
        fc.integer({ min: 1, max: 300 }),
        async (generated, counts, tabbedFiles, chunkBytes) => {
          const events = tabbedFiles ? withTabbedFiles(generated) : generated;
          const plain = toPyflameText(events);
          const counted = withCounts(plain, counts);
          const plainPath = writeScratch(scratch, plain);
          const countedPath = writeScratch(scratch, counted);
          const reference = await eventLogCsv(plainPath, { fastLines: false });
          const expectedUnwritten: string[] = [];
          let event = 0;
          plain.split('\n').forEach((line, index) => {
            if (line === '' || line.startsWith('#')) return;
            const count = counts[event++ % counts.length];
            if (count !== null && count > 0) expectedUnwritten.push(`${index + 1}:${count}`);
          });
          for (const options of [
            { fastLines: false },
            { fastLines: true },
            { fastLines: true, chunkBytes },
            { fastLines: false, chunkBytes },
          ]) {
            const read = await eventLogCsv(countedPath, options);
            const all = rows(read.csv);
            const others = all.filter((row) => !UNWRITTEN_ROW.test(row));
            assert.deepEqual(others, rows(reference.csv), `other events with ${JSON.stringify(options)}`);
            const unwritten: string[] = [];
            all.forEach((row, i) => {
              const match = UNWRITTEN_ROW.exec(row);
              if (match === null) return;
              const next = all[i + 1] ?? '';
              const [, ts, pid, tid, value, sourceLine] = match;
              assert.ok(next.startsWith(`${ts},${pid},${tid},`), `unwritten row ${row} is followed by its event`);
              assert.ok(next.endsWith(`,${sourceLine}`), `unwritten row ${row} is followed by its own line's event`);
              assert.ok(!UNWRITTEN_ROW.test(next));
              unwritten.push(`${sourceLine}:${value}`);
            });
            assert.deepEqual(unwritten, expectedUnwritten, `unwritten events with ${JSON.stringify(options)}`);
            assert.equal(
              warningsText(read.summary).replace(/^events: \d+\n/m, ''),
              warningsText(reference.summary).replace(/^events: \d+\n/m, ''),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a u= value that is not a count is warned and counted, the event kept, the same in both engines', async () => {
    const line = (ts: number, u: string) => `${ts}\t7\t7\tfunction__entry\t/a.py\tf\t3\tu=${u}`;
    const text = `${['', '-1', '1e3', '9007199254740992', '12345678901234567890123', 'x', '3'].map((u, i) => line(1000 + i, u)).join('\n')}\n`;
    const path = writeScratch(scratch, text);
    const js = await eventLogCsv(path, { fastLines: false });
    const wasm = await eventLogCsv(path, { fastLines: true });
    assert.equal(wasm.csv, js.csv);
    assert.equal(warningsText(wasm.summary), warningsText(js.summary));
    const all = rows(js.csv);
    assert.equal(all.filter((row) => row.includes(',entry,')).length, 7, 'every event kept');
    assert.deepEqual(
      all.filter((row) => UNWRITTEN_ROW.test(row)),
      ['1006,7,7,unwritten,,,,3,,7'],
    );
    const warning = js.summary.warnings.find((w) => w.code === 'bad-unwritten-count');
    assert.ok(warning, warningsText(js.summary));
    assert.equal(warning.count, 6);
    assert.deepEqual(warning.lines, [1, 2, 3, 4, 5]);
  });

  it('an unwritten event needing the last slot of a batch is not lost or split between batches', async () => {
    // 65536 is the loop's run size: lines carrying counts around it cross a batch boundary.
    const lines: string[] = [];
    for (let i = 0; i < 70000; i++) {
      const probe = i % 2 === 0 ? 'function__entry' : 'function__return';
      lines.push(`${1000 + i}\t7\t7\t${probe}\t/a.py\tf\t${i % 2}\tu=${i % 3}`);
    }
    const path = writeScratch(scratch, `${lines.join('\n')}\n`);
    const js = await eventLogCsv(path, { fastLines: false });
    const wasm = await eventLogCsv(path, { fastLines: true });
    assert.equal(js.summary.events, 70000 + Math.floor((70000 * 2) / 3));
    assert.equal(wasm.csv, js.csv);
  });

  it('the event log keeps unwritten events: its CSV reads back to the same log', async () => {
    const fixture = join(FIXTURES, 'formats', 'pyflame', 'unwritten-counts.txt');
    const first = await eventLogCsv(fixture);
    assert.match(first.csv, /^507450811900,5273,5273,unwritten,,,,2,,3$/m);
    const again = await eventLogCsv(writeScratch(scratch, first.csv, 'log.csv'));
    assert.equal(again.summary.format, 'csv');
    assert.equal(again.csv.replace(/,\d+\n/g, '\n'), first.csv.replace(/,\d+\n/g, '\n'));
  });
});
