import { formatDuration } from '../text/units.js';

// A flame graph's weights in the unit of its input. Pure, so both sides use this one file: the
// SVG's <title> texts (src/export/svg) and the graph's script (flame-graph.ts, bundled).

/** Time units a weight may be given in, as ns per unit (`us` and both micro signs are µs). */
const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9 };

/** Nanoseconds per `unit` when it is a time unit, else undefined. */
export function nsPerUnit(unit: string): number | undefined {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: the browser scripts target ES2020, which has no Object.hasOwn
  return Object.prototype.hasOwnProperty.call(TIME_UNITS, unit) ? TIME_UNITS[unit] : undefined;
}

// One formatter for all (making one per call costs ~0.1 ms).
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * A weight in `unit` for people: a duration for time units (`1.23 ms`), else the number with
 * thousands separators and up to two decimals, then the unit (`1,234.5 samples`).
 */
export function formatWeight(value: number, unit: string): string {
  const ns = nsPerUnit(unit);
  if (ns !== undefined) return formatDuration(value * ns);
  const number = NUMBER.format(value);
  return unit === '' ? number : `${number} ${unit}`;
}
