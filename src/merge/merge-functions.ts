import { DurationSketch } from '../analyze/duration-sketch.js';
import { callTreeColumns } from '../export/analysis-json.js';
import { compareFunctionKeys } from '../text/compare.js';
import { addNullable, type DocumentFields, type Json } from './document-fields.js';

/** One function's figures over the runs so far. */
interface FunctionSum {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  calls: number;
  returns: number;
  totalNs: number;
  selfNs: number;
  selfNsRaw: number | null;
  totalNsRaw: number | null;
  selfNsError: number | null;
  totalNsError: number | null;
  selfOnCpuNs: number;
  selfOffCpuNs: number;
  selfRunQueueNs: number;
  partial: number;
  completed: number;
  minNs: number | null;
  maxNs: number | null;
  /** The complete calls' durations added up (each run's mean times its count). */
  durationSumNs: number;
  readonly sketch: DurationSketch;
}

/** Percentiles read from a sketch, within its relative error. */
const PERCENTILES = [
  ['p50Ns', 50],
  ['p95Ns', 95],
  ['p99Ns', 99],
] as const;

/**
 * The functions and call paths of many runs added up. Functions are the same function when
 * their file, name and def line agree (as one analysis interns them); a call path is the same
 * path when its functions are, frame by frame from the root. Holds one entry per distinct
 * function and path, never a run's document.
 */
export class FunctionMerger {
  private readonly byKey = new Map<string, number>();
  private readonly functions: FunctionSum[] = [];
  /** Call-path nodes: parent node (-1 a root), function id, and figures; a child by `${parent} ${fn}`. */
  private readonly parent: number[] = [];
  private readonly fn: number[] = [];
  private readonly calls: number[] = [];
  private readonly selfNs: number[] = [];
  private readonly totalNs: number[] = [];
  private readonly child = new Map<string, number>();
  /** Functions with complete calls in a run whose document has no sketch of them. */
  unsketched = 0;
  /** Runs whose document has no call paths (written before pyflame recorded them). */
  runsWithoutPaths = 0;

  add(document: Json, fields: DocumentFields): void {
    const ids = fields.array(document.functions, 'functions').map((raw, i) => this.addFunction(raw, i, fields));
    if (document.callTree === undefined) this.runsWithoutPaths++;
    else this.addCallTree(fields.object(document.callTree, 'callTree'), ids, fields);
  }

