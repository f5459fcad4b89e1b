import { formatCount } from '../text/units.js';
import { pathFrames, type RunDiff } from './compare.js';
import type { Spread } from './compare-sets.js';
import { varies } from './noise-test.js';

/** A count that is not the same in every run of a side: reported, and judged by count rules only when the sides are apart. */
export interface NondeterministicCount {
  readonly metric: 'calls' | 'path.calls' | 'gc.count';
  readonly scope: 'function' | 'path' | 'gc';
  /** functions[i], paths[i] or gc[i] of the diff. */
  readonly index: number;
  readonly spread: Spread;
}

/** Every count that differs between runs of one side, functions first, then paths, then GC (diff order). */
export function nondeterministicCounts(diff: RunDiff): NondeterministicCount[] {
  const samples = diff.samples;
  if (samples === undefined) return [];
  const found: NondeterministicCount[] = [];
  const look = (
    metric: NondeterministicCount['metric'],
    scope: NondeterministicCount['scope'],
    index: number,
    spread: Spread,
  ) => {
    if (varies(spread.base) || varies(spread.head)) found.push({ metric, scope, index, spread });
  };
  samples.functions.forEach((f, i) => look('calls', 'function', i, f.calls));
  samples.paths?.forEach((p, i) => {
    if (!diff.paths![i].ignored) look('path.calls', 'path', i, p.calls);
  });
  samples.gc.forEach((g, i) => look('gc.count', 'gc', i, g.count));
  return found;
}

/** What a nondeterministic count is of, as plain text (`parse (shop.py:12)`, `main → parse`, `GC generation 2`). */
export function countSubject(diff: RunDiff, count: NondeterministicCount): string {
  switch (count.scope) {
    case 'function': {
      const f = diff.functions[count.index];
      return `${f.name} (${f.file}:${f.line})`;
    }
    case 'path': {
      const { frames, elided } = pathFrames(diff.paths ?? [], count.index, 4);
      const names = frames.map((f) => f.name);
      if (elided > 0) names.splice(1, 0, `… ${elided} more`);
      return names.join(' → ');
    }
    case 'gc':
      return `GC generation ${diff.gc[count.index].generation}`;
  }
}

/** `3, 3, 4` — one side's values, in run order. */
export const runValues = (values: readonly number[]): string => values.join(', ');

/** The sentence every report gives about a several-run diff. */
export function runsSentence(diff: RunDiff): string | undefined {
  const samples = diff.samples;
  if (samples === undefined) return undefined;
  const normalized = diff.normalized
    ? " --normalize: every run's times are scaled so that its time in Python equals BASE's median."
    : '';
  return `${samples.runs.base} run${samples.runs.base === 1 ? '' : 's'} of BASE, ${samples.runs.head} of HEAD: figures are medians; a time rule fires only when every HEAD run is apart from every BASE run and the medians differ by at least the larger side's spread (max - min), a count rule on a count that differs between runs only when every HEAD run is apart from every BASE run.${normalized}`;
}

/** How many nondeterministic counts a report names; the JSON lists them all. */
const NONDETERMINISTIC_SHOWN = 5;

/**
 * The report's sentence on the counts that differ between runs of a side, names escaped by
 * `escapeName` for where it goes (terminal, Markdown), or undefined when every count is stable.
 * `elsewhere` says where the rest are listed.
 */
export function nondeterministicSentence(
  diff: RunDiff,
  escapeName: (text: string) => string,
  elsewhere: string,
): { count: number; text: string } | undefined {
  const counts = nondeterministicCounts(diff);
  if (counts.length === 0) return undefined;
  const shown = counts
    .slice(0, NONDETERMINISTIC_SHOWN)
    .map(
      (c) =>
        `${c.metric} of ${escapeName(countSubject(diff, c))}: BASE ${runValues(c.spread.base)} · HEAD ${runValues(c.spread.head)}`,
    );
  const more =
    counts.length > NONDETERMINISTIC_SHOWN
      ? ` and ${formatCount(counts.length - NONDETERMINISTIC_SHOWN)} more (${elsewhere})`
      : '';
  return { count: counts.length, text: `${formatCount(counts.length)}: ${shown.join('; ')}${more}.` };
}
