import type { Spread } from './compare-sets.js';

/**
 * When several runs per side are compared, a time change counts only if it is beyond the noise the
 * runs themselves show (docs/ci.md, "Several runs per side"):
 *
 * 1. the two sides' ranges do not overlap in the change's direction (every HEAD run slower than
 *    every BASE run for an increase). Under "no change" every ordering of the n+m runs is equally
 *    likely, so this alone is an exact one-sided permutation (rank) test with p = 1/C(n+m, n):
 *    0.05 for 3 vs 3, 0.008 for 4 vs 4, 0.25 for 1 vs 3;
 * 2. and the gap between the ranges is at least the larger side's spread (max - min): on a loaded
 *    machine whole runs drift together, so non-overlap alone still happens by chance in about one
 *    grouping in twenty; requiring the gap to exceed what one side already varies by makes a
 *    firing a change larger than the noise, not merely a lucky ordering.
 */
export function beyondNoise(spread: Spread): boolean {
  const { base, head } = spread;
  const [bMin, bMax] = range(base);
  const [hMin, hMax] = range(head);
  const noise = Math.max(bMax - bMin, hMax - hMin);
  if (hMin > bMax) return hMin - bMax >= noise;
  if (hMax < bMin) return bMin - hMax >= noise;
  return false;
}

/**
 * A count rule on a count that differs between runs of a side fires only when every HEAD run
 * differs from every BASE run in the rule's direction (more for > and >=, fewer for < and <=).
 */
export function countsSeparated(spread: Spread, increase: boolean): boolean {
  const [bMin, bMax] = range(spread.base);
  const [hMin, hMax] = range(spread.head);
  return increase ? hMin > bMax : hMax < bMin;
}

/** Not the same value in every run of the side. */
export function varies(values: readonly number[]): boolean {
  return values.some((v) => v !== values[0]);
}

export function range(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
