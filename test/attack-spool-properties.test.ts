import './helpers/fast-check-setup.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SpoolDecoder } from '../src/parse/spool/spool-decoder.js';
import { spoolAsText, spoolToText } from '../src/parse/spool/spool-text.js';
import { readTrace } from '../src/parse/read-trace.js';
import { FIXTURES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { ENTRY, RETURN, SpoolWriter, THREAD, tag } from './helpers/spool-writer.js';

/**
 * Properties of decoding, whatever the cut and however the bytes arrive: a spool cut anywhere
 * decodes without throwing to a prefix of its events, and pieces pushed one by one decode exactly
 * as the whole does. Timestamps are 64-bit: past 2^53 they are printed exactly.
 */

const scratch = scratchDir('spool-properties');
const REAL = ['calls-3.12.spool', 'calls-lines-audit-3.11.spool', 'flushes-3.12.spool'].map((name) => ({
  name,
  bytes: readFileSync(join(FIXTURES, 'spool', name)),
}));

function decodeInPieces(bytes: Buffer, cuts: readonly number[]) {
  const decoder = new SpoolDecoder('p.spool');
  const lines: string[] = [];
  const times: number[] = [];
  let from = 0;
  for (const cut of [...[...cuts].sort((a, b) => a - b), bytes.length]) {
    decoder.push(bytes.subarray(from, cut));
    from = cut;
    // Taken after every push, as the streaming readers do.
    const taken = decoder.take();
    lines.push(...taken.lines);
    times.push(...taken.times);
  }
  return { lines, times, end: decoder.finish(), header: [...decoder.header] };
}

/** Cut offsets into `length` bytes: many small and some large pieces. */
const cutsOf = (length: number) => fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 60 });

describe('decoding a real spool cut anywhere, fed in any pieces', () => {
  for (const { name, bytes } of REAL) {
    const full = decodeInPieces(bytes, []);
    // Decoding every prefix is quadratic: a sample of cuts, and every byte of the first chunk header.
    test(`${name}: cut at any byte: no throw, its event lines a prefix of the whole's`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length }), (at) => {
          const cut = decodeInPieces(bytes.subarray(0, at), []);
          assert.deepEqual(cut.lines, full.lines.slice(0, cut.lines.length));
          assert.equal(cut.end.complete, at === bytes.length);
        }),
        { numRuns: 150 },
      );
      const headerEnd = bytes.indexOf(10) + 1;
      for (let at = headerEnd - 3; at < headerEnd + 40; at++) {
        const cut = decodeInPieces(bytes.subarray(0, at), []);
        assert.deepEqual(cut.lines, []);
      }
    });

    test(`${name}: pushed in random pieces: exactly the output of one push`, () => {
      fc.assert(
        fc.property(cutsOf(bytes.length), (cuts) => {
          assert.deepEqual(decodeInPieces(bytes, cuts), full);
        }),
        { numRuns: 60 },
      );
    });

    test(`${name}: cut anywhere AND pushed in pieces: exactly the cut's output of one push`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: bytes.length }).chain((at) => fc.tuple(fc.constant(at), cutsOf(at))),
          ([at, cuts]) => {
            const cut = bytes.subarray(0, at);
            assert.deepEqual(decodeInPieces(cut, cuts), decodeInPieces(cut, []));
          },
        ),
        { numRuns: 60 },
      );
    });

    test(`${name}: spoolAsText streaming in pieces: exactly spoolToText`, async () => {
      const whole = spoolToText(bytes, name).text;
      await fc.assert(
        fc.asyncProperty(cutsOf(bytes.length), async (cuts) => {
          async function* pieces() {
            let from = 0;
            for (const cut of [...[...cuts].sort((a, b) => a - b), bytes.length]) {
              yield bytes.subarray(from, cut);
              from = cut;
            }
          }
          const out: Buffer[] = [];
          for await (const chunk of spoolAsText(pieces(), name, () => {})) out.push(chunk);
          assert.equal(Buffer.concat(out).toString('latin1'), whole);
        }),
        { numRuns: 30 },
      );
    });
  }

  test('a spool with damage in it, pushed in pieces: the same lines and the same warnings', () => {
    const { bytes } = REAL[0]!;
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: bytes.length }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (at, junk) => {
          const damaged = Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
          const one = decodeInPieces(damaged, []);
          const cuts = [at - 1, at + 1, at + 7, at + 16, at + 100].filter((c) => c > 0 && c < damaged.length);
          assert.deepEqual(decodeInPieces(damaged, cuts), one);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('readTrace of a real spool read in 1,000-byte pieces: the same events as in one piece', async () => {
    const path = join(FIXTURES, 'spool/flushes-3.12.spool');
    const big = await readTrace(path);
    const small = await readTrace(path, { chunkBytes: 1000 });
    assert.equal(small.events, big.events);
    assert.deepEqual(small.warnings, big.warnings);
    assert.ok(big.events > 4000);
  });
});

