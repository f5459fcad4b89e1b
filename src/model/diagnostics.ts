/** How many line numbers a warning keeps as examples. */
const EXAMPLE_LINES = 5;

/** One kind of repaired damage, counted. */
export interface Warning {
  /** Stable identifier, e.g. `junk-line`, `out-of-order`, `dropped-events`. */
  readonly code: string;
  /** What happened and what pyflame did about it (for the first occurrence). */
  readonly message: string;
  /** How many times it happened (in `unit`s). */
  count: number;
  /** What `count` counts: "times" unless the warning says otherwise (e.g. "events lost"). */
  readonly unit: string;
  /** How many separate times it was reported (count may be larger, in its unit). */
  occurrences: number;
  /** The first few input lines where it happened. */
  readonly lines: number[];
}

/**
 * Collects warnings about recoverable damage. Every repair pyflame makes to a trace is reported
 * here with a count; nothing is dropped silently.
 */
export class Diagnostics {
  private readonly byCode = new Map<string, Warning>();

  /** Records one occurrence (or `count` of them, in `unit`s) of a warning. */
  warn(code: string, message: string, line?: number, count = 1, unit = 'times'): void {
    let warning = this.byCode.get(code);
    if (warning === undefined) {
      warning = { code, message, count: 0, unit, occurrences: 0, lines: [] };
      this.byCode.set(code, warning);
    }
    warning.count += count;
    warning.occurrences++;
    if (line !== undefined && line > 0 && warning.lines.length < EXAMPLE_LINES) warning.lines.push(line);
  }

  count(code: string): number {
    return this.byCode.get(code)?.count ?? 0;
  }

  /** The warnings in the order they first happened. */
  list(): Warning[] {
    return [...this.byCode.values()];
  }
}

/**
 * Input pyflame cannot read at all: names the file, the line (when there is one) and what was
 * expected. The CLI turns it into exit status 2 and a one-line message, never a stack trace.
 */
export class TraceInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'TraceInputError';
  }
}
