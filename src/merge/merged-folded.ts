import { foldedLabel } from '../export/folded.js';
import { DEEPER_FRAMES, MAX_STACK_DEPTH } from '../export/stack-depth.js';
import type { Json } from './document-fields.js';

/**
 * Folded stacks (`frame;frame;... N`) of a merged document's call paths, weighted like analyze's
 * --folded: self time in µs, rounded, paths under 0.5 µs left out; sorted lines; stacks cut at
 * MAX_STACK_DEPTH frames, what ran deeper under one DEEPER_FRAMES frame (a path is written once
 * per distinct stack: a deep recursion would otherwise cost its depth squared). Empty without
 * call paths.
 */
export function mergedFoldedText(document: Json): string {
  const functions = document.functions as { name: string; file: string; line: number }[];
  const tree = document.callTree as Record<string, number[]> | undefined;
  if (tree === undefined) return '';
  const labels = functions.map((f) => foldedLabel(f.name, f.file, f.line));
  const size = tree.parent.length;
  const paths: string[] = new Array(size);
  const depth = new Int32Array(size);
  /** For an entry deeper than the cut: the entry at the cut it lies under. */
  const anchor = new Int32Array(size).fill(-1);
  const selfNs = new Float64Array(size);
  const deeperNs = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const parent = tree.parent[i];
    depth[i] = parent === -1 ? 1 : depth[parent] + 1;
    if (depth[i] <= MAX_STACK_DEPTH) {
      const own = labels[tree.function[i]];
      paths[i] = parent === -1 ? own : `${paths[parent]};${own}`;
      selfNs[i] = tree.selfNs[i];
    } else {
      anchor[i] = depth[parent] === MAX_STACK_DEPTH ? parent : anchor[parent];
      deeperNs[anchor[i]] += tree.selfNs[i];
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    if (depth[i] > MAX_STACK_DEPTH) continue;
    const count = Math.round(selfNs[i] / 1000);
    if (count > 0) lines.push(`${paths[i]} ${count}`);
    const deeper = Math.round(deeperNs[i] / 1000);
    if (deeper > 0) lines.push(`${paths[i]};${DEEPER_FRAMES} ${deeper}`);
  }
  lines.sort();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
