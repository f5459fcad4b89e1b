/**
 * How many bytes of call durations, and of call timeline, an analysis keeps in memory before it
 * spills the rest to a temporary file (duration-store.ts, timeline-recorder.ts); a larger trace
 * stays within them, so peak memory does not grow with the trace (docs/benchmarks.md, issue 16).
 *
 * Durations: 48 MiB (about 3 million calls at 16 bytes each, room to grow included), so that a
 * trace of half a gigabyte (the benchmark's 2.6 million calls) is summarized from memory; spilling
 * it and reading it back cost ~50 ms of a 1.4 s analysis. Timeline: 32 MiB (1.4 million call
 * boundaries at 24 bytes); it spills cheaply (in large chunks, read back in order), and every
 * output that reads it costs memory of its own beside it.
 */
export const DEFAULT_DURATION_SPILL_BUDGET_BYTES = 48 * 1024 * 1024;
export const DEFAULT_TIMELINE_SPILL_BUDGET_BYTES = 32 * 1024 * 1024;

/**
 * A budget: PYFLAME_SPILL_BUDGET (bytes, for both; tests set a tiny one to make small traces
 * spill), else `fallback`.
 */
export function spillBudgetBytes(
  env: NodeJS.ProcessEnv = process.env,
  fallback = DEFAULT_DURATION_SPILL_BUDGET_BYTES,
): number {
  const text = env.PYFLAME_SPILL_BUDGET;
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text))
    throw new Error(`PYFLAME_SPILL_BUDGET must be a whole number of bytes (got ${JSON.stringify(text)})`);
  return Number(text);
}
