import type { Analysis } from '../../analyze/analysis.js';
import { forEachCallParentFirst } from '../../analyze/call-tree.js';
import { IntPairMap } from '../../analyze/int-pair-map.js';
import type { WeightedTree } from '../../model/weighted-tree.js';

/**
 * The threads' call trees merged into one, keyed by function path (root to frame): frames are
 * function ids, totals inclusive ns, self exclusive ns, calls the entries of the path.
 */
export interface FlameTree extends WeightedTree {
  readonly parent: readonly number[];
  readonly frame: readonly number[];
  readonly calls: readonly number[];
  readonly total: readonly number[];
  readonly self: readonly number[];
  readonly children: readonly (readonly number[])[];
}

export function buildFlameTree(analysis: Analysis): FlameTree {
  // The --json call tree and the flame graph (SVG, HTML) merge the same threads: once.
  let tree = mergedTrees.get(analysis);
  if (tree === undefined) mergedTrees.set(analysis, (tree = mergeThreads(analysis)));
  return tree;
}

/** Each analysis's merged tree (neither the analysis nor a FlameTree is changed once made). */
const mergedTrees = new WeakMap<Analysis, FlameTree>();

function mergeThreads(analysis: Analysis): FlameTree {
  const parent: number[] = [-1];
  const frame: number[] = [-1];
  const calls: number[] = [0];
  const total: number[] = [0];
  const self: number[] = [0];
  const children: number[][] = [[]];
  // Keyed by two integers, not a string per node: a 1,000,000-deep recursion has as many nodes.
  const byKey = new IntPairMap();
  const childOf = (p: number, fn: number): number => {
    let node = byKey.get(p, fn);
    if (node < 0) {
      node = parent.length;
      byKey.set(p, fn, node);
      parent.push(p);
      frame.push(fn);
      calls.push(0);
      total.push(0);
      self.push(0);
      children.push([]);
      children[p].push(node);
    }
    return node;
  };
  for (const thread of analysis.threads) {
    const tree = thread.tree;
    // Each thread node's merged node, from its parent's.
    const merged = new Int32Array(tree.size).fill(-1);
    forEachCallParentFirst(tree, (n, p) => {
      merged[n] = childOf(p < 0 ? 0 : merged[p], tree.func.get(n));
    });
    for (let node = 0; node < tree.size; node++) {
      const m = merged[node];
      if (m < 0) continue;
      calls[m] += tree.calls.get(node);
      total[m] += tree.totalNs.get(node);
      self[m] += tree.selfNs.get(node);
    }
  }
  for (const child of children[0]) total[0] += total[child];
  return { parent, frame, calls, total, self, children, size: parent.length };
}
