import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TraceInputError } from '../src/model/diagnostics.js';
import { readTrace } from '../src/parse/read-trace.js';
import { SpoolDecoder, type SpoolEnd } from '../src/parse/spool/spool-decoder.js';
import { endLine, spoolAsText, spoolToText } from '../src/parse/spool/spool-text.js';
import { finishInProcessTrace } from '../src/record/inprocess-end.js';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { CHUNK_END, CHUNK_EVENTS, ENTRY, RETURN, SpoolWriter, smallSpool, tag } from './helpers/spool-writer.js';

/**
 * A damaged spool (a recorder killed mid-write, a disk that lost a block, a file that is no spool)
 * is decoded as far as it can be trusted, and what was wrong is counted as spool-* warnings; a file
 * that only looks like a spool is a usage error naming the file and line 1.
 */

const scratch = scratchDir('spool-damage');
const REAL = readFileSync(join(FIXTURES, 'spool/flushes-3.12.spool'));

/** The [start, end) byte ranges of a spool's chunks. */
function chunkRanges(bytes: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let at = bytes.indexOf(10) + 1;
  while (at + 16 <= bytes.length) {
    const size = Number(bytes.readBigInt64LE(at + 8));
    ranges.push([at, at + 16 + size]);
    at += 16 + size;
  }
  return ranges;
}

interface Decoded {
  readonly lines: string[];
  readonly end: SpoolEnd;
  readonly damage: Record<string, number>;
}

/** Decodes `bytes` fed in `pieces` pushes (at the given cut offsets). */
function decode(bytes: Buffer, cuts: readonly number[] = []): Decoded {
  const decoder = new SpoolDecoder('test.spool');
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.push(bytes.subarray(from, cut));
    from = cut;
  }
  const { lines } = decoder.take();
  const end = decoder.finish();
  const damage: Record<string, number> = {};
  for (const { code, count } of end.damage) damage[code] = (damage[code] ?? 0) + count;
  return { lines, end, damage };
}

function writeSpool(bytes: Buffer): string {
  return writeScratch(scratch, bytes, 'damaged.spool');
}

async function warningsOf(path: string): Promise<Record<string, number>> {
  const summary = await readTrace(path);
  const counts: Record<string, number> = {};
  for (const warning of summary.warnings) counts[warning.code] = (counts[warning.code] ?? 0) + warning.count;
  return counts;
}

async function labelOf(bytes: Buffer): Promise<{ marker: string; complete: boolean }> {
  const spool = writeSpool(bytes);
  const trace = join(scratch, `${Math.random().toString(36).slice(2)}.txt`);
  const end = await finishInProcessTrace(spool, [], trace, { pid: 100, status: 0 });
  const text = readFileSync(trace, 'latin1');
  assert.ok(text.endsWith(`${end.marker}\n`));
  return { marker: end.marker, complete: end.complete };
}

