import { UsageError } from './exit-codes.js';

const DURATION = /^(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*(ns|us|µs|μs|ms|s)?$/i;
const SCALE: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9 };

/**
 * A duration flag's value in ns: a plain number is nanoseconds; `ns`, `us` (or `µs`), `ms` and
 * `s` suffixes scale it (`123`, `5us`, `1.5ms`, `2s`, `2 s`). Anything else, or a negative value,
 * is a usage error naming the flag.
 */
export function parseDurationFlag(flag: string, value: string | number): number {
  const text = String(value).trim();
  const match = DURATION.exec(text);
  if (match === null) {
    throw new UsageError(`--${flag} takes a duration such as 123 (ns), 5us, 1.5ms or 2s; got "${text}"`);
  }
  const number = Number(`${match[1]}${match[2] !== undefined ? `e${match[2]}` : ''}`);
  const ns = number * SCALE[(match[3] ?? 'ns').toLowerCase()];
  if (!Number.isFinite(ns)) throw new UsageError(`--${flag}: "${text}" is too large`);
  return ns;
}

/** A regular expression flag (`--focus`, `--exclude`): a usage error naming the flag when it does not compile. */
export function parseRegexFlag(flag: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UsageError(`--${flag}: "${pattern}" is not a valid regular expression (${(error as Error).message})`);
  }
}

/** Repeatable whole-number flags (`--pid 1 --pid 2`). */
export function parseIdFlag(flag: string, values: readonly (number | string)[] | undefined): number[] | undefined {
  if (values === undefined) return undefined;
  if (values.length === 0) throw new UsageError(`--${flag} needs an id (a whole number)`);
  return values.map((value) => {
    const id = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id))
      throw new UsageError(`--${flag} takes a process or thread id (a whole number); got "${String(value)}"`);
    return id;
  });
}
