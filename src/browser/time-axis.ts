/**
 * The flame chart's time axis: a unit picked by the span shown (ns, µs, ms, s) and ticks at
 * round steps (1, 2 or 5 × a power of ten). Pure, so both sides use this one file: the chart's
 * SVG (src/export/chart) draws the first ticks with it, and the chart's script (timeline-chart.ts,
 * bundled) recomputes them when it zooms or the window is resized.
 */
export interface Tick {
  readonly ns: number;
  readonly label: string;
}

const UNITS: readonly (readonly [number, string])[] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** The unit for a span: the largest whose one unit fits in the span (ns below 1 µs). */
export function axisUnit(spanNs: number): readonly [number, string] {
  return UNITS.find(([scale]) => spanNs >= scale) ?? UNITS[UNITS.length - 1];
}

/** A round step giving about `count` ticks over the span (never under 1 ns). */
export function tickStep(spanNs: number, count: number): number {
  const raw = Math.max(spanNs / Math.max(count, 1), 1);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const mantissa = raw / power;
  return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
}

/** Ticks over [startNs, endNs] (ns from the trace start), labelled in one unit. */
export function axisTicks(startNs: number, endNs: number, count: number): Tick[] {
  const span = Math.max(endNs - startNs, 1);
  const step = tickStep(span, count);
  const [scale, unit] = axisUnit(span);
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9));
  const ticks: Tick[] = [];
  for (let k = Math.ceil(startNs / step); k * step <= endNs; k++) {
    const ns = k * step;
    ticks.push({ ns, label: ns === 0 ? '0' : `${(ns / scale).toFixed(decimals)} ${unit}` });
  }
  return ticks;
}
