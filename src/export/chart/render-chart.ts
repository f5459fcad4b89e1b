import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration } from '../../text/units.js';
import { xmlText } from '../../text/untrusted.js';
import { truncateLabel } from '../../text/fit.js';
import { CATEGORIES, familyColour, fnv1a, frameColour } from '../svg/palette.js';
import type { TimelineRecorder } from '../speedscope/timeline-recorder.js';
import { browserScript } from '../browser-script.js';
import { chartModel, type ChartModel, type ChartOptions } from './chart-model.js';
import { gcTrack, importTrack, ROW, TRACK_GAP, TRACK_HEADER, type TimeScale } from './tracks.js';
import { axisTicks } from '../../browser/time-axis.js';
import { titleFromPath } from '../../text/paths.js';

export interface ChartSvgOptions extends ChartOptions {
  /** The chart's title (default: the trace's file name). */
  readonly title?: string;
}

const AXIS_LABEL_Y = 98;
const AXIS_TOP = 102;
/** Server-side labels and ticks assume this width; the script refits them to the real one. */
const ASSUMED_WIDTH = 1200;
const TICK_PX = 120;
const CHAR_PX = 7.3;

/** A percentage with at most 5 decimals and no trailing zeros (the script formats the same way). */
function pct(value: number): string {
  return `${Number(value.toFixed(5))}%`;
}

/**
 * A flame chart of the analysis as a self-contained interactive SVG: time across, one lane per
 * thread with its calls stacked top-down (callers above callees), GC pauses and imports on
 * tracks of their own. Same analysis and timeline, same bytes.
 */
