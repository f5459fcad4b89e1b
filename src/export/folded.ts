import type { Analysis, ThreadAnalysis } from '../analyze/analysis.js';
import { UNKNOWN_ID } from '../model/event-batch.js';
import { DEEPER_FN, DEEPER_FRAMES, mergeStacks } from './stack-depth.js';

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
  const value = (thread: ThreadAnalysis, node: number) => {
    const tree = thread.tree;
    return weight === 'calls'
      ? tree.calls.get(node)
      : weight === 'self-ns'
        ? tree.selfNs.get(node)
        : tree.selfNs.get(node) / 1000;
  };
  // Merged by call path without building a path per node (a recursion N deep would make N paths
  // of up to N frames); paths are cut at MAX_STACK_DEPTH frames, the rest under DEEPER_FRAMES.
  // A counts-only trace (SystemTap "top") has no stacks: one frame per function, weighted by calls.
  const counts = analysis.callCounts;
  if (counts !== undefined && analysis.threads.length === 0) {
    const lines = [...counts.byFunction]
      .map(([fn, series]) => `${labelOf(fn)} ${series.reduce((sum, n) => sum + n, 0)}`)
      .filter((line) => !line.endsWith(' 0'));
    lines.sort();
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
  const groups = options.perThread
    ? analysis.threads.map((thread) => ({ root: threadLabel(thread.pid, thread.tid), threads: [thread] }))
    : [{ root: undefined, threads: analysis.threads }];
  const lines: string[] = [];
  for (const { root, threads } of groups) {
    const stacks = mergeStacks(threads, value);
    const paths: string[] = new Array(stacks.size);
    for (let node = 1; node < stacks.size; node++) {
      const fn = stacks.fn[node];
      const parent = stacks.parent[node];
      const own = fn === DEEPER_FN ? DEEPER_FRAMES : labelOf(fn);
      const parentPath = parent > 0 ? paths[parent] : root;
      paths[node] = parentPath === undefined ? own : `${parentPath};${own}`;
    }
    for (let node = 1; node < stacks.size; node++) {
      if (stacks.has[node] === 0) continue;
      const count = Math.round(stacks.value[node]);
      if (count > 0) lines.push(`${paths[node]} ${count}`);
    }
  }
  lines.sort();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function threadLabel(pid: number, tid: number): string {
  return pid === UNKNOWN_ID ? `[thread ${tid === UNKNOWN_ID ? '?' : tid}]` : `[pid ${pid} tid ${tid}]`;
}
