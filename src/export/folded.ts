import type { Analysis } from '../analyze/analysis.js';
import { UNKNOWN_ID } from '../model/event-batch.js';

/** What a folded line's number counts. */
export type FoldedWeight = 'self-us' | 'self-ns' | 'calls';

export interface FoldedOptions {
  readonly weight?: FoldedWeight;
  /** The thread as the root frame of each stack (default: merged across threads). */
  readonly perThread?: boolean;
}

/**
 * A frame's label in folded stacks: `name (file:line)`. `;` separates frames and a line ends with
 * ` count`, so a `;` in a name becomes `:`, and control characters become spaces.
 */
export function foldedLabel(name: string, file: string, line: number): string {
  return `${name} (${file}:${line})`.replace(/;/g, ':').replace(/[\x00-\x1f\x7f]/g, ' ');
}

/**
 * Brendan Gregg's folded stacks: one line per distinct call stack, frames root first, an integer
 * count: self time in µs (rounded; stacks under 0.5 µs are left out), in ns, or calls. Sorted,
 * so the same trace gives the same bytes. Readable by flamegraph.pl, inferno and speedscope.
 */
export function foldedText(analysis: Analysis, options: FoldedOptions = {}): string {
  const weight = options.weight ?? 'self-us';
  const functions = analysis.functionTable;
  const label = new Map<number, string>();
  const labelOf = (fn: number) => {
    let text = label.get(fn);
    if (text === undefined) {
      text = foldedLabel(functions.name(fn), functions.file(fn), functions.line(fn));
      label.set(fn, text);
    }
    return text;
  };
  const counts = new Map<string, number>();
  for (const thread of analysis.threads) {
    const tree = thread.tree;
    const root = options.perThread ? threadLabel(thread.pid, thread.tid) : undefined;
    // Each node's path, built from its parent's. Not in index order: a root adopted later (a
    // call running since the trace began) has a higher index than the nodes under it.
    const paths: (string | undefined)[] = new Array(tree.size);
    const pending: number[] = [];
    for (let node = 0; node < tree.size; node++) {
      if (tree.func.get(node) < 0 || paths[node] !== undefined) continue;
      for (let n = node; n >= 0 && tree.func.get(n) >= 0 && paths[n] === undefined; n = tree.parent.get(n)) pending.push(n);
      while (pending.length > 0) {
        const n = pending.pop()!;
        const parent = tree.parent.get(n);
        const parentPath = parent >= 0 && tree.func.get(parent) >= 0 ? paths[parent] : root;
        paths[n] = parentPath === undefined ? labelOf(tree.func.get(n)) : `${parentPath};${labelOf(tree.func.get(n))}`;
      }
    }
    for (let node = 0; node < tree.size; node++) {
      const path = paths[node];
      if (path === undefined) continue;
      const value = weight === 'calls' ? tree.calls.get(node) : weight === 'self-ns' ? tree.selfNs.get(node) : tree.selfNs.get(node) / 1000;
      if (value > 0) counts.set(path, (counts.get(path) ?? 0) + value);
    }
  }
  const lines: string[] = [];
  for (const [path, value] of counts) {
    const count = Math.round(value);
    if (count > 0) lines.push(`${path} ${count}`);
  }
  lines.sort();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function threadLabel(pid: number, tid: number): string {
  return pid === UNKNOWN_ID ? `[thread ${tid === UNKNOWN_ID ? '?' : tid}]` : `[pid ${pid} tid ${tid}]`;
}
