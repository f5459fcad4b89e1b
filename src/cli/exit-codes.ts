/** Exit statuses, as CI reads them. */
export const ExitCode = {
  Ok: 0,
  /** `pyflame diff`: a --fail-on rule fired. */
  Regression: 1,
  /** Bad usage, or input that cannot be read. */
  Error: 2,
} as const;

/** A mistake in the command line: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
