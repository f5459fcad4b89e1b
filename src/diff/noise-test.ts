import type { Spread } from './compare-sets.js';
import { median } from './run-set.js';

/** Whether the per-run values of an item show a change beyond the runs' noise. */
export type NoiseTest = (spread: Spread) => boolean;

/**
 * When several runs per side are compared, a time change counts only if it is beyond the noise the
 * runs themselves show (docs/ci.md, "Several runs per side"). Both tests below start with:
 *
 *   the two sides' ranges do not overlap in the change's direction (every HEAD run slower than
 *   every BASE run for an increase). Under "no change" every ordering of the n+m runs is equally
 *   likely, so this alone is an exact one-sided permutation (rank) test with p = 1/C(n+m, n):
 *   0.05 for 3 vs 3, 0.014 for 4 vs 4, 0.25 for 1 vs 3.
 *
 * and then ask that the change be larger than the noise, measured as the larger side's spread
 * (max - min): on a shared machine whole runs drift together, so non-overlap alone happens by
 * chance more often than the permutation test assumes.
 */

/** The ranges are apart, and the gap between them is at least the larger spread (the stricter test). */
export const rangesApartBySpread: NoiseTest = (spread) => {
  const { bMin, bMax, hMin, hMax, noise } = extent(spread);
  if (hMin > bMax) return hMin - bMax >= noise;
  if (hMax < bMin) return bMin - hMax >= noise;
  return false;
};

/** The ranges are apart, and the medians are at least the larger spread apart (the default). */
export const rangesApartMediansBeyondSpread: NoiseTest = (spread) => {
  const { bMin, bMax, hMin, hMax, noise } = extent(spread);
  if (!(hMin > bMax || hMax < bMin)) return false;
  return Math.abs(median(spread.head) - median(spread.base)) >= noise;
};

/** The test time rules use with several runs per side. */
export const beyondNoise: NoiseTest = rangesApartMediansBeyondSpread;

function extent(spread: Spread) {
  const [bMin, bMax] = range(spread.base);
  const [hMin, hMax] = range(spread.head);
  return { bMin, bMax, hMin, hMax, noise: Math.max(bMax - bMin, hMax - hMin) };
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