describe('a spool cut short', () => {
  for (const [label, bytes] of [
    ['real (flushes-3.12.spool)', REAL],
    ['small synthetic', smallSpool().bytes()],
  ] as const) {
    const full = decode(bytes);
    const ranges = chunkRanges(bytes);
    const headerEnd = bytes.indexOf(10) + 1;

    test(`${label}: the whole spool is complete, with no damage`, () => {
      assert.equal(full.end.complete, true);
      assert.deepEqual(full.damage, {});
      assert.ok(ranges.length >= 4, 'several chunks');
    });

    test(`${label}: cut at every chunk boundary: spool-no-end only, the lines a prefix`, () => {
      for (const [i, [start]] of ranges.entries()) {
        const cut = decode(bytes.subarray(0, start));
        assert.deepEqual(cut.damage, { 'spool-no-end': 1 }, `cut before chunk ${i}`);
        assert.equal(cut.end.complete, false);
        assert.equal(cut.end.how, undefined);
        assert.deepEqual(cut.lines, full.lines.slice(0, cut.lines.length));
        assert.equal(cut.end.events, cut.lines.length);
      }
      // Before the end chunk: every event is there, only the end is missing.
      assert.deepEqual(decode(bytes.subarray(0, ranges.at(-1)![0])).lines, full.lines);
    });

    test(`${label}: cut inside a chunk: spool-cut and spool-no-end, that chunk's events dropped`, () => {
      for (const [i, [start, end]] of ranges.entries()) {
        const before = decode(bytes.subarray(0, start));
        for (const at of new Set([start + 1, start + 8, start + 15, start + 16, (start + end) >> 1, end - 1])) {
          if (at <= start || at >= end) continue;
          const cut = decode(bytes.subarray(0, at));
          assert.deepEqual(cut.damage, { 'spool-cut': 1, 'spool-no-end': 1 }, `chunk ${i} cut at ${at}`);
          assert.deepEqual(cut.lines, before.lines, `chunk ${i} cut at ${at}`);
        }
      }
    });

    test(`${label}: cut inside the header line: no header, nothing decoded`, () => {
      for (const at of [0, 1, 17, headerEnd - 1]) {
        const cut = decode(bytes.subarray(0, at));
        assert.deepEqual(cut.lines, []);
        assert.equal(cut.end.complete, false);
        assert.deepEqual(cut.damage, { 'spool-damaged': 1 });
        assert.match(cut.end.damage[0]!.what, /no spool header/);
      }
    });
  }

  test('pyflame analyze of a cut spool warns spool-cut and spool-no-end once each, exit 0', async () => {
    const [start, end] = chunkRanges(REAL)[1]!;
    const path = writeSpool(REAL.subarray(0, (start + end) >> 1));
    const result = await runCli(['analyze', path, '--json', '-']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { warnings: { code: string; count: number }[] };
    const spoolWarnings = json.warnings.filter((w) => w.code.startsWith('spool-'));
    assert.deepEqual(
      spoolWarnings.map((w) => [w.code, w.count]),
      [
        ['spool-cut', 1],
        ['spool-no-end', 1],
      ],
    );
    assert.match(result.stderr, /spool-cut, once/);
    assert.match(result.stderr, /spool-no-end, once/);
  });

  test('readTrace of a spool cut at a chunk boundary: spool-no-end, once', async () => {
    const path = writeSpool(REAL.subarray(0, chunkRanges(REAL).at(-1)![0]));
    const counts = await warningsOf(path);
    assert.equal(counts['spool-no-end'], 1);
    assert.equal(counts['spool-cut'], undefined);
  });
});

describe('a damaged spool', () => {
  const whole = smallSpool().bytes();
  const ranges = chunkRanges(whole);
  const full = decode(whole);
  const garbage = Buffer.alloc(16, 0xa5);
  const withGarbage = Buffer.concat([whole.subarray(0, ranges[2]![0]), garbage, whole.subarray(ranges[2]![0])]);

  test('a chunk header that is not one: spool-damaged once, the rest dropped, labelled damaged', () => {
    const damaged = decode(withGarbage);
    assert.deepEqual(damaged.damage, { 'spool-damaged': 1 });
    assert.match(damaged.end.damage[0]!.what, /chunk header that is not one/);
    assert.deepEqual(damaged.lines, decode(whole.subarray(0, ranges[2]![0])).lines);
    assert.equal(damaged.end.complete, false);
    assert.match(endLine(damaged.end), /result=incomplete .* reason=damaged\n$/);
  });

  test('a chunk header that is not one, then bytes arriving in several pushes: still one warning', () => {
    const at = ranges[2]![0];
    const cuts = [at + 3, at + 16, at + 40, at + 41, withGarbage.length - 8];
    assert.deepEqual(decode(withGarbage, cuts).end.damage, decode(withGarbage).end.damage);
  });

  test('bytes after the end chunk: spool-damaged once, every event kept, however the bytes arrive', () => {
    const trailing = Buffer.concat([whole, Buffer.from('trailing junk after the end chunk\n')]);
    const one = decode(trailing);
    assert.deepEqual(one.damage, { 'spool-damaged': 1 });
    assert.match(one.end.damage[0]!.what, /bytes after the end chunk/);
    assert.deepEqual(one.lines, full.lines);
    const pieces = decode(trailing, [whole.length + 1, whole.length + 5, whole.length + 20]);
    assert.deepEqual(pieces.end, one.end);
  });

  test('events of a code object never defined: dropped and counted, the others kept', () => {
    const writer = new SpoolWriter()
      .define('S\t1\tMainThread\nC\t1\t/app/a.py\tf\t1\n')
      .events([10, tag(1, 7), 7, 70], [20, tag(1, ENTRY), 7], [30, tag(9, ENTRY), 7], [40, tag(9, RETURN), 7, 0])
      .events([50, tag(1, RETURN), 7, 0])
      .end();
    const decoded = decode(writer.bytes());
    assert.deepEqual(decoded.damage, { 'spool-damaged': 2 });
    assert.match(decoded.end.damage[0]!.what, /code object never defined/);
    assert.equal(decoded.lines.length, 3);
    assert.equal(decoded.end.events, 3);
    assert.equal(decoded.end.complete, false);
  });

  test('an end chunk counting the wrong number of words: spool-damaged once, labelled damaged', () => {
    const writer = smallSpool({ end: false });
    const decoded = decode(writer.end('exit', writer.words + 4).bytes());
    assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
    assert.match(decoded.end.damage[0]!.what, /the end chunk counts \d+ event words, the spool has \d+/);
    assert.deepEqual(decoded.lines, full.lines);
    assert.equal(decoded.end.complete, false);
    assert.equal(decoded.end.how, 'exit');
    assert.match(endLine(decoded.end), /result=incomplete .* reason=damaged\n$/);
  });

  test('an end chunk that is not one: spool-damaged once, labelled damaged', () => {
    const bytes = smallSpool({ end: false }).chunk(CHUNK_END, Buffer.from('garbage\n')).bytes();
    const decoded = decode(bytes);
    assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
    assert.match(decoded.end.damage[0]!.what, /an end chunk that is not one/);
    assert.deepEqual(decoded.lines, full.lines);
    assert.match(endLine(decoded.end), /result=incomplete .* reason=damaged\n$/);
  });

  test('an events chunk whose last record is cut inside: spool-damaged, the records before kept', () => {
    const body = Buffer.alloc(5 * 8);
    [2000n, tag(1, ENTRY), 7n, 2100n, tag(1, RETURN)].forEach((word, i) => body.writeBigInt64LE(word, i * 8));
    const writer = smallSpool({ end: false });
    const bytes = writer
      .chunk(CHUNK_EVENTS, body)
      .end('exit', writer.words + 5)
      .bytes();
    const decoded = decode(bytes);
    assert.equal(decoded.lines.length, full.lines.length + 1);
    assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
    assert.match(decoded.end.damage[0]!.what, /event words that are no event/);
  });

  test('an events chunk ending in a lone word (no tag after it): spool-damaged, no throw', () => {
    for (const words of [[2000n], [2000n, tag(1, ENTRY), 7n, 2100n]]) {
      const body = Buffer.alloc(words.length * 8);
      words.forEach((word, i) => body.writeBigInt64LE(word, i * 8));
      const writer = smallSpool({ end: false });
      const bytes = writer
        .chunk(CHUNK_EVENTS, body)
        .end('exit', writer.words + words.length)
        .bytes();
      const decoded = decode(bytes);
      assert.equal(decoded.lines.length, full.lines.length + (words.length > 1 ? 1 : 0));
      assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
      assert.match(decoded.end.damage[0]!.what, /event words that are no event/);
    }
  });

  test('a huge declared chunk size is damage, not an allocation', () => {
    const base = smallSpool({ end: false });
    const bytes = base
      .chunk(CHUNK_EVENTS, Buffer.alloc(64), 1n << 62n)
      .end()
      .bytes();
    const before = process.memoryUsage().arrayBuffers;
    const decoded = decode(bytes);
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 << 20);
    assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
    assert.deepEqual(decoded.lines, full.lines);
  });

  test('a large declared chunk size with few bytes behind it: waits, then spool-cut; nothing allocated', () => {
    const bytes = smallSpool({ end: false })
      .chunk(CHUNK_EVENTS, Buffer.alloc(64), 200 << 20)
      .bytes();
    const before = process.memoryUsage().arrayBuffers;
    const decoded = decode(bytes, [100, 200, bytes.length - 10]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 << 20);
    assert.deepEqual(decoded.damage, { 'spool-cut': 1, 'spool-no-end': 1 });
    assert.deepEqual(decoded.lines, full.lines);
  });

  test('negative and unaligned chunk sizes, unknown chunk kinds: spool-damaged', () => {
    for (const [kind, size] of [
      [CHUNK_EVENTS, -8n],
      [CHUNK_EVENTS, 12n],
      [9, 8n],
      [0, 8n],
    ] as const) {
      const bytes = smallSpool({ end: false }).chunk(kind, Buffer.alloc(16), size).end().bytes();
      const decoded = decode(bytes);
      assert.deepEqual(decoded.damage, { 'spool-damaged': 1 }, `kind ${kind} size ${size}`);
      assert.deepEqual(decoded.lines, full.lines);
    }
  });
});

