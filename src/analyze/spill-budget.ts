/**
 * How many bytes of call durations, and of call timeline, an analysis keeps in memory before it
 * spills the rest to a temporary file (duration-store.ts, timeline-recorder.ts), each: enough
 * for a trace of 100-odd MB to stay in memory (and off the disk); a larger one stays within it,
 * so peak memory does not grow with the trace (docs/benchmarks.md, issue 16).
 */
export const DEFAULT_SPILL_BUDGET_BYTES = 32 * 1024 * 1024;

/** The budget: PYFLAME_SPILL_BUDGET (bytes; tests set a tiny one to make small traces spill), else the default. */
export function spillBudgetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.PYFLAME_SPILL_BUDGET;
  if (text === undefined || text === '') return DEFAULT_SPILL_BUDGET_BYTES;
  if (!/^\d+$/.test(text))
    throw new Error(`PYFLAME_SPILL_BUDGET must be a whole number of bytes (got ${JSON.stringify(text)})`);
  return Number(text);
}
