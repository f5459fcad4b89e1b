import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { fastLinesAvailable } from '../src/parse/fast-lines.js';
import { stapCallHierarchyFormat } from '../src/parse/formats/stap-call-hierarchy.js';
import { eventLogCsv, warningsText } from './helpers/event-log.js';
import { readThroughLoop as readLoop, type ThroughLoop } from './helpers/through-loop.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

// Issue 16: SystemTap's show-call-hierarchy output (`  11408 python(8274):  => f in a.py:3`) is read
// by the WebAssembly loop, to exactly the events, refusals and warnings of the TypeScript parser.
const scratch = scratchDir('stap-fast-path');

/** Reads `text` (UTF-8 when a string) through the loop (helpers/through-loop.ts). */
function readThroughLoop(text: string | Buffer): ThroughLoop {
  return readLoop(stapCallHierarchyFormat.createParser, text, 'utf8');
}

/** The event log and warnings of a trace, or the error that refused it. */
async function readOrRefusal(path: string, options: { fastLines: boolean; chunkBytes?: number }): Promise<string> {
  try {
    const read = await eventLogCsv(path, options);
    return `${read.csv}\n${warningsText(read.summary)}`;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/**
 * The reader detects the format on the first 200 lines and reads them line by line; the loop reads
 * what follows. So the lines under test come after these (a thread of its own).
 */
const HEAD = Buffer.from(
  Array.from(
    { length: 200 },
    (_, i) => `${String(i).padStart(6)} python(1): ${i % 2 ? '<=' : '=>'} warm in w.py:1\n`,
  ).join(''),
);

/**
 * Both engines read `content`, after HEAD, to the same event log and warnings (or refusal), at
 * several read sizes.
 */
async function assertSameBothWays(content: string | Buffer, chunkBytes: number[] = [1, 7, 4096]): Promise<void> {
  const path = writeScratch(scratch, Buffer.concat([HEAD, Buffer.from(content)]));
  const reference = await readOrRefusal(path, { fastLines: false });
  for (const options of [{ fastLines: true }, ...chunkBytes.map((chunk) => ({ fastLines: true, chunkBytes: chunk }))])
    assert.equal(await readOrRefusal(path, options), reference, `read with ${JSON.stringify(options)}`);
}

const COMMON = [
  ' 11408 python(8274): => __contains__ in Lib/_abcoll.py:362',
  ' 11414 python(8274):  => __getitem__ in Lib/os.py:425',
  '     0 python3.11(8275): => worker in /app/my dir/run.py:9',
  ' 11418 python(8274):   => encode in Lib/os.py:490',
  '    25 python3.11(8275): <= worker in /app/my dir/run.py:12',
  ' 11424 python(8274):   <= encode in Lib/os.py:493',
  ' 11428 python(8274):  <= __getitem__ in Lib/os.py:426',
  ' 11433 python(8274): <= __contains__ in Lib/_abcoll.py:366',
  '     0 python(8274): => <module> in <frozen importlib._bootstrap>:-1',
  '     3 py (x)(8274):  => f(a) in dir in x: y.py:0',
  '     4 py (x)(8274):  <= f(a) in dir in x: y.py:0',
  '     7 python(8274): <= <module> in <frozen importlib._bootstrap>:-1',
];

// Near misses and damage, each with whether the loop reads it (false: TypeScript reads it, or
// refuses it, or rejects it, as it always did).
const NEAR_MISSES: [string, boolean][] = [
  ['    11 python(8274): => f in a.py:1', true],
  ['\t    12 python(8274): => tabbed in a.py:1', false], // a leading tab: JavaScript's \s, left to TypeScript
  ['    13 pyth\u00f6n(8274): => accented in a.py:1', false], // not ASCII
  ['    14 python(8274): => f in caf\u00e9.py:1', false], // not ASCII (in the file)
  ['    15 python(8274): => g\u00a0h in a.py:1', false], // a no-break space in the function: no match
  ['    16 python(8274): => f in a.py:99999999999', false], // line number out of range
  ['    17 python(8274): => f in a.py:2147483647', true], // the largest line number
  ['    18 python(12345678901234567): => f in a.py:1', false], // a 17-digit tid
  ['    19 python(9007199254740993): => f in a.py:1', false], // a tid past 2^53 - 1
  ['999999999999999 python(8274): => late in a.py:1', false], // 15 digits of µs, past 2^53 - 1 ns: a new frame: time refused
  ['999999999999999 python(8274): => f in a.py:1', false], // the same on a known frame
  ['123456789012345678 python(8274): => f in a.py:1', false], // 18 digits of µs
  ['    20 python(8274): =>  two spaces in a.py:1', false], // no function
  ['    21 python(8274): => f in a.py', false], // no line number
  ['    22 python(8274): => f in a.py:x1', false],
  ['    23 python(8274): => f in a.py:--1', false],
  ['    24 python(8274):=> f in a.py:1', true], // no space before the arrow: still the shape
  ['    25 python(8274): -> f in a.py:1', false],
  ['    26 python(8274): => f  in a.py:1', false],
  ['    27 python(8274) => f in a.py:1', false],
  ['    28 python(): => f in a.py:1', false],
  ['    29 python(82a74): => f in a.py:1', false],
  ['    30 (8274): => f in a.py:1', true], // an empty execname
  ['    31 a(1): => b(2): in c:3', true], // the function is `b(2):`
  ['    32 a(1): <= b(2):=> in in c:3', true], // the function is `b(2):=>`, the file `in c`
  ['    33 a(1)(2): => f in :4', true], // the execname is `a(1)`, the file empty
  ['    34 python(8274): => f in a.py:1\r', false], // CR LF: TypeScript reads it
  ['    35 python(8274): => f\rin a.py:1', false], // a CR inside the line
  ['    36 python(8274): => f\tin a.py:1', false],
  ['    37 python(8274): => f in a.py:1 ', false],
  ['  abc python(8274): => f in a.py:1', false],
  ['    38 python(8274): => f in a.py:-0', true],
  ['    39 python(8274): => f in a.py:007', true],
  ['    40 python(8274): => f in a.py:7', true],
];

describe('SystemTap traces on the fast path (issue 16)', () => {
  it('the WebAssembly loop is built (the engines are compared below)', () => assert.ok(fastLinesAvailable()));

  it('lines of the common shape never reach the TypeScript line(): several threads, clock restarts, spaces, ` in `, parentheses', () => {
    const { seen, rejected, events } = readThroughLoop(`${COMMON.join('\n')}\n`);
    assert.deepEqual(seen, []);
    assert.deepEqual(rejected, []);
    assert.equal(events, COMMON.length);
  });

  it('the sample traces are read by the loop alone', async () => {
    for (const sample of ['threads.stap.txt', 'docs-call-hierarchy.stap.txt']) {
      const text = readFileSync(join(SAMPLES, sample));
      const { seen, rejected } = readThroughLoop(text);
      assert.deepEqual(seen, [], sample);
      assert.deepEqual(rejected, [], sample);
    }
  });

  it('near misses, damaged and out-of-range lines go to TypeScript, which reads (or refuses) them as it always did', async () => {
    const lines = [...COMMON.slice(0, 3), ...NEAR_MISSES.map(([line]) => line), ...COMMON.slice(3)];
    const text = `${lines.join('\n')}\n`;
    const toTypeScript = NEAR_MISSES.flatMap(([, loopReads], i) => (loopReads ? [] : [4 + i]));
    assert.deepEqual(readThroughLoop(text).seen, toTypeScript);
    await assertSameBothWays(text);
  });

  it('bytes that are not UTF-8 are read by TypeScript (and reported the same)', async () => {
    const good = Buffer.from(`${COMMON.join('\n')}\n`);
    const bad = Buffer.concat([
      good,
      Buffer.from('    41 pyth'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('on(8274): => f in a.py:1\n    42 python(8274): => f in a'),
      Buffer.from([0xe2, 0x80]),
      Buffer.from('.py:1\n'),
      good,
    ]);
    assert.deepEqual(readThroughLoop(bad).seen, [COMMON.length + 1, COMMON.length + 2]);
    await assertSameBothWays(bad);
  });

  it('a line the parser rejects is read once: its bytes that are not UTF-8 count once, in both engines', async () => {
    const junk = Buffer.concat([Buffer.from([0xff]), Buffer.from('0 python(100): => f in a.py:1\n')]);
    const path = writeScratch(scratch, Buffer.concat([HEAD, junk]));
    for (const fastLines of [false, true]) {
      const invalid = (await eventLogCsv(path, { fastLines })).summary.warnings.find((w) => w.code === 'invalid-utf8');
      assert.deepEqual(invalid?.lines, [201], `fastLines: ${fastLines}`);
    }
  });

  it('random traces (names with spaces, ` in `, parentheses, colons, unicode; negative lines; restarts; threads) read the same both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stapLine, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 32, max: 600 }),
        async (lines, chunk) => {
          await assertSameBothWays(`${lines.join('\n')}\n`, [chunk]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('random traces with damage (cut, spliced bytes, CR, tabs, bad UTF-8) read the same both ways', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(stapLine, damage), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 32, max: 600 }),
        async (lines, chunk) => {
          const bytes = Buffer.concat(lines.map(([line, hurt]) => Buffer.concat([hurt(Buffer.from(line)), NEWLINE])));
          await assertSameBothWays(bytes, [chunk]);
        },
      ),
      { numRuns: 50 },
    );
  });
});

const NEWLINE = Buffer.from('\n');

const nameChar = fc.constantFrom(
  'a',
  'b',
  'x',
  '_',
  '.',
  '/',
  '<',
  '>',
  '-',
  '1',
  '9',
  '(',
  ')',
  ':',
  '=',
  ' ',
  ' in ',
  'in',
  '=>',
  '<=',
  '(7):',
  'é',
  '日',
  '\u00a0',
  '\u2028',
  '\t',
);
const name = fc.array(nameChar, { minLength: 0, maxLength: 6 }).map((parts) => parts.join(''));
/** Mostly plain names; sometimes anything of nameChar. */
const funcName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('f', 'main', '<module>', '__init__', 'g(x)', 'a:b', 'λ', 'run=>') },
  { weight: 1, arbitrary: name },
);
const fileName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '/app/run.py',
      'Lib/os.py',
      '<frozen importlib._bootstrap>',
      'my dir/a.py',
      'x in y.py',
      'a:b.py',
      '(1):.py',
      'é.py',
    ),
  },
  { weight: 1, arbitrary: name },
);
const execName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('python', 'python3.11', 'py thon', 'py(1)', 'a(1):', '') },
  { weight: 1, arbitrary: name },
);
const printed = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2000 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '000',
      '9007199254740',
      '9007199254741',
      '999999999999999',
      '1234567890123456789',
      '00000000000000000001',
    ),
  },
);
const tid = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('100', '101', '102', '8274') },
  { weight: 1, arbitrary: fc.constantFrom('0', '007', '9007199254740991', '9007199254740992', '123456789012345678') },
);
const lineNumber = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 500 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '-0',
      '007',
      '2147483647',
      '2147483648',
      '-2147483648',
      '-2147483649',
      '99999999999999999999',
    ),
  },
);
const stapLine = fc
  .tuple(
    fc.constantFrom('', ' ', '     ', '\t'),
    printed,
    execName,
    tid,
    fc.integer({ min: 0, max: 4 }),
    fc.constantFrom('=>', '<=', '=>', '<=', '->'),
    funcName,
    fileName,
    lineNumber,
  )
  .map(
    ([lead, us, exec, thread, indent, arrow, func, file, line]) =>
      `${lead}${us} ${exec}(${thread}):${' '.repeat(indent)} ${arrow} ${func} in ${file}:${line}`,
  );

/** A way to hurt one line's bytes (or leave them). */
const damage: fc.Arbitrary<(line: Buffer) => Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.constant((line: Buffer) => line) },
  { weight: 1, arbitrary: fc.nat().map((at) => (line: Buffer) => line.subarray(0, at % (line.length + 1))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(), fc.constantFrom([0xff], [0xc3], [0xe2, 0x80], [0x0d], [0x09], [0x0b], [0x00], [0x7f], [0x3a]))
      .map(([at, bytes]) => (line: Buffer) => {
        const cut = at % (line.length + 1);
        return Buffer.concat([line.subarray(0, cut), Buffer.from(bytes), line.subarray(cut)]);
      }),
  },
);