  private addFunction(raw: unknown, i: number, fields: DocumentFields): number {
    const at = `functions[${i}]`;
    const f = fields.object(raw, at);
    const name = fields.string(f.name, `${at}.name`);
    const file = fields.string(f.file, `${at}.file`);
    const line = fields.count(f.line, `${at}.line`);
    const key = `${file}\0${name}\0${line}`;
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.functions.length;
      this.byKey.set(key, id);
      this.functions.push({
        name,
        file,
        line,
        calls: 0,
        returns: 0,
        totalNs: 0,
        selfNs: 0,
        selfNsRaw: 0,
        totalNsRaw: 0,
        selfNsError: 0,
        totalNsError: 0,
        selfOnCpuNs: 0,
        selfOffCpuNs: 0,
        selfRunQueueNs: 0,
        partial: 0,
        completed: 0,
        minNs: null,
        maxNs: null,
        durationSumNs: 0,
        sketch: new DurationSketch(),
      });
    }
    const sum = this.functions[id];
    sum.calls += fields.count(f.calls, `${at}.calls`);
    sum.returns += fields.count(f.returns, `${at}.returns`);
    sum.totalNs += fields.number(f.totalNs, `${at}.totalNs`);
    sum.selfNs += fields.number(f.selfNs, `${at}.selfNs`);
    sum.selfNsRaw = addNullable(sum.selfNsRaw, fields.nullableNumber(f.selfNsRaw, `${at}.selfNsRaw`));
    sum.totalNsRaw = addNullable(sum.totalNsRaw, fields.nullableNumber(f.totalNsRaw, `${at}.totalNsRaw`));
    sum.selfNsError = addNullable(sum.selfNsError, fields.nullableNumber(f.selfNsError, `${at}.selfNsError`));
    sum.totalNsError = addNullable(sum.totalNsError, fields.nullableNumber(f.totalNsError, `${at}.totalNsError`));
    sum.selfOnCpuNs += fields.nullableNumber(f.selfOnCpuNs, `${at}.selfOnCpuNs`) ?? 0;
    sum.selfOffCpuNs += fields.nullableNumber(f.selfOffCpuNs, `${at}.selfOffCpuNs`) ?? 0;
    sum.selfRunQueueNs += fields.nullableNumber(f.selfRunQueueNs, `${at}.selfRunQueueNs`) ?? 0;
    sum.partial += fields.count(f.partial, `${at}.partial`);
    const completed = fields.count(f.completed, `${at}.completed`);
    if (completed > 0) {
      sum.completed += completed;
      const min = fields.number(f.minNs, `${at}.minNs`);
      const max = fields.number(f.maxNs, `${at}.maxNs`);
      sum.minNs = sum.minNs === null ? min : Math.min(sum.minNs, min);
      sum.maxNs = sum.maxNs === null ? max : Math.max(sum.maxNs, max);
      sum.durationSumNs += fields.number(f.meanNs, `${at}.meanNs`) * completed;
      if (f.durationSketch === undefined) this.unsketched++;
      else {
        const sketch = DurationSketch.fromJson(f.durationSketch, `${at}.durationSketch`, fields.fail);
        if (sketch.count !== completed)
          fields.fail(`${at}.durationSketch counts ${sketch.count} durations, completed says ${completed}`);
        sum.sketch.merge(sketch);
      }
    }
    return id;
  }

  private addCallTree(tree: Json, ids: readonly number[], fields: DocumentFields): void {
    const column = (name: string) => fields.array(tree[name], `callTree.${name}`);
    const parents = column('parent');
    const fns = column('function');
    const calls = column('calls');
    const self = column('selfNs');
    const total = column('totalNs');
    if ([fns, calls, self, total].some((c) => c.length !== parents.length))
      fields.fail('callTree columns should have the same length');
    // Each entry's node here; parents come before their children.
    const nodeOf = new Int32Array(parents.length);
    for (let i = 0; i < parents.length; i++) {
      const parent = parents[i];
      const fn = fns[i];
      if (!Number.isInteger(parent) || (parent as number) < -1 || (parent as number) >= i)
        fields.fail(`callTree.parent[${i}] should be -1 or an earlier entry`);
      if (!Number.isInteger(fn) || (fn as number) < 0 || (fn as number) >= ids.length)
        fields.fail(`callTree.function[${i}] should index functions`);
      const parentNode = parent === -1 ? -1 : nodeOf[parent as number];
      const node = this.nodeFor(parentNode, ids[fn as number]);
      nodeOf[i] = node;
      this.calls[node] += fields.count(calls[i], `callTree.calls[${i}]`);
      this.selfNs[node] += fields.number(self[i], `callTree.selfNs[${i}]`);
      this.totalNs[node] += fields.number(total[i], `callTree.totalNs[${i}]`);
    }
  }

  private nodeFor(parent: number, fn: number): number {
    const key = `${parent} ${fn}`;
    let node = this.child.get(key);
    if (node === undefined) {
      node = this.parent.length;
      this.child.set(key, node);
      this.parent.push(parent);
      this.fn.push(fn);
      this.calls.push(0);
      this.selfNs.push(0);
      this.totalNs.push(0);
    }
    return node;
  }

  /**
   * The merged functions (by self time, then total, then file, name and line: the order analyze
   * writes) and call paths (pre-order, children in the functions' order), in the document's shape:
   * the same bytes whatever order the runs came in.
   */
  result(scheduled: boolean): { functions: Json[]; callTree: Record<string, number[]> | undefined } {
    const order = this.functions.map((_, id) => id);
    const f = this.functions;
    order.sort((a, b) => f[b].selfNs - f[a].selfNs || f[b].totalNs - f[a].totalNs || compareFunctionKeys(f[a], f[b]));
    const indexOf = new Int32Array(f.length);
    order.forEach((id, index) => {
      indexOf[id] = index;
    });
    const functions = order.map((id) => functionJson(f[id], scheduled));
    return {
      functions,
      callTree: this.runsWithoutPaths > 0 ? undefined : this.callTreeColumns(indexOf),
    };
  }

  private callTreeColumns(indexOf: Int32Array): Record<string, number[]> {
    const size = this.parent.length;
    const children: number[][] = Array.from({ length: size + 1 }, () => []);
    for (let node = 0; node < size; node++) children[this.parent[node] + 1].push(node);
    const byFunction = (a: number, b: number) => indexOf[this.fn[a]] - indexOf[this.fn[b]];
    for (const list of children) list.sort(byFunction);
    return callTreeColumns(
      size,
      children[0],
      (node) => children[node + 1],
      (node) => ({
        parent: this.parent[node],
        function: indexOf[this.fn[node]],
        calls: this.calls[node],
        selfNs: this.selfNs[node],
        totalNs: this.totalNs[node],
      }),
    );
  }
}

function functionJson(sum: FunctionSum, scheduled: boolean): Json {
  // Percentiles need every run's sketch of the function: without one, none is given.
  const sketched = sum.completed > 0 && sum.sketch.count === sum.completed;
  const percentile = (p: number): number | null => {
    if (!sketched) return null;
    const value = sum.sketch.percentile(p)!;
    // The exact percentile lies within [min, max]: clamping only brings the estimate closer.
    return Math.round(Math.min(Math.max(value, sum.minNs!), sum.maxNs!));
  };
  return {
    name: sum.name,
    file: sum.file,
    line: sum.line,
    calls: sum.calls,
    returns: sum.returns,
    totalNs: sum.totalNs,
    selfNs: sum.selfNs,
    selfNsRaw: sum.selfNsRaw,
    totalNsRaw: sum.totalNsRaw,
    selfNsError: sum.selfNsError,
    totalNsError: sum.totalNsError,
    ...(scheduled
      ? { selfOnCpuNs: sum.selfOnCpuNs, selfOffCpuNs: sum.selfOffCpuNs, selfRunQueueNs: sum.selfRunQueueNs }
      : {}),
    partial: sum.partial,
    completed: sum.completed,
    minNs: sum.minNs,
    maxNs: sum.maxNs,
    meanNs: sum.completed > 0 ? sum.durationSumNs / sum.completed : null,
    ...Object.fromEntries(PERCENTILES.map(([field, p]) => [field, percentile(p)])),
    ...(sketched ? { durationSketch: sum.sketch.toJson() } : {}),
  };
}
