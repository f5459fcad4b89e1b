import { ticks } from 'd3-array';

/** A linear map from [d0, d1] onto [r0, r1] (a flat domain maps to r0). */
export function linear(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  const span = d1 - d0;
  return (value) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** A number for an SVG attribute: at most two decimals, no trailing zeros (deterministic). */
export function px(value: number): string {
  const text = value.toFixed(2);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Nice round tick values over [from, to] (d3-array), about `count` of them. */
export function niceTicks(from: number, to: number, count: number): number[] {
  return from === to ? [from] : ticks(from, to, count);
}

/** A horizontal axis at y: a line, tick marks and labels at the given x positions. */
export function xAxis(
  y: number,
  x0: number,
  x1: number,
  marks: readonly { x: number; label: string }[],
  title: string,
): string {
  const parts = [`<line class="axis" x1="${px(x0)}" y1="${px(y)}" x2="${px(x1)}" y2="${px(y)}"/>`];
  for (const mark of marks) {
    parts.push(
      `<line class="axis" x1="${px(mark.x)}" y1="${px(y)}" x2="${px(mark.x)}" y2="${px(y + 4)}"/>`,
      `<text x="${px(mark.x)}" y="${px(y + 15)}" text-anchor="middle">${mark.label}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="${px((x0 + x1) / 2)}" y="${px(y + 32)}" text-anchor="middle">${title}</text>`,
  );
  return parts.join('');
}

/** A vertical axis at x: a line, tick marks and labels at the given y positions, a rotated title. */
export function yAxis(
  x: number,
  y0: number,
  y1: number,
  marks: readonly { y: number; label: string }[],
  title: string,
): string {
  const parts = [`<line class="axis" x1="${px(x)}" y1="${px(y0)}" x2="${px(x)}" y2="${px(y1)}"/>`];
  for (const mark of marks) {
    parts.push(
      `<line class="axis" x1="${px(x - 4)}" y1="${px(mark.y)}" x2="${px(x)}" y2="${px(mark.y)}"/>`,
      `<text x="${px(x - 6)}" y="${px(mark.y + 4)}" text-anchor="end">${mark.label}</text>`,
    );
  }
  const middle = (y0 + y1) / 2;
  parts.push(
    `<text class="axis-title" x="${px(x - 46)}" y="${px(middle)}" text-anchor="middle" transform="rotate(-90 ${px(x - 46)} ${px(middle)})">${title}</text>`,
  );
  return parts.join('');
}