export function flameChartSvg(analysis: Analysis, timeline: TimelineRecorder, options: ChartSvgOptions = {}): string {
  const model = chartModel(analysis, timeline, options);
  const functions = analysis.functionTable;
  const span = Math.max(model.endNs - model.startNs, 1);
  const xOf = (ns: number) => pct(((ns - model.startNs) / span) * 100);
  const widthOf = (ns: number) => pct((ns / span) * 100);

  // Functions and colours as they are first drawn: a table the script reads names from, and one
  // CSS class per distinct colour.
  const fnIndex = new Map<number, number>();
  const fnRows: string[] = [];
  const colourClass = new Map<string, number>();
  const colourOf = (fn: number): number => {
    const colour = frameColour(functions.name(fn), functions.file(fn));
    let index = colourClass.get(colour);
    if (index === undefined) {
      index = colourClass.size;
      colourClass.set(colour, index);
    }
    return index;
  };
  const indexOf = (fn: number): number => {
    let index = fnIndex.get(fn);
    if (index === undefined) {
      index = fnRows.length;
      fnIndex.set(fn, index);
      fnRows.push(
        `<text data-l="${xmlText(`${functions.file(fn)}:${functions.line(fn)}`)}">${xmlText(functions.name(fn))}</text>`,
      );
    }
    return index;
  };

  const parts: string[] = [];
  let y = AXIS_TOP + 6;
  const scale: TimeScale = {
    x: xOf,
    width: widthOf,
    label: (name, durationNs) => truncateLabel(name, Math.floor(((durationNs / span) * ASSUMED_WIDTH - 6) / CHAR_PX)),
  };
  for (const track of [gcTrack, importTrack]) {
    const drawn = track(model, analysis, y, scale);
    for (const part of drawn.parts) parts.push(part);
    y += drawn.height;
  }
  const bands: string[] = [];
  for (const [laneIndex, lane] of model.lanes.entries()) {
    const cut =
      lane.cutLevels > 0
        ? ` · ${formatCount(lane.cutLevels)} deeper level${lane.cutLevels === 1 ? '' : 's'} not drawn`
        : '';
    const header = `${lane.label} · ${formatDuration(lane.endNs - lane.startNs)} · ${formatCount(lane.drawn.length)} of ${formatCount(lane.calls)} calls drawn${cut}`;
    const laneHeight = TRACK_HEADER + lane.rows * ROW;
    if (laneIndex % 2 === 0)
      bands.push(
        `<rect x="0" y="${y - TRACK_GAP / 2}" width="100%" height="${laneHeight + TRACK_GAP}" fill="#efefef"/>`,
      );
    parts.push(`<g class="pfc-lane" data-n="${xmlText(lane.label)}">`);
    parts.push(`<text class="pfc-lh" x="4" y="${y + 11}">${xmlText(header)}</text>`);
    for (const call of lane.drawn) {
      const top = y + TRACK_HEADER + call.depth * ROW;
      const duration = call.endNs - call.startNs;
      const name = functions.name(call.fn);
      parts.push(
        `<rect class="pfc-k${colourOf(call.fn)}" x="${xOf(call.startNs)}" y="${top}" width="${widthOf(duration)}" height="${ROW - 1}" data-f="${indexOf(call.fn)}" data-s="${call.startNs}" data-t="${duration}"/>`,
      );
      const text = scale.label(name, duration);
      if (text !== '') parts.push(`<text x="${xOf(call.startNs)}" dx="3" y="${top + 11.5}">${xmlText(text)}</text>`);
    }
    parts.push('</g>');
    y += laneHeight + TRACK_GAP;
  }
  const height = y + 4;
  const ticks = axisTicks(model.startNs, model.endNs, Math.floor(ASSUMED_WIDTH / TICK_PX)).map((tick) => {
    const x = ((tick.ns - model.startNs) / span) * 100;
    const anchor = x > 92 ? ' dx="-3" text-anchor="end"' : ' dx="3"';
    return `<line x1="${pct(x)}" x2="${pct(x)}" y1="${AXIS_TOP}" y2="${height}"/><text x="${pct(x)}" y="${AXIS_LABEL_Y}"${anchor}>${xmlText(tick.label)}</text>`;
  });
  const body = [...bands, ...parts].join('\n');
  const id = `pfc${fnv1a(body).toString(16).padStart(8, '0')}`;
  const title = options.title ?? titleFromPath(analysis.source.path);
  const threads = analysis.threads.length;
  const subtitle = `flame chart · duration ${formatDuration(analysis.durationNs)} · ${threads} thread${threads === 1 ? '' : 's'} · ${formatCount(model.drawnCalls)} of ${formatCount(model.totalCalls)} calls drawn`;
  const style = [
    `#${id} text{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12px;fill:#000}`,
    `#${id} .pfc-title{font-size:17px;font-weight:bold}`,
    `#${id} .pfc-sub,#${id} .pfc-lh{fill:#555}`,
    `#${id} .pfc-lane rect,#${id} .pfc-gc rect,#${id} .pfc-imports rect{cursor:pointer}`,
    `#${id} .pfc-lane rect:hover,#${id} .pfc-gc rect:hover,#${id} .pfc-imports rect:hover{stroke:#000;stroke-width:0.5}`,
    `#${id} .pfc-lane text,#${id} .pfc-imports text,#${id} .pfc-axis,#${id} .pfc-tip{pointer-events:none}`,
    `#${id} .pfc-axis line{stroke:#d0d0d0;stroke-width:1}`,
    `#${id} .pfc-axis text{fill:#444;font-size:11px}`,
    `#${id} .pfc-ctl{cursor:pointer;fill:#1a4d99;text-decoration:underline}`,
    `#${id} .pfc-on{font-weight:bold}`,
    `#${id} .pfc-tip rect{fill:#fffff0;stroke:#888}`,
    ...[...colourClass].map(([colour, index]) => `#${id} .pfc-k${index}{fill:${colour}}`),
    `#${id} .pfc-lane rect.pfc-hit{fill:rgb(230,0,230)}`,
  ].join('\n');
  return [
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="${id}" class="pfc-root" width="100%" height="${height}" data-t0="${model.startNs}" data-t1="${model.endNs}" style="min-width:400px;background:#f8f8f8">`,
    `<style><![CDATA[\n${style}\n]]></style>`,
    `<text class="pfc-title" x="50%" y="22" text-anchor="middle">${xmlText(title)}</text>`,
    `<text class="pfc-sub" x="50%" y="40" text-anchor="middle">${xmlText(subtitle)}</text>`,
    `<text class="pfc-sub" x="50%" y="56" text-anchor="middle">${xmlText(hiddenText(model))}</text>`,
    `<text class="pfc-ctl pfc-reset" x="10" y="22" style="display:none">Reset Zoom</text>`,
    `<text class="pfc-ctl pfc-case" x="100%" dx="-130" y="22" text-anchor="end">Ic</text>`,
    `<text class="pfc-ctl pfc-search" x="100%" dx="-10" y="22" text-anchor="end">Search</text>`,
    `<text class="pfc-matched" x="100%" dx="-10" y="78" text-anchor="end"></text>`,
    legend(),
    `<g class="pfc-axis" data-y="${AXIS_LABEL_Y}" data-y0="${AXIS_TOP}" data-y1="${height}">${ticks.join('')}</g>`,
    body,
    `<g class="pfc-fns" style="display:none">${fnRows.join('')}</g>`,
    `<g class="pfc-tip" style="display:none"><rect x="0" y="0" rx="3" width="10" height="10"/><text x="6" y="4">${[0, 1, 2, 3].map(() => '<tspan x="6" dy="15"> </tspan>').join('')}</text></g>`,
    `<script type="text/ecmascript"><![CDATA[\n${browserScript('timeline-chart')}\n]]></script>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** What the chart leaves out, said once in the subtitle. */
function hiddenText(model: ChartModel): string {
  const pieces: string[] = [];
  const minWidth =
    model.minNs === model.requestedMinNs
      ? formatDuration(model.minNs)
      : `${formatDuration(model.minNs)} (raised from ${formatDuration(model.requestedMinNs)} to draw at most ${formatCount(model.maxCalls)})`;
  if (model.hiddenNarrow > 0)
    pieces.push(
      `${formatCount(model.hiddenNarrow)} call${model.hiddenNarrow === 1 ? '' : 's'} shorter than ${minWidth} hidden`,
    );
  if (model.hiddenDeep > 0) pieces.push(`${formatCount(model.hiddenDeep)} below depth ${model.maxDepth} hidden`);
  if (model.hiddenLanes > 0)
    pieces.push(
      `${formatCount(model.hiddenLanes)} thread${model.hiddenLanes === 1 ? '' : 's'} not drawn (${formatCount(model.hiddenLaneCalls)} calls; the ${formatCount(model.maxLanes)} busiest are)`,
    );
  if (model.emptyThreads > 0)
    pieces.push(
      `${formatCount(model.emptyThreads)} thread${model.emptyThreads === 1 ? '' : 's'} with nothing to draw left out`,
    );
  return pieces.length === 0 ? 'every call drawn' : pieces.join(' · ');
}

/** The Python palette's families, as the flame graph shows them. */
function legend(): string {
  return CATEGORIES.map((entry, index) => {
    const x = 10 + index * 160;
    return `<rect x="${x}" y="66" width="12" height="12" fill="${familyColour(entry.category)}"/><text x="${x + 16}" y="76.5">${xmlText(entry.label)}</text>`;
  }).join('');
}