describe('readTrace warns of each kind of damage, counted', () => {
  const whole = smallSpool().bytes();
  const ranges = chunkRanges(whole);
  const undefinedCode = new SpoolWriter({ returns: 'line' })
    .define('S\t1\tMainThread\nC\t1\t/app/a.py\tf\t1\n')
    .events([10, tag(1, 7), 7, 70], [20, tag(1, ENTRY), 7], [30, tag(9, ENTRY), 7], [40, tag(9, RETURN), 7, 0])
    .events([50, tag(1, RETURN), 7, 0])
    .end()
    .bytes();
  const cases: [string, Buffer, Record<string, number>][] = [
    ['cut at a chunk boundary', whole.subarray(0, ranges[3]![0]), { 'spool-no-end': 1 }],
    ['cut inside a chunk', whole.subarray(0, ranges[3]![0] + 20), { 'spool-cut': 1, 'spool-no-end': 1 }],
    [
      'a garbage chunk header',
      Buffer.concat([whole.subarray(0, ranges[2]![0]), Buffer.alloc(16, 0xff), whole.subarray(ranges[2]![0])]),
      { 'spool-damaged': 1 },
    ],
    ['bytes after the end chunk', Buffer.concat([whole, Buffer.alloc(24, 1)]), { 'spool-damaged': 1 }],
    ['events of a code never defined', undefinedCode, { 'spool-damaged': 2 }],
    ['a wrong word count', smallSpool({ end: false }).end('exit', 3).bytes(), { 'spool-damaged': 1 }],
    [
      'an unnamed thread',
      new SpoolWriter({ returns: 'line' })
        .define('C\t1\t/app/a.py\tf\t1\n')
        .events([20, tag(1, ENTRY), 7], [50, tag(1, RETURN), 7, 0])
        .end()
        .bytes(),
      { 'spool-unnamed-thread': 1 },
    ],
  ];
  for (const [label, bytes, expected] of cases) {
    test(label, async () => {
      const counts = await warningsOf(writeSpool(bytes));
      const spoolCounts = Object.fromEntries(Object.entries(counts).filter(([code]) => code.startsWith('spool-')));
      assert.deepEqual(spoolCounts, expected);
      // The same, read in pieces of 16 bytes.
      const small = await readTrace(writeSpool(bytes), { chunkBytes: 16 });
      const smallCounts: Record<string, number> = {};
      for (const warning of small.warnings)
        if (warning.code.startsWith('spool-'))
          smallCounts[warning.code] = (smallCounts[warning.code] ?? 0) + warning.count;
      assert.deepEqual(smallCounts, expected);
    });
  }
});

