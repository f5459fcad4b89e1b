// The speedscope file's size budget: its default and the words for a file written at a
// resolution to fit it. Small on purpose: the CLI reads it without loading the writer.

/**
 * The default budget in MiB: the largest file every way of opening it in speedscope loads.
 * `npx speedscope FILE` (speedscope's own CLI, the offline way docs/analyze.md names) puts the
 * file base64-encoded into one JavaScript string, which V8 caps at 2^29 - 24 characters: files
 * over about 384 MiB (402,653,160 bytes) fail there, with an alert or a crash. The app itself
 * (a profile URL, as `pyflame view` serves it, or a dropped file) loaded a 572 MiB file, in 3 min
 * and a 3.2 GB page heap (docs/benchmarks.md, "speedscope files too large for the app"). 380 MiB
 * leaves a margin below the CLI's limit for its wrapper and the file's name.
 */
export const DEFAULT_SPEEDSCOPE_MAX_MB = 380;

/** What writeSpeedscope wrote. */
export interface SpeedscopeWritten {
  /** The file's size in bytes. */
  readonly bytes: number;
  /** The size the file would have had with every call (= bytes when nothing was left out). */
  readonly fullBytes: number;
  /** 0: every call is in the timelines; else calls shorter than this many ns were left out of them (Infinity: all). */
  readonly resolutionNs: number;
  /** The budget it was written for, in bytes (Infinity: none). */
  readonly maxBytes: number;
}

/** `571.3 MiB`; bytes below 1 MiB (what small budgets in tests give). */
export function formatMiB(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * One line saying what was left out of a file written at a resolution to fit its budget (or
 * that even the smallest file is over it); undefined for a file with every call.
 */
export function speedscopeReductionWarning(written: SpeedscopeWritten, budgetWord: string): string | undefined {
  if (written.resolutionNs === 0) return undefined;
  const over = `the speedscope file with every call would be ${formatMiB(written.fullBytes)}, over the ${formatMiB(written.maxBytes)} budget (${budgetWord})`;
  if (written.bytes > written.maxBytes)
    return `${over}, and is still ${formatMiB(written.bytes)} with no call in its per-thread timelines: speedscope may fail to load it; narrow the trace with --tid, --pid, --from/--to or --focus`;
  const resolution = durationWords(written.resolutionNs);
  return `${over}: written at a resolution of ${resolution}, ${formatMiB(written.bytes)}: the per-thread timelines leave out calls shorter than ${resolution} (their time shows in their callers; profile names say "calls ≥ ${resolution}"), the "all threads (self time)" profile is complete`;
}

/** A 1-2-5 resolution in words: `20 µs` (exact: no rounding to three digits). */
export function durationWords(ns: number): string {
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
    [1, 'ns'],
  ];
  const [scale, unit] = units.find(([s]) => ns >= s) ?? units[units.length - 1];
  return `${ns / scale} ${unit}`;
}
