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

/**
 * Summarizes durations, reordering them in place; undefined when there are none. Percentiles by
 * selection (expected linear time), not a full sort: millions of calls of one function are common.
 */
export function summarizeDurations(values: Float64Array): DurationSummary | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Select the highest rank first: each later selection only needs the part below it.
  const r99 = rankOf(99, n) - 1;
  const r95 = rankOf(95, n) - 1;
  const r50 = rankOf(50, n) - 1;
  const p99 = select(values, r99, 0, n - 1);
  const p95 = select(values, r95, 0, r99);
  const p50 = select(values, r50, 0, r95);
  return { count: n, minNs: min, maxNs: max, meanNs: sum / n, p50Ns: p50, p95Ns: p95, p99Ns: p99 };
}

/** The k-th smallest (0-based) of `values`, reordering them in place. */
export function kthSmallest(values: Float64Array, k: number): number {
  return select(values, k, 0, values.length - 1);
}

/**
 * The k-th smallest of values[lo..hi] (0-based k within the whole array), by quickselect with a
 * median-of-three pivot; afterwards everything before k is at most it, everything after at least.
 */
function select(values: Float64Array, k: number, lo: number, hi: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot, which also keeps sorted and reversed input linear.
    const a = values[lo];
    const b = values[mid];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
