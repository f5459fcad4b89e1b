import type { Options } from 'yargs';
import { UsageError } from './exit-codes.js';

// Flags several commands declare with one meaning (analyze, diff, flamegraph): defined and checked
// once here, so their defaults and their complaints cannot drift apart.

/** --minwidth's default: frames narrower than 0.1 % of the whole graph are left out. */
export const DEFAULT_MIN_WIDTH_PERCENT = 0.1;

/** The width server-side labels assume; `--minwidth Npx` is N pixels of it (flamegraph.pl's default width). */
export const PIXELS_WIDE = 1200;

/** --minwidth as a percentage (analyze, diff); `describe` says which outputs it shapes. */
export function minWidthOption(describe: string): Options {
  return { type: 'number', default: DEFAULT_MIN_WIDTH_PERCENT, describe };
}

/**
 * --minwidth in percent of the graph, checked: from 0 to 100. With `pixels` (flamegraph, which
 * declares the flag as a string) `Npx` is N pixels of a 1200-pixel graph (flamegraph.pl's meaning)
 * and `N%` a percentage.
 */
export function minWidthPercent(
  value: unknown,
  { pixels = false, widthPx = PIXELS_WIDE }: { pixels?: boolean; widthPx?: number } = {},
): number {
  if (!pixels) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)
      throw new UsageError(`--minwidth takes a percentage from 0 to 100; got ${String(value)}`);
    return value;
  }
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d*)?|\.\d+)(px|%)?$/i.exec(text);
  const percent =
    match === null ? NaN : match[2]?.toLowerCase() === 'px' ? (Number(match[1]) / widthPx) * 100 : Number(match[1]);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new UsageError(
      `--minwidth takes a percentage from 0 to 100 (or pixels of a ${widthPx}-pixel graph, as 0.5px); got ${text}`,
    );
  return percent;
}

/** --inverted: an icicle graph; `prefix` names the outputs it shapes (`SVG: `). */
export function invertedOption(prefix = ''): Options {
  return { type: 'boolean', default: false, describe: `${prefix}an icicle graph (root at the top)` };
}

/** --top: rows in each table of a report. */
export function topOption(rows: number): Options {
  return { type: 'number', default: rows, describe: 'rows in each table' };
}

/** --top, checked: a whole number of rows, 1 or more. */
export function topRows(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new UsageError(`--top takes a whole number of rows (1 or more); got ${String(value)}`);
  return value;
}

/** A flag that takes one value, given twice (yargs then hands over an array). */
export function onlyOnce(flag: string, value: unknown): void {
  if (Array.isArray(value)) throw new UsageError(`--${flag} is given more than once`);
}

/** Inputs as given: stdin (`-`) can be among them once. */
export function stdinAtMostOnce(inputs: readonly string[]): void {
  if (inputs.filter((input) => input === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
}
