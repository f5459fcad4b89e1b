import { foldedLabel } from '../export/folded.js';
import type { Json } from './document-fields.js';

/**
 * Folded stacks (`frame;frame;... N`) of a merged document's call paths, weighted like analyze's
 * --folded: self time in µs, rounded, paths under 0.5 µs left out; sorted lines. Empty without
 * call paths.
 */
export function mergedFoldedText(document: Json): string {
  const functions = document.functions as { name: string; file: string; line: number }[];
  const tree = document.callTree as Record<string, number[]> | undefined;
  if (tree === undefined) return '';
  const labels = functions.map((f) => foldedLabel(f.name, f.file, f.line));
  const paths: string[] = new Array(tree.parent.length);
  const lines: string[] = [];
  for (let i = 0; i < tree.parent.length; i++) {
    const own = labels[tree.function[i]];
    paths[i] = tree.parent[i] === -1 ? own : `${paths[tree.parent[i]]};${own}`;
    const count = Math.round(tree.selfNs[i] / 1000);
    if (count > 0) lines.push(`${paths[i]} ${count}`);
  }
  lines.sort();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
