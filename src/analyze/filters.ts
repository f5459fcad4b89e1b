/** Filters shared by every output of an analysis (docs/analyze.md). */
export interface AnalysisFilters {
  /** Keep only these process ids. */
  readonly pids?: readonly number[];
  /** Keep only these thread ids. */
  readonly tids?: readonly number[];
  /** Keep only what runs under a function matching this (re-rooted there). */
  readonly focus?: RegExp;
  /** Drop functions matching this; their time goes to their caller. */
  readonly exclude?: RegExp;
  /** Keep only events at or after this time (ns from the trace's start). */
  readonly fromNs?: number;
  /** Keep only events at or before this time (ns from the trace's start). */
  readonly toNs?: number;
}

/** What a focus or exclude pattern is matched against: `name`, `file` and `file:name`. */
export function matchesFunction(pattern: RegExp, file: string, name: string): boolean {
  pattern.lastIndex = 0;
  if (pattern.test(name)) return true;
  pattern.lastIndex = 0;
  if (pattern.test(file)) return true;
  pattern.lastIndex = 0;
  return pattern.test(`${file}:${name}`);
}
