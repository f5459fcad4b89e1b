/** Exit statuses, as CI reads them. */
export const ExitCode = {
  Ok: 0,
  /** `pyflame diff`: a --fail-on rule fired. */
  Regression: 1,
  /** Bad usage, or input that cannot be read. */
  Error: 2,
  /** `pyflame record`: the trace is complete, but the recorded program failed (status ≠ 0, or killed by a signal). */
  ProgramFailed: 3,
  /** `pyflame record`: a trace was kept but is incomplete (events missing; its last line says so). */
  Incomplete: 4,
} as const;

/** A mistake in the command line: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
