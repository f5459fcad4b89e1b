import type { Analysis, GcAnalysis } from '../../analyze/analysis.js';
import type { GcPauseRecord } from '../../analyze/thread-state.js';
import { durationHistogram, type HistogramBucket } from '../../analyze/gc-histogram.js';
import { formatCount, formatDuration, formatDurationShort, formatShare } from '../../text/units.js';
import { bucketLabel } from '../terminal/gc.js';
import { htmlText } from '../../text/untrusted.js';
import { linear, niceTicks, px, xAxis, yAxis } from './chart.js';

const LEFT = 64;
const TOP = 16;
const PLOT_HEIGHT = 160;
const BOTTOM = 44;
const TIMELINE_WIDTH = 860;
/** Above this many pauses, the timeline draws one bar per 6 px column and generation instead. */
export const TIMELINE_BARS = 2000;
/** A column holds a 2 px bar for each of generations 0, 1 and 2 side by side, so none hides another. */
const COLUMN_PX = 6;
const BAR_PX = 2;

type Scale = (value: number) => number;

function barRect(generation: number, left: number, width: number, top: number, tip: string): string {
  return `<rect class="pause ${genClass(generation)}" x="${px(left)}" y="${px(Math.min(top, TOP + PLOT_HEIGHT - 2))}" width="${px(width)}" height="${px(Math.max(2, TOP + PLOT_HEIGHT - top))}" data-tip="${htmlText(tip)}"/>`;
}

/** One pause: at its start, as wide as it lasted (2 px at least), as tall as the log of its length. */
function pauseBar(pause: GcPauseRecord, x: Scale, y: Scale): string {
  const width = Math.max(2, x(pause.startNs + pause.durationNs) - x(pause.startNs));
  const tid = pause.tid < 0 ? '' : `, thread ${pause.tid}`;
  return barRect(
    pause.generation,
    x(pause.startNs),
    width,
    y(pause.durationNs),
    `generation ${pause.generation} at ${formatDuration(pause.startNs)}: ${formatDuration(pause.durationNs)}, ${formatCount(pause.collected)} collected${tid}`,
  );
}

/**
 * Pauses grouped by 6 px column and generation, each group as tall as its longest pause: what
 * thousands of bars would show anyway, as a few hundred elements the browser draws at once.
 */
function binnedBars(gc: GcAnalysis, x: Scale, y: Scale): string[] {
  const groups = new Map<
    string,
    {
      generation: number;
      column: number;
      count: number;
      maxNs: number;
      totalNs: number;
      firstNs: number;
      lastNs: number;
    }
  >();
  for (const pause of gc.pauses) {
    const column = Math.floor((x(pause.startNs) - LEFT) / COLUMN_PX);
    const key = `${pause.generation}:${column}`;
    const group = groups.get(key);
    if (group === undefined)
      groups.set(key, {
        generation: pause.generation,
        column,
        count: 1,
        maxNs: pause.durationNs,
        totalNs: pause.durationNs,
        firstNs: pause.startNs,
        lastNs: pause.startNs,
      });
    else {
      group.count++;
      group.maxNs = Math.max(group.maxNs, pause.durationNs);
      group.totalNs += pause.durationNs;
      group.firstNs = Math.min(group.firstNs, pause.startNs);
      group.lastNs = Math.max(group.lastNs, pause.startNs);
    }
  }
  return [...groups.values()]
    .sort((a, b) => a.generation - b.generation || a.column - b.column)
    .map((g) => {
      const tip = `${formatCount(g.count)} generation-${g.generation} pause${g.count === 1 ? '' : 's'} from ${formatDuration(g.firstNs)} to ${formatDuration(g.lastNs)}: longest ${formatDuration(g.maxNs)}, ${formatDuration(g.totalNs)} in all`;
      const slot = Math.min(Math.max(g.generation, 0), 2);
      return barRect(g.generation, LEFT + g.column * COLUMN_PX + slot * BAR_PX, BAR_PX, y(g.maxNs), tip);
    });
}

/** A CSS class per generation (0, 1, 2; anything else shares one). */
function genClass(generation: number): string {
  return generation >= 0 && generation <= 2 ? `gen${generation}` : 'gen-other';
}

