import type { ThreadAnalysis } from '../analyze/analysis.js';
import { forEachCallParentFirst } from '../analyze/call-tree.js';
import { IntPairMap } from '../analyze/int-pair-map.js';

/**
 * Outputs that write or draw whole stacks stop at this many frames: folded lines, the speedscope
 * "all threads" samples and the flame graphs. A stack's length is written once per distinct
 * stack, so a recursion N deep costs N^2 frames (a 1,000,000-deep one, 10^12); cut here, it
 * costs at most this many per stack. Deeper than any stack CPython allows by default (its
 * recursion limit is 1,000). What lies below is not lost: its time goes to one frame,
 * DEEPER_FRAMES, under the last frame kept.
 */
export const MAX_STACK_DEPTH = 1024;

/** The frame that stands for everything below MAX_STACK_DEPTH frames. */
export const DEEPER_FRAMES = `[frames deeper than ${MAX_STACK_DEPTH}]`;

/** Function id of the DEEPER_FRAMES node (function ids are at least 0; -1 is a root). */
export const DEEPER_FN = -2;

/**
 * Call stacks merged by path (across the threads given), at most `maxDepth` frames deep plus one
 * DEEPER_FN frame for whatever ran below: node 0 is the root, every other node's parent has a
 * lower index. `value` is the node's weight summed in thread order then node order (as a map
 * keyed by the path would sum it); `has` tells the nodes some thread gave a positive weight.
 */
export interface MergedStacks {
  readonly size: number;
  readonly parent: Int32Array;
  readonly fn: Int32Array;
  readonly depth: Int32Array;
  readonly value: Float64Array;
  readonly has: Uint8Array;
  /** Whether some stack was cut (a DEEPER_FN node exists). */
  readonly cut: boolean;
}

/**
 * Merges the call trees of `threads` by call path, keeping each node's weight `weightOf(thread,
 * node)` where it is positive. Memory is linear in the nodes (no path is ever built), and no node
 * deeper than maxDepth + 1 is made.
 */
export function mergeStacks(
  threads: readonly ThreadAnalysis[],
  weightOf: (thread: ThreadAnalysis, node: number) => number,
  maxDepth = MAX_STACK_DEPTH,
): MergedStacks {
  const columns = new Columns();
  const children = new IntPairMap();
  const childOf = (parent: number, fn: number): number => {
    // IntPairMap takes keys of at least 0: DEEPER_FN (-2) becomes 0.
    let node = children.get(parent, fn + 2);
    if (node < 0) {
      node = columns.add(parent, fn, columns.depth[parent] + 1);
      children.set(parent, fn + 2, node);
    }
    return node;
  };
  let cut = false;
  for (const thread of threads) {
    const tree = thread.tree;
    // Each thread node's merged node, from its parent's; below maxDepth, one "deeper" node.
    const merged = new Int32Array(tree.size).fill(-1);
    const depth = new Int32Array(tree.size);
    forEachCallParentFirst(tree, (n, p) => {
      const d = p < 0 ? 1 : depth[p] + 1;
      depth[n] = d;
      const mergedParent = p < 0 ? 0 : merged[p];
      if (d <= maxDepth) merged[n] = childOf(mergedParent, tree.func.get(n));
      else if (d === maxDepth + 1) {
        merged[n] = childOf(mergedParent, DEEPER_FN);
        cut = true;
      } else merged[n] = mergedParent;
    });
    for (let node = 0; node < tree.size; node++) {
      const m = merged[node];
      if (m < 0) continue;
      const weight = weightOf(thread, node);
      if (weight > 0) {
        columns.value[m] += weight;
        columns.has[m] = 1;
      }
    }
  }
  return { ...columns.done(), cut };
}

/**
 * The nodes of `stacks` in pre-order, children ordered by `order` (a parent before its
 * children: the order of their stacks as sorted sequences of frames). Iterative.
 */
export function preorder(stacks: MergedStacks, order: (a: number, b: number) => number): Int32Array {
  const childCount = new Int32Array(stacks.size + 1);
  for (let node = 1; node < stacks.size; node++) childCount[stacks.parent[node] + 1]++;
  // Children of each node, grouped (a counting sort by parent).
  for (let i = 1; i <= stacks.size; i++) childCount[i] += childCount[i - 1];
  const start = childCount.slice(0, stacks.size);
  const grouped = new Int32Array(Math.max(0, stacks.size - 1));
  const fill = start.slice();
  for (let node = 1; node < stacks.size; node++) grouped[fill[stacks.parent[node]]++] = node;
  const out = new Int32Array(stacks.size);
  let at = 0;
  const visit: number[] = [0];
  while (visit.length > 0) {
    const node = visit.pop()!;
    out[at++] = node;
    const kids = grouped.subarray(start[node], fill[node]).sort(order);
    for (let i = kids.length - 1; i >= 0; i--) visit.push(kids[i]);
  }
  return out;
}

/** Growable columns of a MergedStacks. */
class Columns {
  parent = new Int32Array(1024);
  fn = new Int32Array(1024);
  depth = new Int32Array(1024);
  value = new Float64Array(1024);
  has = new Uint8Array(1024);
  size = 0;

  constructor() {
    this.add(-1, -1, 0);
  }

  add(parent: number, fn: number, depth: number): number {
    if (this.size === this.parent.length) this.grow();
    const node = this.size++;
    this.parent[node] = parent;
    this.fn[node] = fn;
    this.depth[node] = depth;
    return node;
  }

  done(): Omit<MergedStacks, 'cut'> {
    const n = this.size;
    return {
      size: n,
      parent: this.parent.subarray(0, n),
      fn: this.fn.subarray(0, n),
      depth: this.depth.subarray(0, n),
      value: this.value.subarray(0, n),
      has: this.has.subarray(0, n),
    };
  }

  private grow(): void {
    const size = this.parent.length * 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const bigger = make(size);
      bigger.set(array);
      return bigger;
    };
    this.parent = grow(this.parent, (n) => new Int32Array(n));
    this.fn = grow(this.fn, (n) => new Int32Array(n));
    this.depth = grow(this.depth, (n) => new Int32Array(n));
    this.value = grow(this.value, (n) => new Float64Array(n));
    this.has = grow(this.has, (n) => new Uint8Array(n));
  }
}
