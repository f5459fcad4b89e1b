import type { Analysis } from '../../analyze/analysis.js';
import { formatDuration } from '../../text/units.js';
import { browserScript } from '../browser-script.js';
import { truncateLabel } from '../../text/fit.js';
import { xmlText } from '../../text/untrusted.js';
import { buildFlameTree } from './flame-tree.js';
import type { WeightedTree } from '../../model/weighted-tree.js';
import { layoutFlame } from './layout.js';
import { MAX_STACK_DEPTH } from '../stack-depth.js';
import { CATEGORIES, familyColour, fnv1a, frameColour, ROOT_COLOUR } from './palette.js';
import { titleFromPath } from '../../text/paths.js';

export interface SvgOptions {
  /** The graph's title (default: the trace's file name). */
  readonly title?: string;
  /** Frames narrower than this percentage of the root are left out (default 0.1). */
  readonly minWidthPercent?: number;
  /** An icicle: the root at the top. */
  readonly inverted?: boolean;
  /** A fixed width in pixels (flamegraph.pl's --width); default: the window's width (100%). */
  readonly widthPx?: number;
  /** A frame's height in pixels (flamegraph.pl's --height; default 16). */
  readonly frameHeight?: number;
  /** The frames' font size in pixels (default 12). */
  readonly fontSize?: number;
  /** The frames' font: a CSS font-family list (default a monospace list). */
  readonly fontFamily?: string;
  /** Put before a frame's name on the details line (flamegraph.pl's --nametype, `Function:`). */
  readonly nameType?: string;
}

/** The default font of the frames' labels. */
const FONT_FAMILY = "ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace";
const FONT_SIZE = 12;

/**
 * A font-family list from the command line made safe inside a <style> element: letters, digits,
 * spaces, commas, quotes, dots and hyphens only (no `;`, braces or `<` to end the rule).
 */
