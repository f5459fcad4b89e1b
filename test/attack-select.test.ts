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