/** An edge's label under the histogram: `0` for the bucket of zero-length pauses. */
function edgeLabel(ns: number): string {
  return ns === 0 ? '0' : formatDurationShort(ns);
}

/**
 * The pause-duration histogram as the analysis bins it (durationHistogram: 1-2-5 log buckets,
 * empty ones between kept): one bar per bucket, bucket edges on the x axis, pauses on the y axis.
 */
export function histogramSvg(buckets: readonly HistogramBucket[]): string {
  const band = Math.max(44, Math.min(80, 640 / buckets.length));
  const width = buckets.length * band;
  const maxCount = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const y = linear(0, maxCount, TOP + PLOT_HEIGHT, TOP);
  const yMarks = niceTicks(0, maxCount, 5)
    .filter((value) => Number.isInteger(value))
    .map((value) => ({ y: y(value), label: formatCount(value) }));
  const bars = buckets.map((bucket, i) => {
    const top = y(bucket.count);
    const tip = `${bucketLabel(bucket)}: ${formatCount(bucket.count)} pause${bucket.count === 1 ? '' : 's'}`;
    return `<rect class="bar" x="${px(LEFT + i * band + 2)}" y="${px(top)}" width="${px(band - 4)}" height="${px(TOP + PLOT_HEIGHT - top)}" data-count="${bucket.count}" data-tip="${htmlText(tip)}"/>`;
  });
  // Every edge labelled while they fit; every other one when the bars are narrow.
  const every = band >= 56 ? 1 : 2;
  const edges = [...buckets.map((bucket) => bucket.fromNs), buckets[buckets.length - 1].toNs];
  const xMarks = edges.flatMap((ns, i) => (i % every === 0 ? [{ x: LEFT + i * band, label: edgeLabel(ns) }] : []));
  return [
    `<svg class="chart" id="gc-histogram" width="${px(LEFT + width + 24)}" height="${TOP + PLOT_HEIGHT + BOTTOM}" role="img" aria-label="GC pause durations">`,
    ...bars,
    xAxis(TOP + PLOT_HEIGHT, LEFT, LEFT + width, xMarks, 'pause duration (log buckets)'),
    yAxis(LEFT, TOP, TOP + PLOT_HEIGHT, yMarks, 'pauses'),
    '</svg>',
  ].join('\n');
}

/**
 * Every pause at its time in the trace (x), its height the log of its duration, its colour its
 * generation; hovering one tells its generation, start, duration, objects collected and thread.
 * Beyond TIMELINE_BARS pauses, one bar per column and generation (binnedBars).
 */
export function timelineSvg(gc: GcAnalysis, durationNs: number): string {
  const x = linear(0, Math.max(durationNs, 1), LEFT, LEFT + TIMELINE_WIDTH);
  let minNs = Infinity;
  let maxNs = -Infinity;
  for (const pause of gc.pauses) {
    minNs = Math.min(minNs, pause.durationNs);
    maxNs = Math.max(maxNs, pause.durationNs);
  }
  // Whole decades, at least one, from below the shortest pause (so it still shows a bar) to at
  // or above the longest.
  const lowDecade = Math.ceil(Math.log10(Math.max(minNs, 1))) - 1;
  const highDecade = Math.max(lowDecade + 1, Math.ceil(Math.log10(Math.max(maxNs, 1))));
  const logY = linear(lowDecade, highDecade, TOP + PLOT_HEIGHT, TOP);
  const y = (ns: number) => logY(Math.log10(Math.max(ns, 10 ** lowDecade)));
  const yMarks = [];
  for (let decade = lowDecade; decade <= highDecade; decade++)
    yMarks.push({ y: logY(decade), label: formatDurationShort(10 ** decade) });
  const xMarks = niceTicks(0, Math.max(durationNs, 1), 8).map((ns) => ({
    x: x(ns),
    label: ns === 0 ? '0' : formatDurationShort(ns),
  }));
  const bars =
    gc.pauses.length <= TIMELINE_BARS ? gc.pauses.map((pause) => pauseBar(pause, x, y)) : binnedBars(gc, x, y);
  return [
    `<svg class="chart" id="gc-timeline" width="${LEFT + TIMELINE_WIDTH + 24}" height="${TOP + PLOT_HEIGHT + BOTTOM}" role="img" aria-label="GC pauses over time">`,
    ...bars,
    xAxis(TOP + PLOT_HEIGHT, LEFT, LEFT + TIMELINE_WIDTH, xMarks, 'time from the trace start'),
    yAxis(LEFT, TOP, TOP + PLOT_HEIGHT, yMarks, 'pause (log)'),
    '</svg>',
  ].join('\n');
}

