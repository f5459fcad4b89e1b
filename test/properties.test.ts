import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { TraceInputError } from '../src/model/diagnostics.js';
import { TimeBase } from '../src/model/time-base.js';
import { eventLogCsv } from './helpers/event-log.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';
import { balancedTrace, expectedRows, toPyflameText } from './helpers/trace-gen.js';

const scratch = scratchDir('prop');
const tempTrace = (text: string | Buffer) => writeScratch(scratch, text);

/** The CSV rows without their source_line column. */
function rows(csv: string): string[] {
  return csv
    .split('\n')
    .slice(1)
    .filter((row) => row !== '')
    .map((row) => row.slice(0, row.lastIndexOf(',')));
}

const RUNS = { numRuns: 60 };

describe('properties of reading traces', () => {
  it('a generated trace parses to exactly the events it was made from', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, async (events) => {
        const { csv, summary } = await eventLogCsv(tempTrace(toPyflameText(events)));
        assert.deepEqual(summary.warnings, []);
        assert.deepEqual(rows(csv), expectedRows(events));
      }),
      RUNS,
    );
  });

  it('any prefix cut of a valid trace never crashes and yields a prefix of its events', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, fc.double({ min: 0, max: 1, noNaN: true }), async (events, where) => {
        const bytes = Buffer.from(toPyflameText(events));
        const cut = bytes.subarray(0, Math.floor(bytes.length * where));
        try {
          const { csv, summary } = await eventLogCsv(tempTrace(cut));
          const got = rows(csv);
          assert.deepEqual(got, expectedRows(events).slice(0, got.length));
          for (const w of summary.warnings) assert.ok(['truncated-line', 'no-events'].includes(w.code), w.code);
        } catch (error) {
          // Only "nothing to read" is an acceptable failure of a cut trace, or, when the cut left
          // a piece of the header line alone, "not a trace".
          assert.ok(error instanceof TraceInputError, String(error));
          const headerOnly = cut.length <= bytes.indexOf(10);
          assert.match(
            error.message,
            headerOnly ? /empty trace|no events|not a trace format/ : /empty trace|no events/,
          );
        }
      }),
      RUNS,
    );
  });

  it('lines shuffled within the reorder window come back in timestamp order, none lost', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, fc.array(fc.nat(), { maxLength: 30 }), async (events, swaps) => {
        const lines = toPyflameText(events).trimEnd().split('\n');
        for (const s of swaps) {
          const i = 1 + (s % Math.max(1, lines.length - 2));
          if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
        }
        const { csv } = await eventLogCsv(tempTrace(`${lines.join('\n')}\n`), { batchSize: 7 });
        assert.deepEqual(rows(csv), expectedRows(events));
      }),
      RUNS,
    );
  });

  it('junk lines anywhere are skipped and counted, the events are untouched', async () => {
    await fc.assert(
      fc.asyncProperty(
        balancedTrace,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('garbage', '12\tx', '%%%', 'function__entry')), { maxLength: 10 }),
        async (events, junk) => {
          const lines = toPyflameText(events).trimEnd().split('\n');
          for (const [at, text] of junk) lines.splice(1 + (at % lines.length), 0, text);
          const { csv, summary } = await eventLogCsv(tempTrace(`${lines.join('\n')}\n`));
          assert.deepEqual(rows(csv), expectedRows(events));
          assert.equal(summary.warnings.find((w) => w.code === 'junk-line')?.count ?? 0, junk.length);
        },
      ),
      RUNS,
    );
  });

  it('the CSV log of any trace reads back to the same log', async () => {
    await fc.assert(
      fc.asyncProperty(balancedTrace, async (events) => {
        const first = await eventLogCsv(tempTrace(toPyflameText(events)));
        const second = await eventLogCsv(tempTrace(first.csv));
        assert.equal(second.csv, first.csv);
      }),
      RUNS,
    );
  });

  it('timestamps keep every nanosecond, epoch-sized or not', () => {
    fc.assert(
      // Up to the largest timestamp held (2^63 - 1 ns, docs/damage.md); past it they are refused.
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 63n - 1n - 2n ** 52n }),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 52n }), { maxLength: 20 }),
        (first, offsets) => {
          const time = new TimeBase();
          for (const value of [first, ...offsets.map((o) => first + o)]) {
            const digits = Buffer.from(value.toString());
            const relative = time.fromDecimal(digits, 0, digits.length);
            assert.equal(time.absolute(relative), value.toString());
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
