import type { Analysis } from '../../analyze/analysis.js';
import { formatCount, formatDuration } from '../../text/units.js';
import { xmlText } from '../../text/untrusted.js';
import { threadLabel, type ChartModel } from './chart-model.js';
import { gcColour, importColour } from './track-colours.js';

/** Where a time goes across the chart (percentages) and the label a span has room for. */
export interface TimeScale {
  x(ns: number): string;
  width(ns: number): string;
  label(name: string, durationNs: number): string;
}

/** A track's markup and the height it takes (0 when it has nothing to draw). */
export interface DrawnTrack {
  readonly parts: readonly string[];
  readonly height: number;
}

export const ROW = 16;
export const TRACK_HEADER = 16;
export const TRACK_GAP = 8;
const GC_ROW = 12;
const CHAR_PX = 7.3;

/** GC pauses, one row, coloured by generation, with the generations' legend on the header line. */
export function gcTrack(model: ChartModel, analysis: Analysis, y: number, scale: TimeScale): DrawnTrack {
  if (model.gcPauses.length === 0) return { parts: [], height: 0 };
  const hidden =
    model.hiddenGcPauses > 0
      ? ` (the ${formatCount(model.gcPauses.length)} longest drawn, ${formatCount(model.hiddenGcPauses)} shorter not)`
      : '';
  const header = `GC pauses: ${formatCount(analysis.gc.pauses.length)}${hidden}`;
  const parts = [
    `<text class="pfc-lh" x="4" y="${y + 11}">${xmlText(header)}</text>`,
    gcLegend(model, 4 + (header.length + 2) * CHAR_PX, y),
    '<g class="pfc-gc">',
  ];
  for (const pause of model.gcPauses) {
    const colour = gcColour(pause.generation);
    // The stroke keeps a pause narrower than a pixel visible as a 1-pixel line.
    parts.push(
      `<rect x="${scale.x(pause.startNs)}" y="${y + TRACK_HEADER}" width="${scale.width(pause.durationNs)}" height="${GC_ROW}" fill="${colour}" stroke="${colour}" data-s="${pause.startNs}" data-t="${pause.durationNs}" data-g="${pause.generation}" data-c="${pause.collected}" data-n="${xmlText(threadLabel(pause.pid, pause.tid))}"/>`,
    );
  }
  parts.push('</g>');
  return { parts, height: TRACK_HEADER + GC_ROW + TRACK_GAP };
}

/** Imports, a row per level of nesting, labelled with the module. */
export function importTrack(model: ChartModel, analysis: Analysis, y: number, scale: TimeScale): DrawnTrack {
  if (model.imports.length === 0) return { parts: [], height: 0 };
  const drawn =
    model.hiddenImports > 0
      ? `, ${formatCount(model.imports.length)} drawn (the others shorter than ${formatDuration(model.minNs)}, nested deeper than ${model.maxImportRows} or past the ${formatCount(model.maxImports)} longest)`
      : '';
  const parts = [
    `<text class="pfc-lh" x="4" y="${y + 11}">${xmlText(`Imports: ${formatCount(analysis.imports.length)}${drawn}`)}</text>`,
    '<g class="pfc-imports">',
  ];
  for (const record of model.imports) {
    const top = y + TRACK_HEADER + record.depth * ROW;
    parts.push(
      `<rect x="${scale.x(record.startNs)}" y="${top}" width="${scale.width(record.durationNs)}" height="${ROW - 1}" fill="${importColour(record.found)}" data-s="${record.startNs}" data-t="${record.durationNs}" data-m="${xmlText(record.module)}" data-ok="${record.found ? 1 : 0}" data-n="${xmlText(threadLabel(record.pid, record.tid))}"/>`,
    );
    const text = scale.label(record.module, record.durationNs);
    if (text !== '')
      parts.push(`<text x="${scale.x(record.startNs)}" dx="3" y="${top + 11.5}">${xmlText(text)}</text>`);
  }
  parts.push('</g>');
  return { parts, height: TRACK_HEADER + model.importRows * ROW + TRACK_GAP };
}

/** The generations drawn, on the GC track's header line from `x`. */
function gcLegend(model: ChartModel, x: number, y: number): string {
  const generations = [...new Set(model.gcPauses.map((pause) => pause.generation))].sort((a, b) => a - b);
  return generations
    .map((generation, index) => {
      const left = Math.round(x + index * 70);
      return `<rect x="${left}" y="${y + 2}" width="10" height="10" fill="${gcColour(generation)}"/><text class="pfc-lh" x="${left + 14}" y="${y + 11}">gen ${generation}</text>`;
    })
    .join('');
}
