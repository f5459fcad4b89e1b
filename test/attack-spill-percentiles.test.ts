import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { DurationList, DurationStore } from '../src/analyze/duration-store.js';
import { summarizeDurations } from '../src/analyze/percentiles.js';
import { summarizeSpilled } from '../src/analyze/spilled-summary.js';
import { openSpillFiles } from '../src/io/spill-file.js';

// Issue 16 (memory): past their budget, call durations go to a temporary file, and each
// function's percentiles are found from it with bounded memory. They must be exactly those of
// the in-memory selection: the same summary, bit for bit.

/** Durations as traces make them: whole ns, fractions (a stated recording cost), ties, a heavy tail. */
const duration = fc.oneof(
  fc.integer({ min: 0, max: 2000 }),
  fc.integer({ min: 0, max: 5 }),
  fc.double({ min: 0, max: 1e13, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0, 1, 1e12, 2 ** 53, 123.456),
);

/** Reads `values` back in pieces of the given sizes (as the store hands them over). */
function readerOf(values: readonly number[], sizes: readonly number[]) {
  return (visit: (piece: Float64Array) => void) => {
    let at = 0;
    let s = 0;
    while (at < values.length) {
      const size = Math.max(1, sizes[s++ % sizes.length]);
      visit(Float64Array.from(values.slice(at, at + size)));
      at += size;
    }
  };
}

describe('exact percentiles from spilled durations', () => {
  it('equal the in-memory selection for random durations, whatever the budget and pieces', () => {
    fc.assert(
      fc.property(
        fc.array(duration, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        (values, budget, sizes) => {
          const expected = summarizeDurations(Float64Array.from(values));
          const spilled = summarizeSpilled(readerOf(values, sizes), values.length, budget);
          assert.deepEqual(spilled, expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('narrow a wide spread down (a tiny budget and a million-fold range)', () => {
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 50_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push(seed % 97 === 0 ? seed * 1000 : (seed % 5000) + (i % 3 === 0 ? 0.25 : 0));
    }
    const expected = summarizeDurations(Float64Array.from(values));
    assert.deepEqual(summarizeSpilled(readerOf(values, [4096]), values.length, 10), expected);
  });

  it('none for no durations', () => {
    assert.equal(
      summarizeSpilled(() => {}, 0, 4),
      undefined,
    );
  });
});

describe('the duration store', () => {
  it('keeps many small lists in memory past the budget (no write per tiny list), big ones spill', () => {
    // 20,000 accumulators of 3 calls each, a budget of 100 durations: spilling each tiny list (a
    // write and two entries, again at every flush) cost far more than the lists themselves.
    const store = new DurationStore(1600);
    const small = Array.from({ length: 20_000 }, () => new DurationList());
    for (let round = 0; round < 3; round++) for (const [i, list] of small.entries()) store.push(list, i * 3 + round);
    store.finish();
    assert.equal(store.spilled, false);
    const big = new DurationList();
    for (let i = 0; i < 500; i++) store.push(big, i);
    store.finish();
    assert.equal(store.spilled, true);
    const read: number[] = [];
    store.read(big, (piece) => read.push(...piece));
    assert.deepEqual(
      read,
      Array.from({ length: 500 }, (_, i) => i),
    );
    const first: number[] = [];
    store.read(small[7], (piece) => first.push(...piece));
    assert.deepEqual(first, [21, 22, 23]);
    store.close();
    assert.equal(openSpillFiles(), 0);
  });

  it('gives every list back in recorded order, appended lists after, and spills only past its budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), duration), { maxLength: 300 }),
        fc.integer({ min: 16, max: 800 }),
        (pushes, budgetBytes) => {
          const store = new DurationStore(budgetBytes);
          const lists = Array.from({ length: 5 }, () => new DurationList());
          const expected: number[][] = lists.map(() => []);
          for (const [list, value] of pushes) {
            store.push(lists[list], value);
            expected[list].push(value);
          }
          // List 4 turns out to be list 0's function (a provisional one): its durations follow.
          store.append(lists[0], lists[4]);
          expected[0].push(...expected[4]);
          store.finish();
          // Within the budget (16 bytes a duration: 8, and room to grow; appended durations
          // counted) it never spills; past it, a list of 64 or more in memory goes to the file.
          if ((pushes.length + expected[4].length) * 16 <= budgetBytes) assert.ok(!store.spilled);
          if (pushes.length * 16 > budgetBytes && expected.slice(0, 4).some((d) => d.length >= 64 + budgetBytes / 16))
            assert.ok(store.spilled);
          for (let i = 0; i < 4; i++) {
            const read: number[] = [];
            store.read(lists[i], (piece) => read.push(...piece));
            assert.deepEqual(read, expected[i]);
            assert.equal(lists[i].length, expected[i].length);
          }
          store.close();
          assert.equal(openSpillFiles(), 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
