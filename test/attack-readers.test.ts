import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { TimeBase } from '../src/model/time-base.js';
import { readFolded } from '../src/folded-input/read-folded.js';
import { MAX_NAME_BYTES } from '../src/parse/event-writer.js';
import { readTrace, type ReadTraceOptions } from '../src/parse/read-trace.js';
import { loadEvents } from '../src/load-events.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, toPyflameText } from './helpers/trace-gen.js';

// Issue 10, the readers: line ends, heads, byte order marks, numbers out of range and names past
// the memory bound, in every format and both engines (the WebAssembly loop and TypeScript).
const scratch = scratchDir('attack-readers');

/** One small trace of each format (LF line ends). */
const SAMPLES: Record<string, string> = {
  pyflame: 'formats/pyflame/all-probes.txt',
  bpftrace: 'formats/bpftrace/raw.txt',
  csv: 'formats/csv/quoted.csv',
  dtrace: 'formats/dtrace/docs-example.txt',
  stap: 'formats/stap/two-threads.txt',
  'stap-top': 'formats/stap-top/two-intervals.txt',
};
const sample = (format: string) => readFileSync(join(FIXTURES, SAMPLES[format]), 'latin1');

const ENGINES = [{ fastLines: true }, { fastLines: false }];
/** Read sizes: every boundary (a CR LF split in two, a CR last in a chunk) and the default. */
const CHUNKS = [1, 2, 3, 5, 64, undefined];

interface Reading {
  readonly csv: string;
  readonly warnings: string;
}

async function reading(path: string, options: Omit<ReadTraceOptions, 'onBatch'> = {}): Promise<Reading> {
  const { csv, summary } = await eventLogCsv(path, options);
  return { csv, warnings: warningsText(summary) };
}

/** Every engine at every read size reads `path` as `expected`. */
async function assertReadsAs(
  path: string,
  expected: Reading,
  chunks: readonly (number | undefined)[] = CHUNKS,
): Promise<void> {
  for (const engine of ENGINES) {
    for (const chunkBytes of chunks) {
      const options = { ...engine, chunkBytes };
      const got = await reading(path, options);
      assert.equal(got.csv, expected.csv, `event log with ${JSON.stringify(options)}`);
      assert.equal(got.warnings, expected.warnings, `warnings with ${JSON.stringify(options)}`);
    }
  }
}

/**
 * The text's LF line ends replaced, line by line, by `ending(i)`. A lone CR before an empty line
 * that ends with an LF would read as one CR LF: that CR is made a CR LF itself.
 */
function withEndings(text: string, ending: (i: number) => string): string {
  const lines = text.split('\n');
  const last = lines.pop()!;
  const endings = lines.map((_, i) => ending(i));
  endings.forEach((end, i) => {
    if (end === '\r' && i + 1 < lines.length && lines[i + 1] === '' && endings[i + 1] === '\n') endings[i] = '\r\n';
  });
  return lines.map((line, i) => line + endings[i]).join('') + last;
}

const MIXED = ['\n', '\r\n', '\r'];

const write = (content: string | Buffer, name = 'trace.txt') =>
  writeScratch(scratch, typeof content === 'string' ? Buffer.from(content, 'latin1') : content, name);

/** The CSV rows without their source_line (lines move when lines are added before them). */
const withoutSourceLines = (csv: string) => csv.replace(/,\d+\n/g, '\n');

