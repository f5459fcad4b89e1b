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

/** Summarizes durations, sorting them in place; undefined when there are none. */
export function summarizeDurations(values: Float64Array): DurationSummary | undefined {
  if (values.length === 0) return undefined;
  values.sort();
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return {
    count: values.length,
    minNs: values[0],
    maxNs: values[values.length - 1],
    meanNs: sum / values.length,
    p50Ns: nearestRank(values, 50),
    p95Ns: nearestRank(values, 95),
    p99Ns: nearestRank(values, 99),
  };
}