describe('a file that only looks like a spool, or is empty', () => {
  const noNewline = Buffer.concat([Buffer.from('# pyflame-spool v1 pid=1 '), Buffer.alloc(70 << 10, 'x')]);

  test('a spool header with no newline in 64 KB: TraceInputError naming the file and line 1', async () => {
    const path = writeSpool(noNewline);
    for (const chunkBytes of [undefined, 1000]) {
      await assert.rejects(readTrace(path, { chunkBytes }), (error: unknown) => {
        assert.ok(error instanceof TraceInputError);
        assert.equal(error.file, path);
        assert.equal(error.line, 1);
        assert.match(error.problem, /not a pyflame spool/);
        return true;
      });
    }
    assert.throws(() => spoolToText(noNewline, 'x.spool'), /x\.spool:1: not a pyflame spool/);
  });

  test('pyflame analyze of it: exit 2, the message names the file and line 1', async () => {
    const path = writeSpool(noNewline);
    const result = await runCli(['analyze', path]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes(`${path}:1: not a pyflame spool`), result.stderr);
  });

  test('a spool of another version: TraceInputError naming the file, line 1 and the version', async () => {
    const v1 = smallSpool().bytes();
    const v2 = Buffer.concat([Buffer.from('# pyflame-spool v2 pid=1\n'), v1.subarray(v1.indexOf(10) + 1)]);
    assert.throws(() => spoolToText(v2, 'v2.spool'), /v2\.spool:1: not a pyflame spool.*version 2.*version 1/);
    const result = await runCli(['analyze', writeSpool(v2)]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /:1: not a pyflame spool.*version 2/);
    const noNumber = Buffer.concat([Buffer.from('# pyflame-spool vX pid=1\n'), v1.subarray(v1.indexOf(10) + 1)]);
    assert.throws(() => spoolToText(noNumber, 'vx.spool'), /vx\.spool:1: not a pyflame spool/);
  });

  test('a spool header with no fields: the decoded text still starts with the trace header', async () => {
    const v1 = smallSpool().bytes();
    const bare = Buffer.concat([Buffer.from('# pyflame-spool v1     \n'), v1.subarray(v1.indexOf(10) + 1)]);
    const { text } = spoolToText(bare, 'bare.spool');
    assert.match(text, /^# pyflame-trace v1\n\d+\t/);
    const streamed: Buffer[] = [];
    async function* source() {
      yield bare.subarray(0, 10);
      yield bare.subarray(10);
    }
    for await (const chunk of spoolAsText(source(), 'bare.spool', () => {})) streamed.push(chunk);
    assert.equal(Buffer.concat(streamed).toString('latin1'), text);
  });

  test('an empty file: pyflame analyze says it is empty, exit 2', async () => {
    const path = writeSpool(Buffer.alloc(0));
    const result = await runCli(['analyze', path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /empty trace/);
  });

  test('the decoder given nothing: no header, counted as damage', () => {
    const decoded = decode(Buffer.alloc(0));
    assert.deepEqual(decoded.damage, { 'spool-damaged': 1 });
    assert.equal(decoded.end.complete, false);
  });
});

describe('pyflame record labels a damaged spool result=incomplete', () => {
  const whole = smallSpool().bytes();
  const ranges = chunkRanges(whole);
  const cases: [string, Buffer, RegExp][] = [
    ['complete', whole, /^# pyflame-end result=complete events=7 lost=0 recorder=inprocess end=exit$/],
    ['cut at a chunk boundary', whole.subarray(0, ranges[3]![0]), /result=incomplete .*reason=no-end-chunk$/],
    ['cut inside a chunk', whole.subarray(0, ranges[3]![0] + 20), /result=incomplete .*reason=no-end-chunk$/],
    [
      'a garbage chunk header',
      Buffer.concat([whole.subarray(0, ranges[2]![0]), Buffer.alloc(16, 0xff)]),
      /result=incomplete .*reason=damaged$/,
    ],
    ['a wrong word count', smallSpool({ end: false }).end('exit', 3).bytes(), /result=incomplete .*reason=damaged$/],
    ['bytes after the end chunk', Buffer.concat([whole, Buffer.alloc(8, 1)]), /result=incomplete .*reason=damaged$/],
    ['empty', Buffer.alloc(0), /result=incomplete .*reason=no-end-chunk$/],
  ];
  for (const [label, bytes, marker] of cases) {
    test(label, async () => {
      const end = await labelOf(bytes);
      assert.match(end.marker, marker);
      assert.equal(end.complete, label === 'complete');
    });
  }

  test('the label the reader gives equals the one record gives', async () => {
    const path = writeSpool(whole.subarray(0, ranges[3]![0] + 20));
    const text = spoolToText(readFileSync(path), path).text;
    assert.match(
      text,
      /\n# pyflame-end result=incomplete events=5 lost=unknown recorder=inprocess reason=no-end-chunk\n$/,
    );
  });
});