describe('a lone CR ends a line, in every format and both engines', () => {
  for (const format of Object.keys(SAMPLES)) {
    it(`${format}: CR and mixed LF / CR LF / CR line ends read as LF does`, async () => {
      const text = sample(format);
      const expected = await reading(write(text));
      assert.ok(expected.csv.split('\n').length > 3, 'the sample has events');
      await assertReadsAs(write(withEndings(text, () => '\r')), expected);
      await assertReadsAs(write(withEndings(text, (i) => MIXED[i % 3])), expected);
      await assertReadsAs(write(withEndings(text, (i) => MIXED[(i + 2) % 3])), expected);
    });
  }

  it('in a quoted CSV field, a CR and a CR LF are data', async () => {
    const header = 'ts_ns,pid,tid,event,file,function,line,value,name,source_line';
    for (const eol of MIXED) {
      const path = write(
        [header, '5,1,1,audit,,,,,"a\rb",2', '6,1,1,audit,,,,,"c\r\nd",3', '7,1,1,audit,,,,,e,4', ''].join(eol),
        'log.csv',
      );
      for (const engine of ENGINES) {
        for (const chunkBytes of CHUNKS) {
          const { events, summary } = await loadEvents(path, { ...engine, chunkBytes });
          assert.deepEqual(
            events.map((e) => e.name),
            ['a\rb', 'c\r\nd', 'e'],
            `line end ${JSON.stringify(eol)}, ${chunkBytes}`,
          );
          assert.deepEqual(summary.warnings, []);
        }
      }
    }
  });

  it('a CR before the first line or doubled reads as blank lines, not as junk', async () => {
    const text = sample('pyflame');
    const expected = await reading(write(text));
    const doubled = await reading(write(`\r${withEndings(text, () => '\r\r')}`));
    assert.equal(withoutSourceLines(doubled.csv), withoutSourceLines(expected.csv));
    assert.match(doubled.warnings, /^format: pyflame\nevents: \d+\nlines: \d+\n$/);
  });

  it('generated traces: any mix of line ends, any read size, both engines read the LF log', async () => {
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.array(fc.constantFrom(...MIXED), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 97 }),
        async (events, endings, chunk) => {
          const text = toPyflameText(events);
          const expected = await reading(write(text));
          await assertReadsAs(write(withEndings(text, (i) => endings[i % endings.length])), expected, [chunk]);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('folded stacks share the line splitter', () => {
  it('CR and mixed line ends read as LF does, at any read size', async () => {
    const text = 'main;work;a 3\nmain;work;b 5\nmain 1\n';
    for (const chunkBytes of CHUNKS) {
      const expected = await readFolded(write(text, 'lf.folded'), { chunkBytes });
      for (const variant of [withEndings(text, () => '\r'), withEndings(text, (i) => MIXED[i % 3])]) {
        const got = await readFolded(write(variant, 'cr.folded'), { chunkBytes });
        assert.deepEqual(
          [got.stackLines, got.total, got.labels, got.warnings],
          [expected.stackLines, expected.total, expected.labels, expected.warnings],
        );
      }
    }
  });
});

describe('format detection looks past blank and comment lines', () => {
  for (const format of Object.keys(SAMPLES)) {
    it(`${format}: 250 and 300,000 leading blank lines, 300 leading comment lines`, async () => {
      const text = sample(format);
      const expected = await reading(write(text));
      for (const prefix of [
        '\n'.repeat(250),
        '\r\n'.repeat(250),
        ' \n'.repeat(250),
        '\n'.repeat(300_000),
        '# a comment line of the recording\n'.repeat(300),
      ]) {
        for (const engine of ENGINES) {
          const { csv, summary } = await eventLogCsv(write(prefix + text), engine);
          assert.equal(summary.format, format);
          assert.equal(
            withoutSourceLines(csv),
            withoutSourceLines(expected.csv),
            `${format} after ${JSON.stringify(prefix.slice(0, 12))}…`,
          );
          const junk = summary.warnings.find((w) => w.code === 'junk-line');
          // `#` is a comment in pyflame's formats; elsewhere such lines are junk, counted.
          if (prefix.startsWith('#') && format !== 'pyflame' && format !== 'bpftrace') assert.equal(junk?.count, 300);
          else assert.equal(junk, undefined);
        }
      }
    });
  }

  it('a file of blank lines only is still an empty trace', async () => {
    for (const content of ['\n'.repeat(300_000), '\r'.repeat(1000), ' \r\n'.repeat(1000)]) {
      await assert.rejects(
        readTrace(write(content)),
        (error: unknown) => error instanceof TraceInputError && /empty trace: no lines to read/.test(error.problem),
      );
    }
  });
});

describe('a UTF-8 byte order mark is read without harm', () => {
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  for (const format of Object.keys(SAMPLES)) {
    it(`${format}: a leading BOM is dropped; every event is read`, async () => {
      const text = Buffer.from(sample(format), 'latin1');
      const expected = await reading(write(text));
      await assertReadsAs(write(Buffer.concat([BOM, text])), expected);
    });
  }

  it('a BOM alone is an empty trace; a BOM later in the file is data', async () => {
    await assert.rejects(readTrace(write(BOM)), /empty trace/);
    const text = `${sample('pyflame')}\ufeff1732700000300000000\t4242\t4242\tgc__start\t0\n`;
    const { summary } = await eventLogCsv(write(Buffer.from(text)));
    assert.equal(summary.warnings.find((w) => w.code === 'junk-line')?.count, 1);
  });
});

/** A pyflame-format function entry line. */
const entry = (
  ts: string | bigint | number,
  pid: string | number,
  tid: string | number,
  func = 'f',
  line: string | number = 1,
) => `${ts}\t${pid}\t${tid}\tfunction__entry\t/app/a.py\t${func}\t${line}\n`;

function outOfRange(summary: { warnings: { code: string; count: number; lines: number[]; message: string }[] }) {
  return summary.warnings.find((w) => w.code === 'out-of-range');
}

describe('numbers out of range are refused, counted, with their lines', () => {
  it('pids and tids past 2^53 - 1 (and past 2^64) are not rounded into other threads', async () => {
    const text = [
      '# pyflame-trace v1\n',
      entry(1000, '9007199254740991', 1),
      entry(1001, '9007199254740992', 1),
      entry(1002, '9007199254740993', 1),
      entry(1003, 1, '18446744073709551617'),
      entry(1004, 1, '9'.repeat(400)),
      entry(1005, '000000000000000000000007', 1),
    ].join('');
    for (const engine of ENGINES) {
      for (const chunkBytes of [3, undefined]) {
        const { events, summary } = await loadEvents(write(text), { ...engine, chunkBytes });
        assert.deepEqual(
          events.map((e) => [e.pid, e.tid, e.source_line]),
          [
            [9007199254740991, 1, 2],
            [7, 1, 7],
          ],
        );
        const warning = outOfRange(summary)!;
        assert.equal(warning.count, 4);
        assert.deepEqual(warning.lines, [3, 4, 5, 6]);
        assert.match(warning.message, /the pid 9007199254740992 is more than 2\^53 - 1 \(9007199254740991\)/);
      }
    }
  });

  it('timestamps past 2^63 - 1 ns, or more than 2^53 - 1 ns from the first event, are refused', async () => {
    const text = [
      entry('9223372036854775808', 1, 1),
      entry('9223372036854775807', 1, 1),
      entry(9223372036854775807n - 9007199254740991n, 1, 1),
      entry(9223372036854775807n - 9007199254740992n, 1, 1),
      entry('1' + '0'.repeat(310), 1, 1),
      entry('00000000000000000000009223372036854775000', 1, 1),
    ].join('');
    for (const engine of ENGINES) {
      const { events, summary } = await loadEvents(write(text), engine);
      assert.deepEqual(
        events.map((e) => [e.ts_ns, e.source_line]),
        [
          [String(9223372036854775807n - 9007199254740991n), 3],
          ['9223372036854775000', 6],
          ['9223372036854775807', 2],
        ],
      );
      const warning = outOfRange(summary)!;
      assert.deepEqual(warning.lines, [1, 4, 5]);
      assert.match(warning.message, /the timestamp 9223372036854775808 is more than 2\^63 - 1 ns/);
    }
  });

  it('line numbers outside a C int, and values past 2^53 - 1, are refused', async () => {
    const text = [
      entry(1000, 1, 1, 'f', 2147483647),
      entry(1001, 1, 1, 'g', 2147483648),
      entry(1002, 1, 1, 'h', '-2147483649'),
      entry(1003, 1, 1, 'i', '9'.repeat(320)),
      '1004\t1\t1\tgc__start\t9007199254740992\n',
      '1005\t1\t1\tgc__done\t-' + '9'.repeat(320) + '\n',
      '1006\t1\t1\timport__find__load__done\tjson\t9007199254740992\n',
      '1007\t1\t1\tgc__start\t-9007199254740991\n',
      `Lost ${'9'.repeat(400)} events\n`,
    ].join('');
    for (const engine of ENGINES) {
      const { events, summary } = await loadEvents(write(text), engine);
      assert.deepEqual(
        events.map((e) => [e.event, e.line ?? e.value]),
        [
          ['entry', 2147483647],
          ['gc-start', -9007199254740991],
        ],
      );
      assert.equal(outOfRange(summary)!.count, 7);
      assert.deepEqual(summary.frames.size, 1, 'no frame is made for a refused line');
      assert.equal(
        summary.warnings.find((w) => w.code === 'dropped-events'),
        undefined,
      );
    }
  });

  it('the other formats refuse the same numbers', async () => {
    // [file, content, events kept, events refused]
    const cases: [string, string, number, number][] = [
      [
        'log.csv',
        'ts_ns,pid,tid,event,file,function,line,value,name,source_line\n1,9007199254740992,1,entry,/a.py,f,1,,,2\n2,1,1,entry,/a.py,f,1,,,3\n3,1,1,gc-done,,,,1e308,,4\n4,1,1,entry,/a.py,f,3000000000,,,5\n' +
          `${'9'.repeat(309)},1,1,entry,/a.py,f,1,,,6\n`,
        1,
        4,
      ],
      [
        'dtrace.txt',
        `1000\t function-entry:a.py:f:1\n${'9'.repeat(320)}\t function-entry:a.py:f:1\n1001\t function-entry:a.py:f:99999999999\n`,
        1,
        2,
      ],
      [
        'stap.txt',
        `     0 python3.11(100): => main in /app/run.py:1\n     1 python3.11(9007199254740993): => main in /app/run.py:1\n${'9'.repeat(320)} python3.11(100): => work in /app/run.py:5\n     2 python3.11(100): => work in /app/run.py:3000000000\n`,
        1,
        3,
      ],
      [
        'top.txt',
        '  PID   FILENAME   LINE   FUNCTION  CALLS\n  4242   /a.py   1   f   3\n  9007199254740993   /a.py   1   f   3\n  4242   /a.py   1   f   9007199254740992\n',
        1,
        2,
      ],
    ];
    for (const [name, text, kept, refused] of cases) {
      const { events, summary } = await loadEvents(write(text, name));
      assert.equal(events.length, kept, name);
      assert.equal(outOfRange(summary)?.count, refused, `${name}: ${JSON.stringify(summary.warnings)}`);
      assert.doesNotMatch(JSON.stringify(events), /Infinity|NaN|null/);
    }
  });

  it('fuzzed numbers: both engines agree, every number read is exact, every line is read or counted', async () => {
    const digits = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    // Near every limit, and far past them.
    const number = fc.oneof(
      digits(1, 6),
      digits(14, 22),
      digits(300, 320),
      fc.constantFrom(
        '9007199254740991',
        '9007199254740992',
        '9223372036854775807',
        '9223372036854775808',
        '18446744073709551616',
        '2147483647',
        '2147483648',
      ),
    );
    const line = fc.oneof(
      fc
        .tuple(number, number, number, number)
        .map(([ts, pid, tid, n]) => `${ts}\t${pid}\t${tid}\tfunction__entry\t/a.py\tf\t${n}`),
      fc.tuple(number, number).map(([ts, n]) => `${ts}\t1\t1\tfunction__return\t/a.py\tf\t-${n}`),
      fc.tuple(number, number).map(([ts, n]) => `${ts}\t1\t2\tgc__done\t${n}`),
      fc.tuple(number, number).map(([ts, n]) => `${ts}\t1\t2\timport__find__load__done\tm\t${n}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 200 }),
        async (lines, chunkBytes) => {
          const path = write(`1000\t1\t1\tgc__start\t0\n${lines.join('\n')}\n`);
          const readings = await Promise.all(ENGINES.map((engine) => loadEvents(path, { ...engine, chunkBytes })));
          assert.deepEqual(readings[0].events, readings[1].events);
          const { events, summary } = readings[0];
          for (const event of events) {
            for (const value of [event.pid, event.tid, event.line, event.value, event.source_line])
              assert.ok(value === undefined || Number.isSafeInteger(value), JSON.stringify(event));
            assert.match(event.ts_ns, /^\d{1,19}$/);
            assert.ok(BigInt(event.ts_ns) <= 9223372036854775807n);
          }
          const counted = summary.warnings
            .filter((w) => w.code === 'out-of-range' || w.code === 'junk-line')
            .reduce((sum, w) => sum + w.count, 0);
          assert.equal(events.length + counted, lines.length + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the time base refuses what it cannot hold exactly, and is not set by it', () => {
    const decimal = (time: TimeBase, value: bigint) => {
      const digits = Buffer.from(value.toString());
      return time.fromDecimal(digits, 0, digits.length);
    };
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n ** 63n, max: 10n ** 400n }),
        fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n }),
        (tooLarge, first, tooFar) => {
          const time = new TimeBase();
          assert.ok(Number.isNaN(decimal(time, tooLarge)));
          assert.equal(time.isSet, false);
          assert.equal(decimal(time, first), 0);
          if (first + tooFar < 2n ** 63n) assert.ok(Number.isNaN(decimal(time, first + tooFar)));
          if (first - tooFar >= 0n) assert.ok(Number.isNaN(decimal(time, first - tooFar)));
          assert.ok(Number.isNaN(time.fromNumber(Number(tooFar) * 2)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a trace of refused events only is rejected with a clear message', async () => {
    await assert.rejects(
      readTrace(write(entry('9'.repeat(320), 1, 1) + entry(1, '9'.repeat(30), 1))),
      (error: unknown) => {
        assert.ok(error instanceof TraceInputError);
        assert.equal(error.line, 1);
        assert.match(
          error.problem,
          /^no events: every event had a number out of range \(events with a number out of range were skipped, the first: the timestamp 9{40}… \(320 characters\) is more than 2\^63 - 1 ns/,
        );
        return true;
      },
    );
  });
});

describe('hostile numbers never crash a command or reach an output as Infinity or NaN', () => {
  const huge = '1' + '0'.repeat(310);
  const hostile: Record<string, string> = {
    // A GC pause of 10^310 ns, and of 2^63 ns.
    'gc-300-digits.txt': `1000\t1\t1\tgc__start\t0\n${huge}\t1\t1\tgc__done\t5\n2000\t1\t1\tfunction__entry\t/a.py\tf\t1\n`,
    'gc-2p63.txt': `1000\t1\t1\tgc__start\t0\n9223372036854775808\t1\t1\tgc__done\t5\n9007199254741991\t1\t1\tgc__done\t5\n`,
    'entry-309-digits.txt': `1000\t1\t1\tfunction__entry\t/a.py\tf\t1\n${'9'.repeat(309)}\t1\t1\tfunction__return\t/a.py\tf\t2\n2000\t1\t1\tfunction__return\t/a.py\tf\t2\n`,
    'values.csv': `ts_ns,pid,tid,event,file,function,line,value,name,source_line\n1000,1,1,gc-start,,,,0,,2\n2000,1,1,gc-done,,,,1e308,,3\n3000,18446744073709551617,1,entry,/a.py,f,1,,,4\n4000,1,1,entry,/a.py,f,1,,,5\n`,
  };
  for (const [name, text] of Object.entries(hostile)) {
    it(`${name}: analyze (every output), convert and diff exit 0 with a warning`, async () => {
      const trace = write(text, name);
      const out = (ext: string) => join(scratch, `${name}.${ext}`);
      const analyze = await runCli(
        [
          'analyze',
          trace,
          '--json',
          out('json'),
          '--svg',
          out('svg'),
          '--speedscope',
          out('speedscope.json'),
          '--html',
          out('html'),
          '--folded',
          out('folded'),
        ],
        { cwd: ROOT },
      );
      assert.equal(analyze.code, 0, analyze.stderr);
      assert.match(analyze.stdout + analyze.stderr, /out-of-range/);
      for (const ext of ['json', 'svg', 'speedscope.json', 'html', 'folded'])
        assert.doesNotMatch(readFileSync(out(ext), 'utf8'), /Infinity|NaN/, ext);
      JSON.parse(readFileSync(out('speedscope.json'), 'utf8'));
      const [convert, diff] = await Promise.all([
        runCli(['convert', trace, '--to', 'jsonl', '-o', out('jsonl')]),
        runCli(['diff', trace, trace]),
      ]);
      assert.equal(convert.code, 0, convert.stderr);
      assert.doesNotMatch(readFileSync(out('jsonl'), 'utf8'), /Infinity|NaN/);
      assert.equal(diff.code, 0, diff.stderr);
      assert.doesNotMatch(diff.stdout, /Infinity|NaN/);
    });
  }

  it('nothing valid left: exit 2 with the file, the line and the limit', async () => {
    const trace = write(
      `${'9'.repeat(320)}\t1\t1\tgc__start\t0\n${'9'.repeat(320)}\t1\t1\tgc__done\t5\n`,
      'all-refused.txt',
    );
    const commands = [
      ['analyze', trace, '--json', join(scratch, 'refused.json')],
      ['convert', trace, '--to', 'csv', '-o', join(scratch, 'refused.csv')],
      ['diff', trace, trace],
    ];
    for (const result of await Promise.all(commands.map((args) => runCli(args)))) {
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        /all-refused\.txt:1: no events: every event had a number out of range .*2\^63 - 1 ns/,
      );
      assert.doesNotMatch(result.stderr, /internal error|RangeError/);
    }
  });
});

describe('distinct names are bounded by memory, not only by count', () => {
  const limit = 1024 * 1024;

  it('long function names stop at the limit, naming the file, the line and the limit', async () => {
    // Each distinct frame counts about 4 bytes per character: the 17th 16 KiB name passes 1 MiB.
    const text = Array.from({ length: 40 }, (_, i) => entry(1000 + i, 1, 1, `f${i}_${'x'.repeat(16 * 1024)}`)).join('');
    const path = write(text, 'long-names.txt');
    for (const engine of ENGINES) {
      for (const chunkBytes of [4096, undefined]) {
        await assert.rejects(readTrace(path, { ...engine, chunkBytes, maxNameBytes: limit }), (error: unknown) => {
          assert.ok(error instanceof TraceInputError);
          assert.equal(error.file, path);
          assert.equal(error.line, 16);
          assert.match(
            error.message,
            /long-names\.txt:16: too many distinct names to hold: the names and frames read so far would take more than 1 MiB of memory/,
          );
          return true;
        });
      }
    }
  });

  it('module names, CSV and stap names count too', async () => {
    const long = (i: number) => `m${i}_${'y'.repeat(32 * 1024)}`;
    const inputs: [string, string][] = [
      [
        'imports.txt',
        Array.from({ length: 20 }, (_, i) => `${1000 + i}\t1\t1\timport__find__load__start\t${long(i)}\n`).join(''),
      ],
      [
        'names.csv',
        `ts_ns,pid,tid,event,file,function,line,value,name,source_line\n${Array.from({ length: 20 }, (_, i) => `${1000 + i},1,1,entry,/a.py,${long(i)},1,,,${i + 2}\n`).join('')}`,
      ],
      [
        'stap.txt',
        Array.from(
          { length: 20 },
          (_, i) => `${String(i).padStart(6)} python3.11(100): => ${long(i)} in /app/run.py:1\n`,
        ).join(''),
      ],
    ];
    for (const [name, text] of inputs) {
      await assert.rejects(
        readTrace(write(text, name), { maxNameBytes: limit }),
        (error: unknown) =>
          error instanceof TraceInputError &&
          error.line !== undefined &&
          /more than 1 MiB of memory/.test(error.problem),
      );
    }
  });

  it('the default limit is 512 MiB, as docs/damage.md says', () => {
    assert.equal(MAX_NAME_BYTES, 512 * 1024 * 1024);
    assert.match(readFileSync(join(ROOT, 'docs/damage.md'), 'utf8'), /more than 512 MiB of memory/);
  });
});
