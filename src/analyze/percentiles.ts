/** Summary of a set of durations (ns). */
export interface DurationSummary {
  readonly count: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p95Ns: number;
  readonly p99Ns: number;
}

/**
 * The nearest-rank percentile of sorted values: the ceil(p/100 * n)-th smallest (1-based), the
 * definition that always returns one of the values (no interpolation), so it is exact for
 * integer nanoseconds.
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The 1-based rank of the nearest-rank p-th percentile of n values. */
export function rankOf(p: number, n: number): number {
  return Math.max(1, Math.ceil((p / 100) * n));
}

/** What one pass over a set of durations gives: their count, sum (added in their order), extremes. */
export interface DurationTotals {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

export function durationTotals(values: Float64Array): DurationTotals {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: n, sum, min, max };
}

/**
 * Summarizes durations, reordering them in place; undefined when there are none. Percentiles by
 * selection (expected linear time), not a full sort: millions of calls of one function are common.
 */
export function summarizeDurations(values: Float64Array): DurationSummary | undefined {
  return values.length === 0 ? undefined : summarizeWithTotals(values, durationTotals(values));
}

/**
 * summarizeDurations with the totals taken before (in the values' recorded order, which the mean's
 * sum follows: they may have been reordered since, by selections within parts of them).
 */
export function summarizeWithTotals(values: Float64Array, totals: DurationTotals): DurationSummary {
  const n = values.length;
  // The median first, over everything; then each higher rank only in the part above the one
  // before (half the values, then a twentieth): about 1.6n elements touched in all, against 2.9n
  // when the highest rank came first and each later one searched everything below it.
  const r50 = rankOf(50, n) - 1;
  const r95 = rankOf(95, n) - 1;
  const r99 = rankOf(99, n) - 1;
  const p50 = select(values, r50, 0, n - 1);
  const p95 = select(values, r95, r50, n - 1);
  const p99 = select(values, r99, r95, n - 1);
  return {
    count: n,
    minNs: totals.min,
    maxNs: totals.max,
    meanNs: totals.sum / n,
    p50Ns: p50,
    p95Ns: p95,
    p99Ns: p99,
  };
}

/** The k-th smallest (0-based) of `values`, reordering them in place. */
export function kthSmallest(values: Float64Array, k: number): number {
  return select(values, k, 0, values.length - 1);
}

/** Ranges longer than this are first narrowed on a sample (Floyd and Rivest's SELECT). */
const SAMPLED_RANGE = 600;

/**
 * The k-th smallest of values[lo..hi] (0-based k within the whole array); afterwards everything
 * before k is at most it, everything after at least. Floyd and Rivest's algorithm (1975): a long
 * range is first narrowed by selecting, in a small sample around k's expected place, two values
 * that bracket the k-th with high probability, so the partitions that follow touch about n + o(n)
 * elements instead of quickselect's ~2-3n, for each of the three percentiles. The recursion only
 * ever works on samples (n^(2/3) of the range), so its depth is a handful of levels.
 */
function select(values: Float64Array, k: number, lo: number, hi: number): number {
  while (hi > lo) {
    if (hi - lo > SAMPLED_RANGE) {
      const n = hi - lo + 1;
      const i = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i < n / 2 ? -1 : 1);
      const sampleLo = Math.max(lo, Math.floor(k - (i * s) / n + sd));
      const sampleHi = Math.min(hi, Math.floor(k + ((n - i) * s) / n + sd));
      select(values, k, sampleLo, sampleHi);
    }
    // Partition [lo, hi] around t = values[k].
    const t = values[k];
    let i = lo;
    let j = hi;
    swap(values, lo, k);
    if (values[hi] > t) swap(values, lo, hi);
    while (i < j) {
      swap(values, i, j);
      i++;
      j--;
      while (values[i] < t) i++;
      while (values[j] > t) j--;
    }
    if (values[lo] === t) swap(values, lo, j);
    else {
      j++;
      swap(values, j, hi);
    }
    // t is now at j, with nothing larger before it and nothing smaller after it.
    if (j <= k) lo = j + 1;
    if (k <= j) hi = j - 1;
  }
  return values[k];
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a];
  values[a] = values[b];
  values[b] = t;
}
