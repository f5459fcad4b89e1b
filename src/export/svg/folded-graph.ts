import { frameWhere, parseFrameLabel, type FrameLabel } from '../../folded/frame-label.js';
import type { FoldedProfile } from '../../folded/read-folded.js';
import { renderFlameGraph, trimmedFixed, type SvgOptions } from './render.js';
import { formatWeight } from './value-units.js';

export interface FoldedSvgOptions extends SvgOptions {
  /** What a count is: `samples` (default), or a time unit (`ns`, `µs`/`us`, `ms`, `s`) shown as durations. */
  readonly unit?: string;
}

/**
 * An interactive flame graph of folded stacks (from any tool) as a self-contained SVG document:
 * the same renderer, palette and script as pyflame's own graphs; widths are counts in `unit`, and
 * there are no calls (folded files do not say). Same input, same bytes.
 */
export function foldedFlameGraphSvg(profile: FoldedProfile, options: FoldedSvgOptions = {}): string {
  const unit = options.unit ?? 'samples';
  const parsed = new Map<number, FrameLabel>();
  const frameOf = (frame: number) => {
    let label = parsed.get(frame);
    if (label === undefined) {
      label = parseFrameLabel(profile.labels[frame]);
      parsed.set(frame, label);
    }
    return label;
  };
  const tree = profile.tree;
  const name = (node: number) => (tree.frame[node] < 0 ? 'all' : frameOf(tree.frame[node]).name);
  const label = (node: number) => profile.labels[tree.frame[node]] ?? '';
  const text = (value: number) => formatWeight(value, unit);
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  return renderFlameGraph(
    {
      tree,
      name: (frame) => frameOf(frame).name,
      where: (frame) => frameWhere(frameOf(frame)),
      file: (frame) => frameOf(frame).file,
      title: options.title ?? profile.source.replace(/\\/g, '/').split('/').pop() ?? 'folded',
      subtitle: `weight: ${unit} · total ${text(profile.total)} · ${plural(profile.stacks, 'distinct stack')}`,
      values: { text, data: (value) => (Number.isInteger(value) ? String(value) : trimmedFixed(value, 6)), script: 'unit', unit },
      // By shown name, then by the whole label: the order does not depend on the order of the file.
      order: (a, b) => {
        const na = name(a);
        const nb = name(b);
        if (na !== nb) return na < nb ? -1 : 1;
        const la = label(a);
        const lb = label(b);
        return la < lb ? -1 : la > lb ? 1 : 0;
      },
    },
    options,
  );
}
