import { outputName } from '../../io/output-name.js';
import { formatDuration, formatSignedDuration } from '../../text/units.js';
import { renderFlameGraph, type SvgOptions } from '../../export/svg/render.js';
import type { WeightedTree } from '../../model/weighted-tree.js';
import { delta, type Change, type RunDiff } from '../compare.js';
import { signedPercent } from './ranking.js';
import { changeColour, DIFF_COLOURS } from '../../export/svg/diff-colours.js';

export interface DiffSvgOptions extends Omit<SvgOptions, 'title'> {
  readonly title?: string;
}

/**
 * A differential flame graph: frames are call paths, widths HEAD's time (a vanished path keeps
 * BASE's, so it stays visible), colour the change in the path's total time — which sums its
 * callees' changes, so a regression shows as a red trail from the root down to where it is.
 */
export function diffFlameGraphSvg(diff: RunDiff, options: DiffSvgOptions = {}): string {
  const paths = diff.paths ?? [];
  const size = paths.length + 1;
  const parent = new Int32Array(size);
  const frame = new Int32Array(size);
  const self = new Float64Array(size);
  const total = new Float64Array(size);
  const calls = new Float64Array(size);
  parent[0] = -1;
  frame[0] = -1;
  // Paths list callers before callees, so node = path + 1 keeps parents at lower indices.
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i];
    parent[i + 1] = p.parent + 1;
    frame[i + 1] = i;
    self[i + 1] = p.presence === 'vanished' ? p.selfNs.base : p.selfNs.head;
    calls[i + 1] = p.calls.head;
  }
  for (let node = size - 1; node >= 0; node--) {
    total[node] += self[node];
    if (node > 0) total[parent[node]] += total[node];
  }
  const tree: WeightedTree = { size, parent, frame, self, total, calls };
  const totalChange = (node: number): Change => (node === 0 ? diff.tracedNs : paths[node - 1].totalNs);
  // Colours are relative to the largest change below the root (the root carries every change).
  let largest = 0;
  for (const p of paths) largest = Math.max(largest, Math.abs(delta(p.totalNs)));

  const baseName = outputName(diff.base.source);
  const headName = outputName(diff.head.source);
  const normalized = diff.normalized ? ` · HEAD scaled ×${diff.scale.toPrecision(4)}` : '';
  const runs =
    diff.samples === undefined
      ? ''
      : ` · medians of ${diff.samples.runs.base} BASE and ${diff.samples.runs.head} HEAD runs`;
  return renderFlameGraph(
    {
      tree,
      name: (i) => paths[i].name,
      where: (i) => paths[i].file,
      file: (i) => paths[i].file,
      title: options.title ?? `${headName} vs ${baseName}`,
      subtitle: `width: HEAD time (vanished paths: BASE time) · colour: change in total time${normalized}${runs}`,
      values: { text: formatDuration, data: (ns) => String(Math.round(ns)), script: 'time-with-calls' },
      fill: (node) => {
        if (node === 0) return DIFF_COLOURS.same;
        const p = paths[node - 1];
        if (p.presence === 'new') return DIFF_COLOURS.new;
        if (p.presence === 'vanished') return DIFF_COLOURS.vanished;
        const d = delta(p.totalNs);
        return d === 0 || largest === 0 ? DIFF_COLOURS.same : changeColour(Math.abs(d) / largest, d > 0);
      },
      note: (node) => {
        const t = totalChange(node);
        if (node > 0 && paths[node - 1].presence === 'new')
          return `new in HEAD · Δtotal ${formatSignedDuration(delta(t))}`;
        if (node > 0 && paths[node - 1].presence === 'vanished')
          return `vanished: BASE self ${formatDuration(paths[node - 1].selfNs.base)}, total ${formatDuration(t.base)}`;
        const s = node === 0 ? undefined : paths[node - 1].selfNs;
        const selfPart = s === undefined ? '' : ` · Δself ${formatSignedDuration(delta(s))} (${signedPercent(s)})`;
        return `Δtotal ${formatSignedDuration(delta(t))} (${signedPercent(t)})${selfPart}`;
      },
      legend: [
        { colour: DIFF_COLOURS.grew, label: 'grew' },
        { colour: DIFF_COLOURS.shrank, label: 'shrank' },
        { colour: DIFF_COLOURS.new, label: 'new in HEAD' },
        { colour: DIFF_COLOURS.vanished, label: 'vanished (BASE width)' },
      ],
    },
    options,
  );
}
