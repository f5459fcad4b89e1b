import type { FunctionStats } from './analysis.js';

/** Which time of a function: self or total. */
export type TimeKind = 'self' | 'total';

/** The time and its uncertainty's half-width (0 when the analysis took no stated cost out). */
export function timeWithError(stats: FunctionStats, kind: TimeKind): { ns: number; errorNs: number } {
  return kind === 'self'
    ? { ns: stats.selfNs, errorNs: stats.error?.selfNs ?? 0 }
    : { ns: stats.totalNs, errorNs: stats.error?.totalNs ?? 0 };
}

/**
 * Is the time within its uncertainty (no larger than it: it may be all recording cost, none the
 * program's)? Such a function is marked and ranked after the measured ones, never as hot.
 */
export function withinUncertainty(stats: FunctionStats, kind: TimeKind): boolean {
  const { ns, errorNs } = timeWithError(stats, kind);
  return errorNs > 0 && ns <= errorNs;
}
