// Units for people: durations, counts, shares and ids. One formatter for every view (terminal
// report, HTML page, SVG flame graph and its script, timeline chart, diff), so a duration reads
// the same everywhere. Imports nothing: the browser scripts bundle this file too.

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** A duration in ns as `123 ns`, `6.92 µs`, `33.2 ms`, `1.50 s`: three significant digits. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns === 0) return '0 ns';
  // Round first, so 999.7 µs becomes 1.00 ms rather than 1000 µs.
  const rounded = Number(ns.toPrecision(3));
  const [scale, unit] = UNITS.find(([s]) => rounded >= s) ?? UNITS[UNITS.length - 1];
  const value = rounded / scale;
  let text: string;
  if (value >= 1000) text = String(Math.round(value));
  else if (scale === 1 && Number.isInteger(value)) text = String(value);
  else text = value.toPrecision(3);
  return `${text} ${unit}`;
}

/** A duration as formatDuration gives it, without trailing zeros (`50 µs`, `1 ms`, `1.5 ms`): for round values such as bucket edges. */
export function formatDurationShort(ns: number): string {
  return formatDuration(ns)
    .replace(/\.0+ /, ' ')
    .replace(/(\.\d*?)0+ /, '$1 ');
}

/** A signed change of duration: `+1.22 s`, `-310 µs`, `0`. */
export function formatSignedDuration(ns: number): string {
  if (ns === 0) return '0';
  return ns > 0 ? `+${formatDuration(ns)}` : formatDuration(ns);
}

/** A count with thousands separators: 1,234,567. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A signed change of count: `+300`, `-2`, `0`. */
export function formatSignedCount(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

/** `part` as a share of `whole`: `12.3%`, `<0.1%`; `–` when the whole is 0. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '–';
  return formatShare(part / whole);
}

/** A share (0..1) as a percentage. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p > 0 && p < 0.05) return '<0.1%';
  return `${p >= 999.95 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** A process or thread id (-1: the format does not record it). */
export function formatId(id: number): string {
  return id < 0 ? '?' : String(id);
}
