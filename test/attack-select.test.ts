import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { summarizeDurations } from '../src/analyze/percentiles.js';

/** The nearest-rank percentile of already sorted values. */
const rankOf = (sorted: readonly number[], p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];

describe('percentiles of long runs of durations (the sampled selection)', () => {
  // Past 600 values the selection first narrows the range on a sample: random, few distinct,
  // sorted, reversed and constant inputs must all give the sorted array's nearest ranks.
  const shapes = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 601, maxLength: 6000 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 601, maxLength: 6000 }),
    fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 601, maxLength: 6000 }).map((v) => v.sort((a, b) => a - b)),
    fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 601, maxLength: 6000 }).map((v) => v.sort((a, b) => b - a)),
    fc
      .tuple(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 601, max: 6000 }))
      .map(([v, n]) => new Array<number>(n).fill(v)),
  );

  it('equal the percentiles of the sorted values, whatever the order and repetition', () => {
    fc.assert(
      fc.property(shapes, (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const summary = summarizeDurations(Float64Array.from(values))!;
        assert.deepEqual(
          [summary.minNs, summary.p50Ns, summary.p95Ns, summary.p99Ns, summary.maxNs],
          [sorted[0], rankOf(sorted, 50), rankOf(sorted, 95), rankOf(sorted, 99), sorted[sorted.length - 1]],
        );
      }),
      { numRuns: 200 },
    );
  });

  it('any doubles, 2,048 to 5,000 of them: the same ranks as a sort', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -1e6, max: 1e12 }),
      // Many in one bucket (1/16 of a power of two): the ranks share it.
      fc.double({ min: 1024, max: 1087, noNaN: true }),
      fc.constantFrom(0, 1, 2 ** 53, -1, 1e-300),
    );
    // Mostly negative too: the ranks then fall among them.
    const values = fc.oneof(
      fc.array(value, { minLength: 2048, maxLength: 5000 }),
      fc.array(
        fc.oneof(fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e9, max: 5 })),
        {
          minLength: 2048,
          maxLength: 5000,
        },
      ),
    );
    fc.assert(
      fc.property(values, (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const summary = summarizeDurations(Float64Array.from(values))!;
        // -0 and 0 are equal to the selection as to the sort: either may stand at a rank (+ 0 makes both 0).
        assert.deepEqual(
          [summary.p50Ns, summary.p95Ns, summary.p99Ns].map((v) => v + 0),
          [rankOf(sorted, 50), rankOf(sorted, 95), rankOf(sorted, 99)].map((v) => v + 0),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('an infinite value among many: the same ranks as a sort', () => {
    const values = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
    values[17] = Number.POSITIVE_INFINITY;
    values[400] = Number.NEGATIVE_INFINITY;
    const sorted = [...values].sort((x, y) => x - y);
    const summary = summarizeDurations(Float64Array.from(values))!;
    assert.deepEqual(
      [summary.p50Ns, summary.p95Ns, summary.p99Ns],
      [rankOf(sorted, 50), rankOf(sorted, 95), rankOf(sorted, 99)],
    );
  });

  it('a part of a larger array (an offset view): its own ranks, the rest untouched', () => {
    const whole = Float64Array.from({ length: 10_000 }, (_, i) => ((i * 104_729) % 9_973) + 0.5);
    const before = Float64Array.from(whole);
    const part = whole.subarray(3_001, 7_500);
    const sorted = [...part].sort((x, y) => x - y);
    const summary = summarizeDurations(part)!;
    assert.deepEqual(
      [summary.p50Ns, summary.p95Ns, summary.p99Ns],
      [rankOf(sorted, 50), rankOf(sorted, 95), rankOf(sorted, 99)],
    );
    assert.deepEqual([...whole.subarray(0, 3_001)], [...before.subarray(0, 3_001)]);
    assert.deepEqual([...whole.subarray(7_500)], [...before.subarray(7_500)]);
  });

  it('a million durations: the same ranks as a sort', () => {
    let seed = 7;
    const values = new Float64Array(1_000_003);
    for (let i = 0; i < values.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      values[i] = seed % 100_000;
    }
    const sorted = Float64Array.from(values).sort();
    const summary = summarizeDurations(values)!;
    assert.deepEqual(
      [summary.p50Ns, summary.p95Ns, summary.p99Ns],
      [rankOf([...sorted], 50), rankOf([...sorted], 95), rankOf([...sorted], 99)],
    );
  });
});
