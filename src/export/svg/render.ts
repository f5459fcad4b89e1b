import type { Analysis } from '../../analyze/analysis.js';
import { formatDuration } from '../../cli/report/format.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { truncateLabel, xmlEscape } from './escape.js';
import { buildFlameTree } from './flame-tree.js';
import { layoutFlame } from './layout.js';
import { CATEGORIES, familyColour, fnv1a, frameColour, ROOT_COLOUR } from './palette.js';

export interface SvgOptions {
  /** The graph's title (default: the trace's file name). */
  readonly title?: string;
  /** Frames narrower than this percentage of the root are left out (default 0.1). */
  readonly minWidthPercent?: number;
  /** An icicle: the root at the top. */
  readonly inverted?: boolean;
}

const FRAME_HEIGHT = 16;
const TOP = 70;
/** Server-side labels assume this width; the script refits them to the real one. */
const ASSUMED_WIDTH = 1200;
const CHAR_PX = 7.3;

function num(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * An interactive flame graph of the analysis as a self-contained SVG document: frames are
 * function paths merged across threads, widths inclusive time. Same analysis, same bytes.
 */
export function flameGraphSvg(analysis: Analysis, options: SvgOptions = {}): string {
  const minWidthPercent = options.minWidthPercent ?? 0.1;
  const tree = buildFlameTree(analysis);
  const functions = analysis.functionTable;
  const nameOf = (node: number) => (tree.func[node] < 0 ? 'all' : functions.name(tree.func[node]));
  const order = (a: number, b: number) => {
    const na = nameOf(a);
    const nb = nameOf(b);
    return na < nb ? -1 : na > nb ? 1 : tree.func[a] - tree.func[b];
  };
  const { frames, maxDepth } = layoutFlame(tree, { minWidth: minWidthPercent / 100, order });
  const framesBottom = TOP + (maxDepth + 1) * FRAME_HEIGHT;
  const height = framesBottom + 40;
  const parts: string[] = [];
  for (const frame of frames) {
    const node = frame.node;
    const fn = tree.func[node];
    const name = nameOf(node);
    const where = fn < 0 ? '' : `${functions.file(fn)}:${functions.line(fn)}`;
    const fill = fn < 0 ? ROOT_COLOUR : frameColour(name, functions.file(fn));
    const y = options.inverted ? TOP + frame.depth * FRAME_HEIGHT : TOP + (maxDepth - frame.depth) * FRAME_HEIGHT;
    const width = frame.x1 - frame.x0;
    const x = num(frame.x0 * 100, 5);
    const w = num(width * 100, 5);
    const total = tree.totalNs[node];
    const tooltip = `${fn < 0 ? 'all' : `${name} (${where})`}\ncalls ${tree.calls[node]}, self ${formatDuration(tree.selfNs[node])}, total ${formatDuration(total)}`;
    const label = truncateLabel(name, Math.floor((width * ASSUMED_WIDTH - 6) / CHAR_PX));
    parts.push(
      `<g class="pf-f" data-d="${frame.depth}" data-x="${num(frame.x0, 10)}" data-w="${num(width, 10)}" data-n="${xmlEscape(name)}" data-l="${xmlEscape(where)}" data-c="${tree.calls[node]}" data-s="${Math.round(tree.selfNs[node])}" data-t="${Math.round(total)}">` +
        `<title>${xmlEscape(tooltip).replace(/ {2,}/g, ' ')}</title>` +
        `<rect x="${x}%" y="${y}" width="${w}%" height="${FRAME_HEIGHT - 1}" fill="${fill}" rx="2"/>` +
        `<text x="${x}%" dx="3" y="${y + 11.5}">${xmlEscape(label)}</text></g>`,
    );
  }
  const body = parts.join('\n');
  const id = `pf${fnv1a(body).toString(16).padStart(8, '0')}`;
  const title = options.title ?? analysis.source.path.replace(/\\/g, '/').split('/').pop() ?? 'trace';
  const threads = analysis.threads.length;
  const subtitle = `duration ${formatDuration(analysis.durationNs)} · weight: time (ns) · ${threads} thread${threads === 1 ? '' : 's'} merged · ${options.inverted ? 'icicle' : 'flame graph'}`;
  const legend = CATEGORIES.map((entry, index) => {
    const x = 10 + index * 160;
    return `<rect x="${x}" y="50" width="12" height="12" fill="${familyColour(entry.category)}"/><text x="${x + 16}" y="60.5">${xmlEscape(entry.label)}</text>`;
  }).join('');
  const style = [
    `#${id} text{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12px;fill:#000}`,
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
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="${id}" width="100%" height="${height}" style="min-width:400px;background:#f8f8f8">`,
    `<style><![CDATA[\n${style}\n]]></style>`,
    `<text class="pf-title" x="50%" y="22" text-anchor="middle">${xmlEscape(title)}</text>`,
    `<text class="pf-sub" x="50%" y="40" text-anchor="middle">${xmlEscape(subtitle)}</text>`,
    `<text class="pf-ctl pf-reset" x="10" y="22" style="display:none">Reset Zoom</text>`,
    `<text class="pf-ctl pf-case" x="100%" dx="-130" y="22" text-anchor="end">Ic</text>`,
    `<text class="pf-ctl pf-search" x="100%" dx="-10" y="22" text-anchor="end">Search</text>`,
    legend,
    body,
    `<text class="pf-details" x="10" y="${framesBottom + 22}"> </text>`,
    `<text class="pf-matched" x="100%" dx="-10" y="${framesBottom + 22}" text-anchor="end"></text>`,
    `<script type="text/ecmascript"><![CDATA[\n${CLIENT_SCRIPT}\n]]></script>`,
    `</svg>`,
    '',
  ].join('\n');
}
