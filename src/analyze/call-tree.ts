import { Float64List, Int32List } from './growable.js';
import { IntPairMap } from './int-pair-map.js';

/** Small: a trace can have 100,000 threads of a few calls each, every one with its own tree. */
const INITIAL_NODES = 8;
/** Trees up to this many nodes find a child by scanning their columns. */
const SCAN_NODES = 16;

/**
 * A call tree in columns: node i is one call path (root to it), with the function it ends in,
 * how often that path was entered and its inclusive and self time. Memory grows with distinct
 * paths, not with calls. The root is a node of its own with function -1; when a trace turns out
 * to have begun inside a call, the old root becomes that call's node and a new root goes above it.
 */
export class CallTree {
  readonly parent = new Int32List(INITIAL_NODES);
  readonly func = new Int32List(INITIAL_NODES);
  readonly calls = new Float64List(INITIAL_NODES);
  readonly totalNs = new Float64List(INITIAL_NODES);
  readonly selfNs = new Float64List(INITIAL_NODES);
  /** Activations of this path that were not seen whole (began before or ended after the trace). */
  readonly partial = new Float64List(INITIAL_NODES);
  /**
   * (parent, function) -> child, made once the tree outgrows SCAN_NODES: a small tree is searched
   * through its columns instead (a hash map is three typed arrays, and most threads of a trace
   * with 100,000 of them have a handful of paths).
   */
  private children: IntPairMap | undefined;
  root: number;

  constructor() {
    this.root = this.add(-1, -1);
  }

  get size(): number {
    return this.parent.length;
  }

  /** The child of `parent` for function `fn`, created when new. */
  child(parent: number, fn: number): number {
    const children = this.children;
    let node = children === undefined ? this.scan(parent, fn) : children.get(parent, fn);
    if (node < 0) {
      node = this.add(parent, fn);
      this.index(parent, fn, node);
    }
    return node;
  }

  /**
   * Makes the current root the node of a call of `fn` that was running since before the trace
   * began, under a new root; returns the new root.
   */
  adoptRoot(fn: number): number {
    const old = this.root;
    const root = this.add(-1, -1);
    this.func.set(old, fn);
    this.parent.set(old, root);
    this.index(root, fn, old);
    this.root = root;
    return root;
  }

  /** The child of `parent` for `fn` by looking at every node, or -1 (small trees only). */
  private scan(parent: number, fn: number): number {
    for (let node = 0; node < this.parent.length; node++)
      if (this.parent.get(node) === parent && this.func.get(node) === fn) return node;
    return -1;
  }

  /** Records a new (parent, fn) -> node; past SCAN_NODES nodes, in a hash map built then. */
  private index(parent: number, fn: number, node: number): void {
    if (this.children !== undefined) {
      this.children.set(parent, fn, node);
      return;
    }
    if (this.parent.length <= SCAN_NODES) return;
    const children = new IntPairMap(64);
    // Every node but a root (function -1, or a parent of -1) is some parent's child.
    for (let n = 0; n < this.parent.length; n++)
      if (this.parent.get(n) >= 0) children.set(this.parent.get(n), this.func.get(n), n);
    this.children = children;
  }

  private add(parent: number, fn: number): number {
    const node = this.parent.length;
    this.parent.push(parent);
    this.func.push(fn);
    this.calls.push(0);
    this.totalNs.push(0);
    this.selfNs.push(0);
    this.partial.push(0);
    return node;
  }
}

/**
 * Visits every call node of `tree` (function >= 0) after the call it runs in: `parent` is that
 * call's node, or -1 for a call at the root. A parent can have a higher index than its children
 * (a root adopted later, a call running since the trace began), so nodes are not simply taken in
 * order; iterative, for trees 100,000 calls deep.
 */
export function forEachCallParentFirst(tree: CallTree, visit: (node: number, parent: number) => void): void {
  const seen = new Uint8Array(tree.size);
  const pending: number[] = [];
  for (let node = 0; node < tree.size; node++) {
    if (tree.func.get(node) < 0 || seen[node] === 1) continue;
    for (let n = node; n >= 0 && tree.func.get(n) >= 0 && seen[n] === 0; n = tree.parent.get(n)) pending.push(n);
    while (pending.length > 0) {
      const n = pending.pop()!;
      seen[n] = 1;
      const p = tree.parent.get(n);
      visit(n, p >= 0 && tree.func.get(p) >= 0 ? p : -1);
    }
  }
}
