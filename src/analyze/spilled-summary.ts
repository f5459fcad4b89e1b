import { kthSmallest, rankOf, summarizeDurations, type DurationSummary } from './percentiles.js';

/** Calls `visit` with a set's durations in recorded order, a piece at a time. */
export type DurationReader = (visit: (durations: Float64Array) => void) => void;

/** Buckets of a histogram pass: 1/16 octave wide on the first pass, equal widths after it. */
const LOG_BUCKETS = 1026;
const LINEAR_BUCKETS = 4096;

const bits = new Float64Array(1);
const highWord = new Uint32Array(bits.buffer, 4, 1);

/**
 * The summary summarizeDurations would give of `count` durations read by `read`, holding at most
 * `budget` of them in memory at once. A set within the budget is read whole and summarized as in
 * memory (same order, same sum, same selection). A larger one is read several times: once for
 * the count, sum (added in recorded order, as in memory), minimum and maximum; then each
 * percentile (an exact value of the set, the nearest rank) is narrowed down by histograms (each
 * pass keeps only the bucket that holds the rank, with the smallest and largest value in it)
 * until its values fit the budget and are selected like in memory, or are all one value.
 */
export function summarizeSpilled(read: DurationReader, count: number, budget: number): DurationSummary | undefined {
  if (count === 0) return undefined;
  if (count <= budget) {
    const values = new Float64Array(count);
    let at = 0;
    read((piece) => {
      values.set(piece, at);
      at += piece.length;
    });
    return summarizeDurations(values);
  }
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  read((piece) => {
    for (let i = 0; i < piece.length; i++) {
      const v = piece[i];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    n += piece.length;
  });
  const [p50, p95, p99] = [50, 95, 99].map((p) => new RankSearch(rankOf(p, n) - 1, min, max, n));
  const searches = [p99, p95, p50];
  // Each set of values collected is at most a third of the budget: three can be collected at once.
  const collectAtMost = Math.max(1, Math.floor(budget / 3));
  for (;;) {
    const open = searches.filter((search) => search.answer === undefined);
    if (open.length === 0) break;
    for (const search of open) search.prepare(collectAtMost);
    read((piece) => {
      for (const search of open) search.take(piece);
    });
    for (const search of open) search.narrow();
  }
  return {
    count: n,
    minNs: min,
    maxNs: max,
    meanNs: sum / n,
    p50Ns: p50.answer!,
    p95Ns: p95.answer!,
    p99Ns: p99.answer!,
  };
}

/**
 * The search for the k-th smallest value (0-based) of a set read in passes: it lies among the
 * `n` values in [lo, hi], at `k` among them.
 */
class RankSearch {
  answer: number | undefined;
  private firstPass = true;
  private collected: Float64Array | undefined;
  private collectedCount = 0;
  private counts = new Float64Array(0);
  private mins = new Float64Array(0);
  private maxs = new Float64Array(0);
  private bucketOf: (v: number) => number = () => 0;

  constructor(
    private k: number,
    private lo: number,
    private hi: number,
    private n: number,
  ) {}

  /** Sets up the next pass: collect the values in range, or count them into buckets. */
  prepare(collectAtMost: number): void {
    if (this.lo === this.hi) {
      this.answer = this.lo;
      return;
    }
    if (this.n <= collectAtMost) {
      this.collected = new Float64Array(this.n);
      this.collectedCount = 0;
      return;
    }
    const size = this.firstPass ? LOG_BUCKETS : LINEAR_BUCKETS;
    this.bucketOf = this.firstPass ? logBucket : linearBucket(this.lo, this.hi);
    this.firstPass = false;
    this.counts = new Float64Array(size);
    this.mins = new Float64Array(size).fill(Infinity);
    this.maxs = new Float64Array(size).fill(-Infinity);
  }

  take(piece: Float64Array): void {
    if (this.answer !== undefined) return;
    const { lo, hi } = this;
    const collected = this.collected;
    if (collected !== undefined) {
      for (let i = 0; i < piece.length; i++) {
        const v = piece[i];
        if (v >= lo && v <= hi) collected[this.collectedCount++] = v;
      }
      return;
    }
    const { counts, mins, maxs, bucketOf } = this;
    for (let i = 0; i < piece.length; i++) {
      const v = piece[i];
      if (v < lo || v > hi) continue;
      const b = bucketOf(v);
      counts[b]++;
      if (v < mins[b]) mins[b] = v;
      if (v > maxs[b]) maxs[b] = v;
    }
  }

  /** After a pass: the answer, or the bucket that holds it as the next range. */
  narrow(): void {
    if (this.answer !== undefined) return;
    if (this.collected !== undefined) {
      this.answer = kthSmallest(this.collected, this.k);
      this.collected = undefined;
      return;
    }
    let before = 0;
    for (let b = 0; b < this.counts.length; b++) {
      const inBucket = this.counts[b];
      if (this.k < before + inBucket) {
        this.k -= before;
        this.lo = this.mins[b];
        this.hi = this.maxs[b];
        this.n = inBucket;
        break;
      }
      before += inBucket;
    }
    this.counts = this.mins = this.maxs = new Float64Array(0);
  }
}

/**
 * 1/16 octave buckets: the exponent and top four mantissa bits of values from 1 up (bucket 0
 * takes everything below 1). Monotone, so a bucket's values are exactly those between its
 * smallest and largest.
 */
function logBucket(v: number): number {
  if (!(v >= 1)) return 0;
  bits[0] = v;
  return Math.min(LOG_BUCKETS - 1, 1 + ((highWord[0] >>> 16) - 0x3ff0));
}

/**
 * Equal-width buckets over [lo, hi] (lo < hi): lo falls in the first and hi in the last, so each
 * bucket holds fewer values than the range and every pass narrows it. Scaled before subtracting,
 * so no difference overflows; where the width still underflows, two buckets: lo, and the rest.
 */
function linearBucket(lo: number, hi: number): (v: number) => number {
  const scaledLo = lo / LINEAR_BUCKETS;
  const width = hi / LINEAR_BUCKETS - scaledLo;
  if (!(width > 0) || !Number.isFinite(width)) return (v) => (v === lo ? 0 : 1);
  return (v) => Math.min(LINEAR_BUCKETS - 1, Math.floor(((v / LINEAR_BUCKETS - scaledLo) / width) * LINEAR_BUCKETS));
}
