import { changeColour, DIFF_COLOURS } from './diff-colours.js';
import { frameWhere, parseFrameLabel, type FrameLabel } from '../../folded-input/frame-label.js';
import type { FoldedProfile } from '../../folded-input/read-folded.js';
import { xmlText } from '../../text/untrusted.js';
import {
  languageColouring,
  PALETTES,
  withoutAnnotation,
  type LanguagePalette,
  type PaletteName,
} from './language-palette.js';
import { frameColour, ROOT_COLOUR } from './palette.js';
import { renderFlameGraph, trimmedFixed, type FlameGraphInput, type SvgOptions } from './render.js';
import { formatWeight } from '../../browser/weights.js';
import { titleFromPath } from '../../text/paths.js';

export { PALETTES, type PaletteName };

export interface FoldedSvgOptions extends SvgOptions {
  /** What a count is: `samples` (default), or a time unit (`ns`, `µs`/`us`, `ms`, `s`) shown as durations. */
  readonly unit?: string;
  /** The line under the title (default: the unit, the total and the distinct stacks). */
  readonly subtitle?: string;
  /** The palette (default: `python` when the frames look like Python, else by language). */
  readonly palette?: PaletteName;
  /** Siblings in input order, not by name (the profile was read with `flamechart`). */
  readonly flamechart?: boolean;
  /** A differential graph: red for shrank, blue for grew (flamegraph.pl --negate). */
  readonly negate?: boolean;
  /** Text kept in the SVG, in a <desc> element. */
  readonly notes?: string;
}

/**
 * Whether the frames look like Python: at least a quarter of the distinct labels show a Python
 * file (`func (file.py:12)`, `file.py:func`...), so a mixed py-spy --native profile counts and a
 * perf profile with a stray `.py` does not.
 */
export function looksLikePython(labels: readonly string[]): boolean {
  let python = 0;
  for (const label of labels) if (parseFrameLabel(label).file !== '') python++;
  return python > 0 && python * 4 >= labels.length;
}

/**
 * An interactive flame graph of folded stacks (from any tool) as a self-contained SVG document:
 * the same renderer and script as pyflame's own graphs; widths are counts in `unit`, and there
 * are no calls (folded files do not say). Python frames get the Python palette; other stacks the
 * language palettes, labels without their `_[k]`-style annotations. A differential profile (two
 * counts per line) is coloured by the change, as `pyflame diff --svg`. Same input, same bytes.
 */
export function foldedFlameGraphSvg(profile: FoldedProfile, options: FoldedSvgOptions = {}): string {
  const unit = options.unit ?? 'samples';
  const python = options.palette === 'python' || (options.palette === undefined && looksLikePython(profile.labels));
  const parsed = new Map<number, FrameLabel>();
  const frameOf = (frame: number) => {
    let label = parsed.get(frame);
    if (label === undefined) {
      label = python
        ? parseFrameLabel(profile.labels[frame])
        : { name: withoutAnnotation(profile.labels[frame]), file: '', line: undefined };
      parsed.set(frame, label);
    }
    return label;
  };
  const tree = profile.tree;
  const name = (node: number) => (tree.frame[node] < 0 ? 'all' : frameOf(tree.frame[node]).name);
  const label = (node: number) => profile.labels[tree.frame[node]] ?? '';
  const text = (value: number) => formatWeight(value, unit);
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const colouring = python
    ? undefined
    : languageColouring((options.palette ?? 'auto') as LanguagePalette, profile.labels);
  const differential = profile.baseline === undefined ? {} : differentialStyle(profile, text, options.negate === true);
  const kind = options.flamechart ? 'flame chart: input order' : undefined;
  const defaultSubtitle = `weight: ${unit} · total ${text(profile.total)} · ${plural(profile.stacks, 'distinct stack')}${profile.baseline === undefined ? '' : ` · differential: width AFTER (the second count), colour AFTER − BEFORE`}${kind === undefined ? '' : ` · ${kind}`}`;
  const input: FlameGraphInput = {
    tree,
    name: (frame) => frameOf(frame).name,
    where: (frame) => frameWhere(frameOf(frame)),
    file: (frame) => frameOf(frame).file,
    title: options.title ?? titleFromPath(profile.source, 'folded'),
    subtitle: options.subtitle ?? defaultSubtitle,
    values: {
      text,
      data: (value) => (Number.isInteger(value) ? String(value) : trimmedFixed(value, 6)),
      script: 'unit',
      unit,
    },
    // A flame chart keeps the input's order (nodes are made in it); a graph orders by shown
    // name, then by the whole label: the order does not depend on the order of the file.
    order: options.flamechart
      ? (a, b) => a - b
      : (a, b) => {
          const na = name(a);
          const nb = name(b);
          if (na !== nb) return na < nb ? -1 : 1;
          const la = label(a);
          const lb = label(b);
          return la < lb ? -1 : la > lb ? 1 : 0;
        },
    // Python: the families by file, short py-spy paths by module name (json/__init__.py: stdlib).
    fill:
      colouring === undefined
        ? (node) => (node === 0 ? ROOT_COLOUR : frameColour(name(node), frameOf(tree.frame[node]).file, true))
        : (node) => (node === 0 ? ROOT_COLOUR : colouring.fill(label(node))),
    ...(colouring === undefined ? {} : { legend: colouring.legend }),
    ...differential,
  };
  const svg = renderFlameGraph(input, options);
  if (options.notes === undefined) return svg;
  return svg.replace(
    '\n<style>',
    `\n<desc class="pf-notes">${xmlText(options.notes.replace(/[\t\n\r]/g, ' '))}</desc>\n<style>`,
  );
}

/** Fill, note and legend of a differential graph: the change AFTER − BEFORE of each frame's total. */
function differentialStyle(
  profile: FoldedProfile,
  text: (value: number) => string,
  negate: boolean,
): Pick<FlameGraphInput, 'fill' | 'note' | 'legend'> {
  const { tree } = profile;
  const before = profile.baseline!.total;
  // Colours are relative to the largest change below the root (the root carries every change).
  let largest = 0;
  for (let node = 1; node < tree.size; node++) largest = Math.max(largest, Math.abs(tree.total[node] - before[node]));
  const signed = (value: number) => (value > 0 ? `+${text(value)}` : value < 0 ? `-${text(-value)}` : '0');
  return {
    fill: (node) => {
      if (node > 0 && before[node] === 0 && tree.total[node] > 0) return DIFF_COLOURS.new;
      const change = tree.total[node] - before[node];
      if (node === 0 || change === 0 || largest === 0) return DIFF_COLOURS.same;
      return changeColour(Math.abs(change) / largest, negate ? change < 0 : change > 0);
    },
    note: (node) => {
      const change = tree.total[node] - before[node];
      const percent =
        before[node] === 0
          ? tree.total[node] === 0
            ? '0%'
            : 'new'
          : `${change > 0 ? '+' : ''}${trimmedFixed((100 * change) / before[node], 1)}%`;
      return `before ${text(before[node])} · Δ ${signed(change)} (${percent})`;
    },
    legend: [
      { colour: DIFF_COLOURS.grew, label: negate ? 'shrank (--negate)' : 'grew' },
      { colour: DIFF_COLOURS.shrank, label: negate ? 'grew (--negate)' : 'shrank' },
      { colour: DIFF_COLOURS.new, label: 'new (before: 0)' },
    ],
  };
}
