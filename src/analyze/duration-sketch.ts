import { rankOf } from './percentiles.js';

/**
 * The relative error every percentile read from a sketch is within: a value v is reported as some
 * number in [v(1 - α), v(1 + α)].
 */
export const SKETCH_RELATIVE_ERROR = 0.01;

/** Bucket i holds the durations in (γ^(i-1), γ^i]; γ = (1 + α) / (1 - α). */
export const SKETCH_GAMMA = (1 + SKETCH_RELATIVE_ERROR) / (1 - SKETCH_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(SKETCH_GAMMA);

/** A sketch as the `--json` document writes it: sparse [index, count] pairs by index, and the zeros. */
export interface DurationSketchJson {
  readonly relativeError: number;
  readonly zeroCount: number;
  readonly bins: readonly (readonly [number, number])[];
}

/**
 * γ^i for the buckets of durations from ~1 ns to ~3 hours, computed once: the bucket of each of
 * millions of durations is then one logarithm and two look-ups.
 */
const TABLE_FIRST = -1;
const TABLE_LAST = 1300;
const POWERS = Float64Array.from({ length: TABLE_LAST - TABLE_FIRST + 1 }, (_, k) => SKETCH_GAMMA ** (k + TABLE_FIRST));
const power = (index: number): number =>
  index >= TABLE_FIRST && index <= TABLE_LAST ? POWERS[index - TABLE_FIRST] : SKETCH_GAMMA ** index;

/**
 * The bucket of a positive duration: ceil(log_γ v), corrected so that γ^(i-1) < v <= γ^i holds for
 * the powers as computed here (the logarithm alone can land one off at a bucket's edge, which
 * would put v outside the bucket whose middle stands for it).
 */
export function bucketOf(valueNs: number): number {
  let index = Math.ceil(Math.log(valueNs) / LOG_GAMMA);
  while (power(index - 1) >= valueNs) index--;
  while (power(index) < valueNs) index++;
  return index;
}

/**
 * The value that stands for bucket i: 2γ^i / (γ + 1), within α of every value of the bucket (at
 * its low edge γ^(i-1) it is (1 + α) times the value, at its high edge γ^i (1 - α) times).
 */
export function bucketValue(index: number): number {
  return (2 * SKETCH_GAMMA ** index) / (SKETCH_GAMMA + 1);
}

/**
 * A mergeable histogram of call durations in logarithmic buckets (as DDSketch, Masson et al.,
 * VLDB 2019): any percentile it gives is within SKETCH_RELATIVE_ERROR of the exact one, and two
 * sketches merge by adding counts bucket by bucket, so the sketch of many runs is the sum of
 * theirs, in any order. Durations of 0 (or less: clock granularity) are counted apart.
 */
export class DurationSketch {
  zeroCount = 0;
  /** Counts of buckets offset, offset + 1, ...: dense over the range seen (a few hundred at most for most functions). */
  private counts: number[] = [];
  private offset = 0;

  add(valueNs: number, count = 1): void {
    if (!(valueNs > 0)) this.zeroCount += count;
    else this.addToBucket(bucketOf(valueNs), count);
  }

  private addToBucket(index: number, count: number): void {
    const counts = this.counts;
    if (counts.length === 0) this.offset = index;
    else if (index < this.offset) {
      this.counts = [...new Array<number>(this.offset - index).fill(0), ...counts];
      this.offset = index;
    }
    const at = index - this.offset;
    while (this.counts.length <= at) this.counts.push(0);
    this.counts[at] += count;
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
  }

  /** Adds another sketch's counts into this one. */
  merge(other: DurationSketch): void {
    this.zeroCount += other.zeroCount;
    for (const [index, count] of other.bins()) this.addToBucket(index, count);
  }

  get count(): number {
    let n = this.zeroCount;
    for (const count of this.counts) n += count;
    return n;
  }

  /**
   * The nearest-rank p-th percentile (the ceil(p/100 · n)-th smallest value), within the relative
   * error; undefined for an empty sketch.
   */
  percentile(p: number): number | undefined {
    const n = this.count;
    if (n === 0) return undefined;
    const rank = rankOf(p, n);
    if (rank <= this.zeroCount) return 0;
    let seen = this.zeroCount;
    for (const [index, count] of this.bins()) {
      seen += count;
      if (seen >= rank) return bucketValue(index);
    }
    return undefined;
  }

  /** The non-empty buckets, by index. */
  bins(): [number, number][] {
    const bins: [number, number][] = [];
    this.counts.forEach((count, at) => {
      if (count > 0) bins.push([this.offset + at, count]);
    });
    return bins;
  }

  toJson(): DurationSketchJson {
    return { relativeError: SKETCH_RELATIVE_ERROR, zeroCount: this.zeroCount, bins: this.bins() };
  }

  /**
   * A sketch from its JSON, checked: the same relative error (buckets of another γ do not add up
   * with these), whole counts, integer indexes. `fail` reports what is wrong.
   */
  static fromJson(raw: unknown, where: string, fail: (problem: string) => never): DurationSketch {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${where} should be an object`);
    const json = raw as Record<string, unknown>;
    if (json.relativeError !== SKETCH_RELATIVE_ERROR)
      return fail(
        `${where}.relativeError is ${JSON.stringify(json.relativeError)}; this pyflame merges sketches of ${SKETCH_RELATIVE_ERROR} only`,
      );
    const sketch = new DurationSketch();
    if (!isCount(json.zeroCount)) return fail(`${where}.zeroCount should be a whole number`);
    sketch.zeroCount = json.zeroCount;
    if (!Array.isArray(json.bins)) return fail(`${where}.bins should be an array`);
    for (const [i, bin] of json.bins.entries()) {
      if (!Array.isArray(bin) || bin.length !== 2 || !Number.isSafeInteger(bin[0]) || !isCount(bin[1]))
        return fail(`${where}.bins[${i}] should be [index, count] (whole numbers)`);
      // An index far off any duration's would make the dense counts huge: refused.
      if (Math.abs(bin[0]) > MAX_INDEX) return fail(`${where}.bins[${i}]: index ${bin[0]} is out of range`);
      if (bin[1] > 0) sketch.addToBucket(bin[0], bin[1]);
    }
    return sketch;
  }
}

/** Bucket indexes a sketch may hold: durations from 10^-9 ns to 10^20 ns and then some. */
const MAX_INDEX = 3000;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
