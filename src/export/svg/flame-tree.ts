import type { Analysis } from '../../analyze/analysis.js';

/**
 * The threads' call trees merged into one, keyed by function path (root to frame). Node 0 is the
 * root (function -1); totals are inclusive ns, selfNs exclusive ns, calls the entries of the path.
 * Built iteratively: trees can be 100,000 frames deep.
 */
export interface FlameTree {
  readonly parent: readonly number[];
  readonly func: readonly number[];
  readonly calls: readonly number[];
  readonly totalNs: readonly number[];
  readonly selfNs: readonly number[];
  readonly children: readonly (readonly number[])[];
  readonly size: number;
}

export function buildFlameTree(analysis: Analysis): FlameTree {
  const parent: number[] = [-1];
  const func: number[] = [-1];
  const calls: number[] = [0];
  const totalNs: number[] = [0];
  const selfNs: number[] = [0];
  const children: number[][] = [[]];
  const byKey = new Map<string, number>();
  const childOf = (p: number, fn: number): number => {
    const key = `${p}:${fn}`;
    let node = byKey.get(key);
    if (node === undefined) {
      node = parent.length;
      byKey.set(key, node);
      parent.push(p);
      func.push(fn);
      calls.push(0);
      totalNs.push(0);
      selfNs.push(0);
      children.push([]);
      children[p].push(node);
    }
    return node;
  };
  for (const thread of analysis.threads) {
    const tree = thread.tree;
    // Each thread node's merged node, from its parent's (parents may have higher indices).
    const merged = new Int32Array(tree.size).fill(-1);
    const pending: number[] = [];
    for (let node = 0; node < tree.size; node++) {
      if (tree.func.get(node) < 0 || merged[node] >= 0) continue;
      for (let n = node; n >= 0 && tree.func.get(n) >= 0 && merged[n] < 0; n = tree.parent.get(n)) pending.push(n);
      while (pending.length > 0) {
        const n = pending.pop()!;
        const p = tree.parent.get(n);
        const mergedParent = p >= 0 && tree.func.get(p) >= 0 ? merged[p] : 0;
        merged[n] = childOf(mergedParent, tree.func.get(n));
      }
    }
    for (let node = 0; node < tree.size; node++) {
      const m = merged[node];
      if (m < 0) continue;
      calls[m] += tree.calls.get(node);
      totalNs[m] += tree.totalNs.get(node);
      selfNs[m] += tree.selfNs.get(node);
    }
  }
  for (const child of children[0]) totalNs[0] += totalNs[child];
  return { parent, func, calls, totalNs, selfNs, children, size: parent.length };
}