export function cssFontFamily(text: string): string {
  return text.replace(/[^\p{L}\p{N}\s,'".-]/gu, '').trim();
}

/**
 * How the script shows a frame's weight: nanoseconds as durations with the calls of each frame
 * (pyflame's own analysis), or numbers in `ValueStyle.unit` (durations when it is a time unit),
 * no calls. The script tells them apart by the <svg>'s data-unit, written only for 'unit'.
 */
export type ScriptValues = 'time-with-calls' | 'unit';

/** How a graph's weights are written: in text, in data-* attributes, and by the script. */
export interface ValueStyle {
  /** A weight for people (tooltips): `1.23 ms`, `1,234 samples`. */
  text(value: number): string;
  /** A weight for the script (data-s, data-t). */
  data(value: number): string;
  /** What the script does with them. */
  readonly script: ScriptValues;
  /** The unit the script shows (`data-unit` on the <svg>), for `script: 'unit'`. */
  readonly unit?: string;
}

/**
 * Anything drawn as a flame graph: a weighted tree and what its frames are called. `name` is a
 * frame's label (drawn, searched), `where` its location for the details line (`file:line`,
 * `file` or ''), `file` picks its colour family (the Python palette).
 */
export interface FlameGraphInput {
  readonly tree: WeightedTree;
  name(frame: number): string;
  where(frame: number): string;
  file(frame: number): string;
  readonly title: string;
  /** What the weight is and where it comes from; the kind of graph is appended. */
  readonly subtitle: string;
  readonly values: ValueStyle;
  /** Orders siblings (default: by name, then frame id). */
  readonly order?: (a: number, b: number) => number;
  /** A node's colour instead of the Python palette's (a differential graph colours by change). */
  readonly fill?: (node: number) => string;
  /** A line about the node added to its tooltip and to the details line on hover. */
  readonly note?: (node: number) => string;
  /** The legend's entries instead of the palette's families. */
  readonly legend?: readonly { readonly colour: string; readonly label: string }[];
}

const FRAME_HEIGHT = 16;
/**
 * Above this many frames no frame gets a <title> tooltip: the script's details line names the frame
 * under the mouse, and the titles' text was ~30% of a large graph's bytes and a sixth of the time
 * Chromium took to open it (issue 16). At the default --minwidth a graph has at most ~1,000 frames.
 */
export const TITLED_FRAMES_MAX = 5000;
const TOP = 70;
/** Server-side labels assume this width; the script refits them to the real one. */
const ASSUMED_WIDTH = 1200;
/** Pixels per character of the default 12px font (scaled with --fontsize). */
const CHAR_PX = 7.3;

function fontFamilyOf(given: string | undefined): string {
  const safe = given === undefined ? '' : cssFontFamily(given);
  return safe === '' ? FONT_FAMILY : safe;
}

/** A number in at most `digits` decimals, without trailing zeros. */
export function trimmedFixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * An interactive flame graph of the analysis as a self-contained SVG document: frames are
 * function paths merged across threads, widths inclusive time. Same analysis, same bytes.
 */
export function flameGraphSvg(analysis: Analysis, options: SvgOptions = {}): string {
  // `analyze --svg --html` draws the same graph twice (the page inlines it): made once.
  const key = JSON.stringify([
    options.title,
    options.minWidthPercent,
    options.inverted,
    options.widthPx,
    options.frameHeight,
    options.fontSize,
    options.fontFamily,
    options.nameType,
  ]);
  let made = drawn.get(analysis);
  if (made === undefined) drawn.set(analysis, (made = new Map()));
  let svg = made.get(key);
  if (svg === undefined) made.set(key, (svg = drawFlameGraph(analysis, options)));
  return svg;
}

/** Each analysis's flame graphs by their options (the analysis is never changed once made). */
const drawn = new WeakMap<Analysis, Map<string, string>>();

function drawFlameGraph(analysis: Analysis, options: SvgOptions): string {
  const tree = buildFlameTree(analysis);
  const functions = analysis.functionTable;
  const threads = analysis.threads.length;
  return renderFlameGraph(
    {
      tree,
      name: (fn) => functions.name(fn),
      where: (fn) => `${functions.file(fn)}:${functions.line(fn)}`,
      file: (fn) => functions.file(fn),
      title: options.title ?? titleFromPath(analysis.source.path),
      subtitle: `duration ${formatDuration(analysis.durationNs)} · weight: time (ns) · ${threads} thread${threads === 1 ? '' : 's'} merged`,
      values: { text: formatDuration, data: (ns) => String(Math.round(ns)), script: 'time-with-calls' },
    },
    options,
  );
}

/** Any weighted tree as an interactive flame graph (a self-contained SVG document). Same input, same bytes. */
export function renderFlameGraph(graph: FlameGraphInput, options: Omit<SvgOptions, 'title'> = {}): string {
  const minWidthPercent = options.minWidthPercent ?? 0.1;
  const { tree, values } = graph;
  const nameOf = (node: number) => (tree.frame[node] < 0 ? 'all' : graph.name(tree.frame[node]));
  const order =
    graph.order ??
    ((a: number, b: number) => {
      const na = nameOf(a);
      const nb = nameOf(b);
      return na < nb ? -1 : na > nb ? 1 : tree.frame[a] - tree.frame[b];
    });
  const { frames, maxDepth, cutLevels } = layoutFlame(tree, {
    minWidth: minWidthPercent / 100,
    order,
    maxDepth: MAX_STACK_DEPTH,
  });
  const frameHeight = options.frameHeight ?? FRAME_HEIGHT;
  const fontSize = options.fontSize ?? FONT_SIZE;
  const charPx = (CHAR_PX * fontSize) / FONT_SIZE;
  const assumedWidth = options.widthPx ?? ASSUMED_WIDTH;
  // The label's baseline: centred in the frame (11.5 px down a 16 px frame at 12 px).
  const textDown = frameHeight / 2 + (fontSize * 7) / 24;
  const framesBottom = TOP + (maxDepth + 1) * frameHeight;
  const height = framesBottom + 40;
  const parts: string[] = [];
  const titled = frames.length <= TITLED_FRAMES_MAX;
  for (const frame of frames) {
    const node = frame.node;
    const id = tree.frame[node];
    const name = nameOf(node);
    const where = id < 0 ? '' : graph.where(id);
    const fill = graph.fill !== undefined ? graph.fill(node) : id < 0 ? ROOT_COLOUR : frameColour(name, graph.file(id));
    const note = graph.note?.(node) ?? '';
    const y = options.inverted ? TOP + frame.depth * frameHeight : TOP + (maxDepth - frame.depth) * frameHeight;
    const width = frame.x1 - frame.x0;
    const x = trimmedFixed(frame.x0 * 100, 5);
    const w = trimmedFixed(width * 100, 5);
    const total = tree.total[node];
    const self = tree.self[node];
    const heading = id < 0 ? 'all' : where === '' ? name : `${name} (${where})`;
    const calls = tree.calls === undefined ? '' : `calls ${tree.calls[node]}, `;
    // One line: a browser shows a <title> as plain text, and a line break in XML is only a space.
    const tooltip = titled
      ? `${heading} ${calls}self ${values.text(self)}, total ${values.text(total)}${note === '' ? '' : ` ${note}`}`
      : '';
    const label = truncateLabel(name, Math.floor((width * assumedWidth - 6) / charPx));
    const callsData = tree.calls === undefined ? '' : ` data-c="${tree.calls[node]}"`;
    parts.push(
      `<g class="pf-f" data-d="${frame.depth}" data-x="${trimmedFixed(frame.x0, 10)}" data-w="${trimmedFixed(width, 10)}" data-n="${xmlText(name)}" data-l="${xmlText(where)}"${callsData} data-s="${values.data(self)}" data-t="${values.data(total)}"${note === '' ? '' : ` data-note="${xmlText(note)}"`}>` +
        (titled ? `<title>${xmlText(tooltip).replace(/ {2,}/g, ' ')}</title>` : '') +
        `<rect x="${x}%" y="${y}" width="${w}%" height="${frameHeight - 1}" fill="${fill}" rx="2"/>` +
        // No <text> where no label fits (most frames of a large graph): the script makes one on zoom.
        (label === '' ? '' : `<text x="${x}%" dx="3" y="${trimmedFixed(y + textDown, 3)}">${xmlText(label)}</text>`) +
        '</g>',
    );
  }
  // The frames sit in one group, not each a child of the root <svg>: Chromium looks for a standalone
  // SVG's document title among the root's children each time a <title> is added, so per-frame
  // <title>s under the root made opening quadratic (18,738 frames: 19 s; in one group: 4 s).
  const body = `<g class="pf-frames">\n${parts.join('\n')}\n</g>`;
  const id = `pf${fnv1a(body).toString(16).padStart(8, '0')}`;
  const cut =
    cutLevels === 0
      ? ''
      : ` · ${cutLevels.toLocaleString('en-US')} deeper level${cutLevels === 1 ? '' : 's'} not drawn (at most ${MAX_STACK_DEPTH.toLocaleString('en-US')})`;
  const subtitle = `${graph.subtitle} · ${options.inverted ? 'icicle' : 'flame graph'}${cut}`;
  const unitData = values.script === 'unit' ? ` data-unit="${xmlText(values.unit ?? '')}"` : '';
  // For the script: a label's baseline below its frame's top, the label font's character width, and
  // the details line's prefix (when set).
  const scriptData =
    ` data-ty="${trimmedFixed(textDown, 3)}"` +
    (charPx !== CHAR_PX ? ` data-cpx="${trimmedFixed(charPx, 3)}"` : '') +
    (options.nameType !== undefined && options.nameType !== '' ? ` data-nametype="${xmlText(options.nameType)}"` : '');
  const size =
    options.widthPx === undefined
      ? `width="100%" height="${height}" style="min-width:400px;background:#f8f8f8"`
      : `width="${trimmedFixed(options.widthPx, 2)}" height="${height}" style="background:#f8f8f8"`;
  const legendEntries =
    graph.legend ?? CATEGORIES.map((entry) => ({ colour: familyColour(entry.category), label: entry.label }));
  const legend = legendEntries
    .map((entry, index) => {
      const x = 10 + index * 160;
      return `<rect x="${x}" y="50" width="12" height="12" fill="${xmlText(entry.colour)}"/><text x="${x + 16}" y="60.5">${xmlText(entry.label)}</text>`;
    })
    .join('');
  const style = [
    `#${id} text{font-family:${FONT_FAMILY};font-size:12px;fill:#000}`,
    ...(fontSize !== FONT_SIZE || options.fontFamily !== undefined
      ? [`#${id} .pf-f text{font-family:${fontFamilyOf(options.fontFamily)};font-size:${trimmedFixed(fontSize, 2)}px}`]
      : []),
    `#${id} .pf-title{font-size:17px;font-weight:bold}`,
    `#${id} .pf-sub{fill:#555}`,
    `#${id} .pf-f{cursor:pointer}`,
    `#${id} .pf-f text{pointer-events:none}`,
    `#${id} .pf-f:hover rect{stroke:#000;stroke-width:0.5}`,
    `#${id} .pf-dim{opacity:0.45}`,
    `#${id} .pf-ctl{cursor:pointer;fill:#1a4d99;text-decoration:underline}`,
    `#${id} .pf-on{font-weight:bold}`,
  ].join('\n');
  return [
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="${id}"${unitData}${scriptData} ${size}>`,
    `<style><![CDATA[\n${style}\n]]></style>`,
    `<text class="pf-title" x="50%" y="22" text-anchor="middle">${xmlText(graph.title)}</text>`,
    `<text class="pf-sub" x="50%" y="40" text-anchor="middle">${xmlText(subtitle)}</text>`,
    `<text class="pf-ctl pf-reset" x="10" y="22" style="display:none">Reset Zoom</text>`,
    `<text class="pf-ctl pf-case" x="100%" dx="-130" y="22" text-anchor="end">Ic</text>`,
    `<text class="pf-ctl pf-search" x="100%" dx="-10" y="22" text-anchor="end">Search</text>`,
    legend,
    body,
    `<text class="pf-details" x="10" y="${framesBottom + 22}"> </text>`,
    `<text class="pf-matched" x="100%" dx="-10" y="${framesBottom + 22}" text-anchor="end"></text>`,
    `<script type="text/ecmascript"><![CDATA[\n${browserScript('flame-graph')}\n]]></script>`,
    `</svg>`,
    '',
  ].join('\n');
}
