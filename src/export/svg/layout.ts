import { hierarchy, partition, type HierarchyRectangularNode } from 'd3-hierarchy';
import type { WeightedTree } from '../../model/weighted-tree.js';

/** One drawn frame: its node in the flame tree, depth (root 0) and horizontal extent (0..1). */
export interface LaidFrame {
  readonly node: number;
  readonly depth: number;
  readonly x0: number;
  readonly x1: number;
}

export interface LayoutOptions {
  /** Frames narrower than this fraction of the root's width are left out (default 0.001). */
  readonly minWidth?: number;
  /** Orders a node's children (default: by node index). */
  readonly order?: (a: number, b: number) => number;
  /** Frames deeper than this (the root is 0) are left out with everything under them (default: all). */
  readonly maxDepth?: number;
}

/**
 * Lays the tree out with d3's partition: widths proportional to inclusive weight. A node's width
 * is at least its children's (inconsistent totals are widened, never overlap). Frames narrower
 * than minWidth are pruned with everything under them, before any object is made for them, so a
 * tree of millions of nodes costs typed arrays only; so are frames deeper than maxDepth. Frames come root first, then by depth and x
 * (the drawing order).
 */
export function layoutFlame(
  tree: Pick<WeightedTree, 'size' | 'parent' | 'total'>,
  options: LayoutOptions = {},
): { frames: LaidFrame[]; maxDepth: number; rootValue: number; cutLevels: number } {
  const minWidth = options.minWidth ?? 0.001;
  const { size, parent } = tree;
  // Values bottom-up in one backwards pass: a parent's index is below its children's.
  const value = new Float64Array(size);
  const childSum = new Float64Array(size);
  for (let node = size - 1; node >= 0; node--) {
    value[node] = Math.max(tree.total[node], childSum[node], 0);
    if (node > 0) childSum[parent[node]] += value[node];
  }
  const rootValue = value[0];
  const threshold = rootValue * minWidth;
  // Depths top-down in one forward pass, for the depth cap: a frame per level is drawn for a
  // recursion however deep, so levels past the cap are left out (and counted).
  const depthCap = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const depth = new Int32Array(size);
  let deepestCut = 0;
  // A kept node's parent is kept too (its value is at least the child's).
  const keptChildren = new Map<number, number[]>();
  for (let node = 1; node < size; node++) {
    depth[node] = depth[parent[node]] + 1;
    if (!(value[node] > 0 && value[node] >= threshold)) continue;
    if (depth[node] > depthCap) {
      if (depth[node] > deepestCut) deepestCut = depth[node];
      continue;
    }
    const list = keptChildren.get(parent[node]);
    if (list === undefined) keptChildren.set(parent[node], [node]);
    else list.push(node);
  }
  // d3's hierarchy() computes heights in time quadratic in depth (every node walks up its
  // ancestors); the nodes are built here instead, as d3 Node objects, with heights bottom-up.
  const prototype = Object.getPrototypeOf(hierarchy(0)) as object;
  type Laid = HierarchyRectangularNode<number> & {
    value: number;
    height: number;
    depth: number;
    children?: Laid[];
    parent: Laid | null;
  };
  const make = (node: number, parentNode: Laid | null): Laid => {
    const d = Object.create(prototype) as Laid;
    Object.assign(d, {
      data: node,
      depth: parentNode === null ? 0 : parentNode.depth + 1,
      height: 0,
      parent: parentNode,
      value: value[node],
    });
    return d;
  };
  const root = make(0, null);
  const visit: Laid[] = [root];
  const preorder: Laid[] = [];
  while (visit.length > 0) {
    const d = visit.pop()!;
    preorder.push(d);
    const children = keptChildren.get(d.data);
    if (children === undefined) continue;
    if (options.order !== undefined) children.sort(options.order);
    d.children = children.map((child) => make(child, d));
    for (let i = d.children.length - 1; i >= 0; i--) visit.push(d.children[i]);
  }
  for (let i = preorder.length - 1; i > 0; i--) {
    const d = preorder[i];
    if (d.parent !== null && d.parent.height < d.height + 1) d.parent.height = d.height + 1;
  }
  partition<number>().size([1, 1]).padding(0).round(false)(
    root as unknown as Parameters<ReturnType<typeof partition<number>>>[0],
  );
  const frames: LaidFrame[] = [];
  let maxDepth = 0;
  for (const d of preorder) {
    frames.push({ node: d.data, depth: d.depth, x0: d.x0, x1: d.x1 });
    if (d.depth > maxDepth) maxDepth = d.depth;
  }
  frames.sort((a, b) => a.depth - b.depth || a.x0 - b.x0);
  return { frames, maxDepth, rootValue, cutLevels: deepestCut === 0 ? 0 : deepestCut - depthCap };
}
