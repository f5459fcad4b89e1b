import { bin } from 'd3-array';

/** One bucket of pause durations: [fromNs, toNs). */
export interface HistogramBucket {
  readonly fromNs: number;
  readonly toNs: number;
  readonly count: number;
}

/** Log-scaled bucket edges (1, 2, 5 times each power of ten, ns) from at or below min to above max. */
function logEdges(minNs: number, maxNs: number): number[] {
  const all: number[] = [];
  for (let decade = 1; decade <= Math.max(maxNs, 1) * 10; decade *= 10)
    for (const step of [1, 2, 5]) all.push(step * decade);
  const first = all.filter((edge) => edge <= Math.max(minNs, 1)).pop() ?? 1;
  const last = all.find((edge) => edge > maxNs)!;
  const edges = all.filter((edge) => edge >= first && edge <= last);
  // Zero-length pauses (clock granularity) get a bucket of their own.
  return minNs < 1 ? [0, ...edges] : edges;
}

/**
 * A histogram of durations in log-scaled buckets (1-2-5 steps per decade), binned by d3-array.
 * Empty buckets between the first and last are kept, so the shape reads right.
 */
export function durationHistogram(durationsNs: readonly number[]): HistogramBucket[] {
  if (durationsNs.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const d of durationsNs) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const edges = logEdges(min, max);
  const bins = bin<number, number>()
    .domain([edges[0], edges[edges.length - 1]])
    .thresholds(edges.slice(1, -1))(durationsNs);
  return bins.map((b) => ({ fromNs: b.x0!, toNs: b.x1!, count: b.length }));
}
