import './helpers/fast-check-setup.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { spoolToText } from '../src/parse/spool/spool-text.js';
import { finishInProcessTrace } from '../src/record/inprocess-end.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { ENTRY, RETURN, SpoolWriter, THREAD, tag } from './helpers/spool-writer.js';

/**
 * `pyflame record --via inprocess --follow-children` merges the program's spool and its children's
 * by time (finishInProcessTrace): every event of every spool, each spool's in its own order, the
 * whole in time order when each spool is; one incomplete spool makes the trace incomplete and
 * names the process.
 */

const scratch = scratchDir('spool-merge');
let traces = 0;

/** A spool of process `pid` whose events are at `times` (entries and returns of one function). */
function spoolAt(pid: number, times: readonly number[], end = true): Buffer {
  const writer = new SpoolWriter({ pid, ppid: pid === 100 ? 1 : 100, returns: 'line' })
    .define(`S\t1\tMainThread\nC\t1\t/p${pid}.py\tf\t1\n`)
    .events([times[0]! - 1, tag(1, THREAD), pid, pid]);
  // Chunks of up to three events, so that a spool has several.
  for (let i = 0; i < times.length; i += 3)
    writer.events(
      ...times
        .slice(i, i + 3)
        .map((time, j) => ((i + j) % 2 === 0 ? [time, tag(1, ENTRY), pid] : [time, tag(1, RETURN), pid, 2])),
    );
  return (end ? writer.end() : writer).bytes();
}

async function merge(spools: readonly Buffer[]) {
  const paths = spools.map((bytes) => writeScratch(scratch, bytes, 'p.spool'));
  const trace = join(scratch, `trace-${++traces}.txt`);
  const end = await finishInProcessTrace(paths[0]!, paths.slice(1), trace, { pid: 100, status: 0 });
  return { end, text: readFileSync(trace, 'latin1') };
}

const eventLines = (text: string) => text.split('\n').filter((line) => /^\d/.test(line));

describe('merging the spools of several processes', () => {
  test('every event once, each spool in its order, the whole in time order', async () => {
    const sortedTimes = fc
      .array(fc.integer({ min: 10, max: 10_000 }), { minLength: 1, maxLength: 20 })
      .map((times) => [...times].sort((a, b) => a - b));
    await fc.assert(
      fc.asyncProperty(fc.array(sortedTimes, { minLength: 1, maxLength: 4 }), async (timesOfEach) => {
        const spools = timesOfEach.map((times, i) => spoolAt(100 + i, times));
        const { end, text } = await merge(spools);
        const merged = eventLines(text);
        const singles = spools.map((bytes) => eventLines(spoolToText(bytes, 'x').text));
        assert.equal(merged.length, singles.flat().length);
        assert.equal(end.events, merged.length);
        for (const [i, single] of singles.entries())
          assert.deepEqual(
            merged.filter((line) => line.split('\t')[1] === String(100 + i)),
            single,
          );
        const times = merged.map((line) => Number(line.slice(0, line.indexOf('\t'))));
        assert.deepEqual(
          times,
          [...times].sort((a, b) => a - b),
        );
        assert.equal(end.complete, true);
        assert.match(end.marker, /result=complete/);
        if (spools.length > 1) assert.match(end.marker, new RegExp(`processes=${spools.length}$`));
        for (let i = 1; i < spools.length; i++)
          assert.ok(text.includes(`# pyflame-process pid=${100 + i} ppid=100 `), `process line of ${100 + i}`);
      }),
      { numRuns: 40 },
    );
  });

  test('spools whose times go back now and then (threads racing): every event once, each spool in its order', async () => {
    const times = fc.array(fc.integer({ min: 10, max: 10_000 }), { minLength: 1, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(fc.array(times, { minLength: 2, maxLength: 4 }), async (timesOfEach) => {
        const spools = timesOfEach.map((times, i) => spoolAt(100 + i, times));
        const { text } = await merge(spools);
        const merged = eventLines(text);
        const singles = spools.map((bytes) => eventLines(spoolToText(bytes, 'x').text));
        assert.equal(merged.length, singles.flat().length);
        for (const [i, single] of singles.entries())
          assert.deepEqual(
            merged.filter((line) => line.split('\t')[1] === String(100 + i)),
            single,
          );
      }),
      { numRuns: 40 },
    );
  });

  test('a child spool without its end: incomplete, the child named', async () => {
    const { end, text } = await merge([spoolAt(100, [10, 20, 30, 40]), spoolAt(101, [15, 25], false)]);
    assert.equal(end.complete, false);
    assert.match(end.marker, /result=incomplete .*reason=no-end-chunk:pid-101$/);
    assert.equal(eventLines(text).length, 8);
  });

  test('a damaged child spool: incomplete, reason damaged, the child named', async () => {
    const damaged = Buffer.concat([spoolAt(101, [15, 25]), Buffer.alloc(8, 0xff)]);
    const { end } = await merge([spoolAt(100, [10, 20]), damaged]);
    assert.match(end.marker, /result=incomplete .*reason=damaged:pid-101$/);
  });

  test('a main spool cut inside a chunk: cutLine is set', async () => {
    const whole = spoolAt(100, [10, 20, 30, 40, 50]);
    const { end } = await merge([whole.subarray(0, whole.length - 45)]);
    assert.equal(end.complete, false);
    assert.equal(end.cutLine, true);
  });
});
