import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import {
  bucketOf,
  bucketValue,
  DurationSketch,
  SKETCH_GAMMA,
  SKETCH_RELATIVE_ERROR,
} from '../src/analyze/duration-sketch.js';
import { nearestRank } from '../src/analyze/percentiles.js';

/** Durations as traces have them: integer ns from 0 to minutes, many small, some huge. */
const durations = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: 600_000_000_000 }),
  ),
  { minLength: 1, maxLength: 400 },
);
const percentile = fc.oneof(
  fc.constantFrom(0, 1, 50, 90, 95, 99, 99.9, 100),
  fc.double({ min: 0, max: 100, noNaN: true }),
);

const sketchOf = (values: readonly number[]) => {
  const sketch = new DurationSketch();
  sketch.addAll(values);
  return sketch;
};
const bytes = (sketch: DurationSketch) => JSON.stringify(sketch.toJson());
/** The relative error, with room for the last bit of floating point in γ's powers. */
const within = (estimate: number, exact: number) =>
  Math.abs(estimate - exact) <= SKETCH_RELATIVE_ERROR * exact * (1 + 1e-12);

describe('duration sketch', () => {
  it('puts each duration in the bucket (γ^(i-1), γ^i] whose value is within α of it', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e13, noNaN: true }), (value) => {
        const index = bucketOf(value);
        assert.ok(SKETCH_GAMMA ** (index - 1) < value && value <= SKETCH_GAMMA ** index);
        assert.ok(within(bucketValue(index), value), `${bucketValue(index)} for ${value}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives every percentile within the stated relative error of the exact nearest-rank one', () => {
    fc.assert(
      fc.property(durations, percentile, (values, p) => {
        const exact = nearestRank(Float64Array.from(values).sort(), p);
        const estimate = sketchOf(values).percentile(p)!;
        assert.ok(within(estimate, exact), `p${p}: ${estimate} vs exact ${exact}`);
      }),
      { numRuns: 500 },
    );
  });

  it('merged sketches give the percentiles of the union within the relative error', () => {
    fc.assert(
      fc.property(fc.array(durations, { minLength: 1, maxLength: 6 }), percentile, (sets, p) => {
        const merged = new DurationSketch();
        for (const set of sets) merged.merge(sketchOf(set));
        const union = Float64Array.from(sets.flat()).sort();
        assert.equal(merged.count, union.length);
        const estimate = merged.percentile(p)!;
        assert.ok(within(estimate, nearestRank(union, p)), `p${p}: ${estimate} vs ${nearestRank(union, p)}`);
        // A merge is the sketch of the union, bucket for bucket.
        assert.equal(bytes(merged), bytes(sketchOf(sets.flat())));
      }),
      { numRuns: 300 },
    );
  });

  it('merges commutatively and associatively: the same bytes in any order', () => {
    fc.assert(
      fc.property(durations, durations, durations, (a, b, c) => {
        const merge = (...sketches: DurationSketch[]) => {
          const into = new DurationSketch();
          for (const sketch of sketches) into.merge(sketch);
          return into;
        };
        const [sa, sb, sc] = [a, b, c].map(sketchOf);
        assert.equal(bytes(merge(sa, sb)), bytes(merge(sb, sa)));
        assert.equal(bytes(merge(merge(sa, sb), sc)), bytes(merge(sa, merge(sb, sc))));
      }),
      { numRuns: 200 },
    );
  });

  it('reads back what it writes, and refuses a sketch of another relative error', () => {
    const sketch = sketchOf([0, 0, 1, 5, 5, 1000, 123456789]);
    const fail = (problem: string): never => {
      throw new Error(problem);
    };
    const json = JSON.parse(bytes(sketch)) as Record<string, unknown>;
    assert.deepEqual(json.zeroCount, 2);
    assert.equal(bytes(DurationSketch.fromJson(json, 'd', fail)), bytes(sketch));
    assert.throws(() => DurationSketch.fromJson({ ...json, relativeError: 0.02 }, 'd', fail), /relativeError is 0\.02/);
    assert.throws(() => DurationSketch.fromJson({ ...json, bins: [[1, -1]] }, 'd', fail), /bins\[0\]/);
  });
});
