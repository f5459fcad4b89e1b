import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TraceInputError } from '../src/model/diagnostics.js';
import { readTrace } from '../src/parse/read-trace.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

const damage = (name: string) => join(FIXTURES, 'damage', name);
const clean = async () => (await eventLogCsv(damage('crlf.txt'))).csv;

/** The event log's rows (CSV, header dropped). */
function rows(csv: string): string[] {
  return csv.trim().split('\n').slice(1);
}

/** The times of the event log's rows, in the order written. */
function rowTimes(csv: string): number[] {
  return rows(csv).map((row) => Number(row.split(',')[0]));
}

function codes(summary: { warnings: { code: string; count: number }[] }): Record<string, number> {
  return Object.fromEntries(summary.warnings.map((w) => [w.code, w.count]));
}

describe('damaged input is repaired, counted and reported', () => {
  it('gzip input is recognized by its magic bytes', async () => {
    const { csv, summary } = await eventLogCsv(damage('gzip.txt.gz'));
    assert.equal(summary.gzip, true);
    assert.equal(csv, await clean());
    assert.deepEqual(summary.warnings, []);
  });

  it('CRLF line ends read like LF', async () => {
    const { summary } = await eventLogCsv(damage('crlf.txt'));
    assert.equal(summary.events, 6);
    assert.deepEqual(summary.warnings, []);
  });

  it('ANSI colour codes are removed, with a warning', async () => {
    const { csv, summary } = await eventLogCsv(damage('ansi-colours.txt'));
    assert.equal(csv.replace(/,\d+\n/g, '\n'), (await clean()).replace(/,\d+\n/g, '\n'));
    assert.deepEqual(codes(summary), { 'ansi-escapes': 3 });
  });

  it('junk lines are skipped and counted with their line numbers', async () => {
    const { summary } = await eventLogCsv(damage('junk-lines.txt'));
    assert.equal(summary.events, 6);
    const junk = summary.warnings.find((w) => w.code === 'junk-line')!;
    assert.equal(junk.count, 3);
    assert.deepEqual(junk.lines, [2, 5, 7]);
    assert.match(junk.message, /garbage that is not an event/);
  });

  it('a truncated last line is skipped with its own warning', async () => {
    const { summary } = await eventLogCsv(damage('truncated-last-line.txt'));
    assert.equal(summary.events, 5);
    assert.deepEqual(codes(summary), { 'truncated-line': 1 });
    assert.deepEqual(summary.warnings[0].lines, [6]);
  });

  it('tracer messages become dropped-event notices and warnings', async () => {
    const { csv, summary } = await eventLogCsv(damage('tracer-messages.txt'));
    assert.equal(summary.events, 6 + 3);
    assert.deepEqual(codes(summary), { 'dropped-events': 1532 + 12 + 37, 'tracer-error': 1 });
    assert.match(csv, /,dropped,,,,1532,dtrace: 1532 drops on CPU 1,2\n/);
    assert.match(csv, /,dropped,,,,37,Lost 37 events,7\n/);
  });

  it('events out of timestamp order are put back in order', async () => {
    const { csv, summary } = await eventLogCsv(damage('out-of-order.txt'));
    const times = rowTimes(csv);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(summary.warnings.find((w) => w.code === 'out-of-order')?.count, 2);
  });

  it('DTrace per-CPU buffers printed in turn are merged by time', async () => {
    const { csv, summary } = await eventLogCsv(damage('per-cpu-buffers.dtrace.txt'));
    const functions = rows(csv).map((row) => row.split(',').slice(3, 6).join(' '));
    assert.deepEqual(functions, [
      'entry m.py main',
      'entry m.py b',
      'return m.py b',
      'entry m.py a',
      'return m.py a',
      'return m.py main',
    ]);
    assert.equal(summary.warnings[0].code, 'out-of-order');
  });

  it('an event later than the reorder window allows keeps its place and is reported', async () => {
    const { csv, summary } = await eventLogCsv(damage('out-of-order.txt'), { reorderWindow: 0, batchSize: 1 });
    const times = rowTimes(csv);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'time never goes backwards',
    );
    assert.equal(summary.warnings.find((w) => w.code === 'out-of-order-late')?.count, 2);
  });

  it('names that attack terminals or pages: escape sequences removed (warned), the rest kept as data', async () => {
    const { csv, summary } = await eventLogCsv(damage('hostile-names.txt'));
    assert.equal(summary.events, 4);
    assert.ok(!csv.includes('\x1b'), 'no escape sequence survives');
    assert.ok(csv.includes(',evil,'), 'the rest of the name is kept');
    assert.ok(csv.includes('rtl\u202eflip'), 'other characters are data, escaped only where they are shown');
    assert.ok(csv.includes('"/t/""quoted"" & \'single\'.py"'));
    assert.equal(summary.warnings.find((w) => w.code === 'ansi-escapes')?.count, 2);
    assertGolden('damage/hostile-names.summary.txt', warningsText(summary));
  });
});

