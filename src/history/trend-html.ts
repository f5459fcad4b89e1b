import { max, ticks } from 'd3-array';
import { formatCount, formatDuration } from '../text/units.js';
import { htmlText } from '../text/untrusted.js';
import type { Trend } from './trend.js';

// `history trend --html`: one offline page, a line chart per function (self and total time across
// the trend's points, laid out with d3's ticks) and its table. The page loads nothing and runs no
// script: the charts are inline SVG, each point's figures in its <title> (the browser's tooltip).

const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;word-break:break-all}
table{border-collapse:collapse;margin-top:.6em}th,td{padding:2px 10px;text-align:right;white-space:nowrap}
th{border-bottom:1px solid #999}td.key,th.key{text-align:left}tr:nth-child(even) td{background:#f4f4f4}
.note{color:#555}svg{display:block;max-width:100%}.axis{font-size:11px;fill:#555}
.self{stroke:#c0392b}.total{stroke:#2c7fb8}.self-dot{fill:#c0392b}.total-dot{fill:#2c7fb8}`;

const WIDTH = 900;
const HEIGHT = 260;
const MARGIN = { top: 12, right: 16, bottom: 40, left: 72 };

function chart(trend: Trend): string {
  const points = trend.points;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = max(points, (point) => point.totalNs) || 1;
  const yTicks = ticks(0, top, 5);
  const yMax = Math.max(top, yTicks.at(-1) ?? top);
  const x = (i: number) => MARGIN.left + (points.length === 1 ? plotWidth / 2 : (i / (points.length - 1)) * plotWidth);
  const y = (ns: number) => MARGIN.top + plotHeight - (ns / yMax) * plotHeight;
  const line = (pick: (i: number) => number) =>
    points.map((_, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(pick(i)).toFixed(1)}`).join('');
  // At most ~12 labels along x: every k-th point's key.
  const every = Math.max(1, Math.ceil(points.length / 12));
  const parts = [
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="self and total time of ${htmlText(trend.name)}">`,
    ...yTicks.map(
      (tick) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#eee"/>` +
        `<text class="axis" x="${MARGIN.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${htmlText(formatDuration(tick))}</text>`,
    ),
    ...points.flatMap((point, i) =>
      i % every === 0
        ? [
            `<text class="axis" x="${x(i).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${htmlText(point.key.slice(0, 16))}</text>`,
          ]
        : [],
    ),
    `<path class="total" fill="none" stroke-width="1.5" d="${line((i) => points[i].totalNs)}"/>`,
    `<path class="self" fill="none" stroke-width="2" d="${line((i) => points[i].selfNs)}"/>`,
    ...points.map(
      (point, i) =>
        `<circle class="total-dot" cx="${x(i).toFixed(1)}" cy="${y(point.totalNs).toFixed(1)}" r="2.5"><title>${htmlText(`${point.key}: total ${formatDuration(Math.round(point.totalNs))}`)}</title></circle>` +
        `<circle class="self-dot" cx="${x(i).toFixed(1)}" cy="${y(point.selfNs).toFixed(1)}" r="3"><title>${htmlText(`${point.key}: self ${formatDuration(Math.round(point.selfNs))}, ${formatCount(Math.round(point.calls))} calls`)}</title></circle>`,
    ),
    '</svg>',
  ];
  return parts.join('\n');
}

function table(trend: Trend): string {
  const head = `<tr><th class="key">${htmlText(trend.by ?? 'run')}</th><th>#</th><th>runs</th><th>self</th><th>total</th><th>calls</th></tr>`;
  const rows = trend.points.map(
    (point) =>
      `<tr><td class="key">${htmlText(point.key)}</td><td>${point.added}</td><td>${point.runs}</td>` +
      `<td>${point.present === 0 ? '-' : htmlText(formatDuration(Math.round(point.selfNs)))}</td>` +
      `<td>${point.present === 0 ? '-' : htmlText(formatDuration(Math.round(point.totalNs)))}</td>` +
      `<td>${htmlText(formatCount(Math.round(point.calls)))}</td></tr>`,
  );
  return `<table>\n${head}\n${rows.join('\n')}\n</table>`;
}

/** The page: a heading, then each function's chart and table. Every name is escaped. */
export function trendHtmlPage(trends: readonly Trend[], store: string): string {
  const sections = trends.map(
    (trend) =>
      `<section class="trend">\n<h2>${htmlText(trend.name)} <span class="note">(${htmlText(trend.file)})</span></h2>\n` +
      `<p class="note">${trend.points.length} ${trend.by === null ? 'runs in the order added' : `values of ${htmlText(trend.by)}, medians of their runs`}` +
      `${trend.runsWithoutLabel > 0 ? `; ${trend.runsWithoutLabel} runs without the label left out` : ''}. ` +
      '<span style="color:#c0392b">self</span> and <span style="color:#2c7fb8">total</span> time; hover a point for its figures.</p>\n' +
      `${chart(trend)}\n${table(trend)}\n</section>`,
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>pyflame history trend</title>
<style>${STYLE}</style>
</head>
<body>
<h1>pyflame history trend</h1>
<p class="note">History ${htmlText(store)}.</p>
${sections.join('\n')}
</body>
</html>
`;
}