/** Per-generation counts and percentiles, a legend for the timeline's colours. */
function generationTable(gc: GcAnalysis): string {
  const head = ['generation', 'count', 'total', 'max', 'p50', 'p95', 'p99']
    .map((h, i) => `<th class="${i === 0 ? 'l' : 'r'}">${h}</th>`)
    .join('');
  const rows = gc.byGeneration.map(
    (g) =>
      `<tr><td class="l"><span class="swatch ${genClass(g.generation)}"></span>${g.generation}</td>${[formatCount(g.count), formatDuration(g.totalNs), formatDuration(g.maxNs), formatDuration(g.p50Ns), formatDuration(g.p95Ns), formatDuration(g.p99Ns)].map((cell) => `<td class="r">${cell}</td>`).join('')}</tr>`,
  );
  return `<table class="small" id="gc-generations"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Garbage collection: per generation, the histogram of pause durations, and the timeline. */
export function gcSection(analysis: Analysis): string {
  const gc = analysis.gc;
  if (gc.pauses.length === 0)
    return `<section id="gc"><h2>Garbage collection</h2><p class="none">no GC events in this trace</p></section>`;
  const count = gc.pauses.length;
  const heading = `Garbage collection: ${formatCount(count)} pause${count === 1 ? '' : 's'}, ${formatDuration(gc.totalPauseNs)} in all, ${formatShare(gc.wallShare)} of wall time`;
  return [
    `<section id="gc"><h2>${htmlText(heading)}</h2>`,
    generationTable(gc),
    `<h3>Pause durations</h3>`,
    histogramSvg(durationHistogram(gc.pauses.map((pause) => pause.durationNs))),
    `<h3>Pauses over time</h3>`,
    timelineSvg(gc, analysis.durationNs),
    gcStacks(analysis),
    `</section>`,
  ].join('\n');
}

/** Stacks listed under "Where collections started" (the terminal report shows 5; more would bury the rest of the page). */
export const GC_STACK_ROWS = 20;

/** Where collections started: the Python stack running, with the time spent in those collections. */
function gcStacks(analysis: Analysis): string {
  const causes = analysis.gc.attribution.slice(0, GC_STACK_ROWS);
  if (causes.length === 0) return '';
  const functions = analysis.functionTable;
  const manyThreads = analysis.threads.length > 1;
  const rows = causes.map((cause) => {
    const stack =
      cause.stack.length === 0
        ? '<span class="dim">(no Python frame: between calls, or at startup/shutdown)</span>'
        : cause.stack.map((fn) => htmlText(functions.name(fn))).join(' &gt; ');
    return `<tr><td class="r">${formatDuration(cause.totalNs)}</td><td class="r">${formatCount(cause.count)}×</td>${manyThreads ? `<td class="r">${cause.tid < 0 ? '?' : cause.tid}</td>` : ''}<td class="l">${stack}</td></tr>`;
  });
  const more =
    analysis.gc.attribution.length > causes.length
      ? `<p class="dim">… and ${formatCount(analysis.gc.attribution.length - causes.length)} more stacks</p>`
      : '';
  return [
    `<h3>Where collections started</h3>`,
    `<p class="dim">The Python stack running when each collection started, and the time spent in those collections.</p>`,
    `<div class="scroll"><table id="gc-stacks"><thead><tr><th class="r">time</th><th class="r">count</th>${manyThreads ? '<th class="r">tid</th>' : ''}<th class="l">stack (root &gt; … &gt; where it started)</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    more,
  ]
    .filter((part) => part !== '')
    .join('\n');
}