describe('unreadable input is a clear error naming the file and line', () => {
  const cases: Array<[string, RegExp]> = [
    ['empty.txt', /empty\.txt: empty trace: no lines to read$/],
    ['blank-lines-only.txt', /blank-lines-only\.txt: empty trace/],
    [
      'binary.bin',
      /binary\.bin:1: binary data \(a NUL byte at offset 0\), not a text trace; expected one of: bpftrace, pyflame, csv, dtrace, stap, stap-top$/,
    ],
    [
      'not-a-trace.txt',
      /not-a-trace\.txt:1: not a trace format pyflame reads \(tried: bpftrace, pyflame, csv, dtrace, stap, stap-top\); this line fits none of them: "hello world"$/,
    ],
  ];
  for (const [file, message] of cases) {
    it(file, async () => {
      await assert.rejects(readTrace(damage(file)), (error: unknown) => {
        assert.ok(error instanceof TraceInputError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('a forced format that fits no line is an error, not an empty result', async () => {
    await assert.rejects(
      readTrace(damage('crlf.txt'), { format: 'stap' }),
      /crlf\.txt:1: no events: no line is in the stap format/,
    );
  });

  it('a file is never modified by reading it', async () => {
    const before = readFileSync(damage('junk-lines.txt'));
    await eventLogCsv(damage('junk-lines.txt'));
    assert.deepEqual(readFileSync(damage('junk-lines.txt')), before);
  });
});

describe('names', () => {
  it('UTF-8 names are decoded; bytes that are not UTF-8 become U+FFFD, reported', async () => {
    const { csv, summary } = await eventLogCsv(damage('invalid-utf8.txt'));
    assert.match(csv, /,\/t\/caf\uFFFD\.py,f\uFFFDr,1,/);
    assert.match(csv, /,\/t\/ok\uFFFD\.py,g,1,/, 'a real U+FFFD in a name is kept');
    assert.deepEqual(
      codes(summary),
      { 'invalid-utf8': 4 },
      'file and function of two frames (entry and return lines differ)',
    );
  });

  it('a header value may hold spaces and non-ASCII', async () => {
    const path = join(scratchDir('header'), 'h.txt');
    writeFileSync(path, '# pyflame-trace v1 clock=boot_ns python=/opt/my pythön/bin/python3\n1\t1\t1\tgc__start\t0\n');
    const { summary } = await eventLogCsv(path);
    assert.deepEqual(summary.metadata, { clock: 'boot_ns', python: '/opt/my pythön/bin/python3' });
  });

  it("the pyflame header's clock and python are reported", async () => {
    const { summary } = await eventLogCsv(join(FIXTURES, 'formats/pyflame/all-probes.txt'));
    assert.deepEqual(summary.metadata, { clock: 'realtime_ns', python: '/usr/bin/python3.11' });
  });
});

describe('the reorder window', () => {
  it('an event too late for the window never makes time go backwards, even within a batch', async () => {
    const lines = ['# pyflame-trace v1'];
    for (let i = 0; i < 2000; i++) lines.push(`${1_000_000 + i}\t1\t1\tgc__start\t0`);
    lines.push('999000\t1\t1\tgc__done\t5');
    for (let i = 0; i < 10; i++) lines.push(`${1_002_000 + i}\t1\t1\tgc__start\t0`);
    const path = join(scratchDir('late'), 'late.txt');
    writeFileSync(path, `${lines.join('\n')}\n`);
    for (const options of [
      { reorderWindow: 0 },
      { reorderWindow: 0, batchSize: 1 },
      { reorderWindow: 100, batchSize: 64 },
    ]) {
      const { csv, summary } = await eventLogCsv(path, options);
      const times = rowTimes(csv);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        JSON.stringify(options),
      );
      // Within a batch it is merely out of order; past the window, late (its time raised).
      const repaired = summary.warnings.filter((w) => w.code === 'out-of-order-late' || w.code === 'out-of-order');
      assert.deepEqual(
        repaired.map((w) => w.count),
        [1],
        JSON.stringify(options),
      );
    }
  });
});

describe('a stray NUL', () => {
  it('in a text trace is a damaged line (junk), not a binary file', async () => {
    const { summary } = await eventLogCsv(damage('stray-nul.txt'));
    assert.equal(summary.events, 400);
    assert.deepEqual(codes(summary), { 'junk-line': 1 });
    assert.deepEqual(summary.warnings[0].lines, [51]);
  });
});

describe('memory bounds', () => {
  it('a trace with more distinct frames than the bound is refused, not read into memory', async () => {
    const rows = ['# pyflame-trace v1'];
    for (let i = 0; i < 30; i++) rows.push(`${i}\t1\t1\tfunction__entry\t/t/f${i}.py\tf${i}\t1`);
    const path = join(scratchDir('frames'), 'many.txt');
    writeFileSync(path, `${rows.join('\n')}\n`);
    for (const fastLines of [true, false]) {
      await assert.rejects(
        readTrace(path, { maxFrames: 10, fastLines }),
        /many\.txt: more than 10 distinct \(file, function, line\) frames/,
      );
    }
    assert.equal((await eventLogCsv(path, { maxFrames: 30 })).summary.events, 30);
  });
});