describe('return lines by offset (3.12+)', () => {
  test("an offset's line is its range's in the code's line table; outside every range, None: the first line", () => {
    // Ranges as co_lines() gives them: sorted, not overlapping, maybe empty or with gaps between.
    const table = fc
      .array(
        fc.tuple(
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 0, max: 6 }),
          fc.option(fc.integer({ min: 0, max: 500 })),
        ),
        {
          maxLength: 40,
        },
      )
      .map((steps) => {
        let at = 0;
        return steps.map(([gap, length, line]) => {
          const start = at + gap * 2;
          at = start + length * 2;
          return [start, at, line] as const;
        });
      });
    fc.assert(
      fc.property(
        table,
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 30 }),
        (ranges, offsets) => {
          const text = `[${ranges.map(([start, end, line]) => `(${start}, ${end}, ${line ?? 'None'})`).join(', ')}]`;
          const writer = new SpoolWriter({ returns: 'offset' })
            .define(`S\t1\tMainThread\nC\t1\t/a.py\tf\t7\nL\t1\t${text}\n`)
            .events(...offsets.map((offset, i) => [i + 1, tag(1, RETURN), 7, offset] as const))
            .end();
          const decoded = decodeInPieces(writer.bytes(), []).lines.map((line) => line.trimEnd().split('\t').at(-1));
          const expected = offsets.map((offset) => {
            const range = ranges.find(([start, end]) => offset >= start && offset < end);
            return String(range?.[2] ?? 7);
          });
          assert.deepEqual(decoded, expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('timestamps are 64-bit words', () => {
  test('past 2^53 they are printed exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), { minLength: 1, maxLength: 20 }), (times) => {
        const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const writer = new SpoolWriter()
          .define('S\t1\tMainThread\nC\t1\t/a.py\tf\t1\n')
          .events(...sorted.map((time) => [time, tag(1, ENTRY), 7] as const));
        const lines = decodeInPieces(writer.end().bytes(), []).lines;
        assert.deepEqual(
          lines.map((line) => line.slice(0, line.indexOf('\t'))),
          sorted.map(String),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('at the edges of exactness: 2^53 - 1, 2^53, 2^53 + 1, 2^63 - 1', () => {
    const edges = [(1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 63n) - 1n];
    const writer = new SpoolWriter()
      .define('S\t1\tMainThread\nC\t1\t/a.py\tf\t1\n')
      .events(...edges.map((time) => [time, tag(1, ENTRY), 7] as const));
    const lines = decodeInPieces(writer.end().bytes(), []).lines;
    assert.deepEqual(
      lines.map((line) => line.split('\t')[0]),
      ['9007199254740991', '9007199254740992', '9007199254740993', '9223372036854775807'],
    );
  });

  test('pyflame analyze of a spool timed past 2^53: the start is exact', async () => {
    const start = (1n << 60n) + 12345n;
    const writer = new SpoolWriter()
      .define('S\t1\tMainThread\nC\t1\t/a.py\tf\t1\n')
      .events([start, tag(1, THREAD), 7, 70], [start + 1n, tag(1, ENTRY), 7], [start + 1001n, tag(1, RETURN), 7, 1])
      .end();
    const path = writeScratch(scratch, writer.bytes(), 'big-times.spool');
    const result = await runCli(['analyze', path, '--json', '-']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      trace: { startAbsoluteNs: string };
      functions: { name: string; totalNs: number }[];
    };
    assert.equal(json.trace.startAbsoluteNs, String(start));
    assert.equal(json.functions.find((f) => f.name === 'f')?.totalNs, 1000);
  });
});
