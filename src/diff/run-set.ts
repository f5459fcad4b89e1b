import type {
  ProfileCallTree,
  ProfileFunction,
  ProfileGcGeneration,
  ProfileImport,
  RunProfile,
} from './run-profile.js';
import { compareText } from '../text/compare.js';

/**
 * Several runs of one side of a diff (reruns of one program), as one profile of medians plus every
 * run's own value of each item, so that a rule can ask whether a change is beyond the runs' noise.
 *
 * An item a run does not have counts 0 in that run (a function not called is called 0 times).
 * Everything is in a canonical order (functions by key, paths by their functions' keys, GC by
 * generation, modules by name), so the order the runs are given in changes nothing.
 */
export interface RunSet {
  /** The medians, as a profile the comparison and the renderers read like a single run's. */
  readonly median: RunProfile;
  readonly runs: number;
  readonly sources: readonly string[];
  /** values[i][r]: item i's value in run r, for the median's functions, call paths (tree entries), GC generations and modules. */
  readonly functions: {
    readonly calls: readonly number[][];
    readonly selfNs: readonly number[][];
    readonly totalNs: readonly number[][];
    readonly p95Ns: readonly number[][];
  };
  /** Undefined when a run has no call paths (an old --json). */
  readonly paths:
    | {
        readonly calls: readonly number[][];
        readonly selfNs: readonly number[][];
        readonly totalNs: readonly number[][];
      }
    | undefined;
  readonly gc: {
    readonly count: readonly number[][];
    readonly totalNs: readonly number[][];
    readonly p95Ns: readonly number[][];
  };
  readonly imports: { readonly durationNs: readonly number[][]; readonly selfNs: readonly number[][] };
  readonly tracedNs: readonly number[];
  readonly durationNs: readonly number[];
}

/** The median (the mean of the middle two for an even number of values, rounded to a whole number). */
export function median(values: readonly number[]): number {
  if (values.length === 1) return values[0];
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** Reads one value per run for each item of a keyed union: items a run lacks are 0. */
function columns<T>(
  runs: readonly RunProfile[],
  itemsOf: (run: RunProfile) => readonly T[],
  keyOf: (item: T) => string,
  fields: readonly ((item: T) => number)[],
): { keys: string[]; first: Map<string, T[]>; values: number[][][] } {
  const byKey = new Map<string, T[]>();
  runs.forEach((run, r) => {
    for (const item of itemsOf(run)) {
      let perRun = byKey.get(keyOf(item));
      if (perRun === undefined) byKey.set(keyOf(item), (perRun = new Array<T>(runs.length)));
      perRun[r] = item;
    }
  });
  const keys = [...byKey.keys()].sort(compareText);
  const values = fields.map((field) =>
    keys.map((key) => {
      const perRun = byKey.get(key)!;
      return runs.map((_, r) => (perRun[r] === undefined ? 0 : field(perRun[r])));
    }),
  );
  return { keys, first: byKey, values };
}

/** The runs of one side as medians and per-run values. */
export function combineRuns(runs: readonly RunProfile[]): RunSet {
  if (runs.length === 0) throw new Error('combineRuns: no runs');
  const fnFields = [
    (f: ProfileFunction) => f.calls,
    (f: ProfileFunction) => f.selfNs,
    (f: ProfileFunction) => f.totalNs,
    (f: ProfileFunction) => f.p95Ns ?? 0,
  ];
  const fns = columns(
    runs,
    (run) => run.functions,
    (f) => f.key,
    fnFields,
  );
  const functions: ProfileFunction[] = fns.keys.map((key, i) => {
    const present = fns.first.get(key)!.filter((f) => f !== undefined);
    // The same function's def line could differ between runs of one side only if its source did;
    // the smallest is taken, whatever order the runs come in.
    const line = Math.min(...present.map((f) => f.line));
    const p95 = present.every((f) => f.p95Ns === null) ? null : median(fns.values[3][i]);
    return {
      key,
      name: present[0].name,
      file: present[0].file,
      line,
      calls: median(fns.values[0][i]),
      selfNs: median(fns.values[1][i]),
      totalNs: median(fns.values[2][i]),
      p95Ns: p95,
    };
  });

  const gcFields = [
    (g: ProfileGcGeneration) => g.count,
    (g: ProfileGcGeneration) => g.totalNs,
    (g: ProfileGcGeneration) => g.p95Ns,
  ];
  const gcs = columns(
    runs,
    (run) => run.gc,
    (g) => String(g.generation).padStart(12, '0'),
    gcFields,
  );
  const gc: ProfileGcGeneration[] = gcs.keys.map((key, i) => ({
    generation: Number(key),
    count: median(gcs.values[0][i]),
    totalNs: median(gcs.values[1][i]),
    p95Ns: median(gcs.values[2][i]),
  }));

  const importFields = [
    (m: ProfileImport) => m.count,
    (m: ProfileImport) => m.durationNs,
    (m: ProfileImport) => m.selfNs,
  ];
  const mods = columns(
    runs,
    (run) => run.imports,
    (m) => m.module,
    importFields,
  );
  const imports: ProfileImport[] = mods.keys.map((module, i) => ({
    module,
    count: median(mods.values[0][i]),
    durationNs: median(mods.values[1][i]),
    selfNs: median(mods.values[2][i]),
  }));

  const tree = runs.every((run) => run.callTree !== undefined) ? combineTrees(runs, fns.keys) : undefined;
  const tracedNs = runs.map((run) => run.tracedNs);
  const durationNs = runs.map((run) => run.durationNs);
  const sources = runs.map((run) => run.source);
  const formats = [...new Set(runs.map((run) => run.format))].sort(compareText);
  const warnings = new Map<string, { code: string; message: string; count: number; unit: string; lines: number[] }>();
  for (const w of runs.flatMap((run) => run.warnings)) {
    const known = warnings.get(w.code);
    if (known === undefined)
      warnings.set(w.code, { code: w.code, message: w.message, count: w.count, unit: w.unit, lines: [] });
    else known.count += w.count;
  }
  const median1: RunProfile = {
    source: runs.length === 1 ? runs[0].source : `${runs.length} runs: ${sources.join(', ')}`,
    format: formats.join(', '),
    durationNs: median(durationNs),
    events: median(runs.map((run) => run.events)),
    // Drops in any run damaged that run: all of them are said.
    droppedEvents: runs.reduce((sum, run) => sum + run.droppedEvents, 0),
    tracedNs: median(tracedNs),
    functions,
    callTree: tree?.tree,
    gc,
    imports,
    warnings: [...warnings.values()].sort((a, b) => compareText(a.code, b.code)),
  };
  return {
    median: median1,
    runs: runs.length,
    sources,
    functions: { calls: fns.values[0], selfNs: fns.values[1], totalNs: fns.values[2], p95Ns: fns.values[3] },
    paths: tree?.values,
    gc: { count: gcs.values[0], totalNs: gcs.values[1], p95Ns: gcs.values[2] },
    imports: { durationNs: mods.values[1], selfNs: mods.values[2] },
    tracedNs,
    durationNs,
  };
}

/**
 * Every call path of any run, matched by its functions' keys, as one tree of medians. Paths are
 * interned as (parent path, function key) pairs (one lookup per path however deep), then laid out
 * callers first with siblings in key order (iteratively: a 100,000-deep recursion is 100,000 levels).
 */
function combineTrees(runs: readonly RunProfile[], functionKeys: readonly string[]) {
  const fnIndex = new Map(functionKeys.map((key, i) => [key, i]));
  const ids = new Map<string, number>();
  const parentOf: number[] = [];
  const fnOf: number[] = [];
  const perRun: Array<[number[], number[], number[]]> = [];
  runs.forEach((run, r) => {
    const tree = run.callTree!;
    const pathOf = new Int32Array(tree.parent.length);
    for (let i = 0; i < tree.parent.length; i++) {
      const key = run.functions[tree.fn[i]].key;
      const parent = tree.parent[i] < 0 ? -1 : pathOf[tree.parent[i]];
      const pathKey = `${parent}\u0001${key}`;
      let id = ids.get(pathKey);
      if (id === undefined) {
        id = parentOf.length;
        ids.set(pathKey, id);
        parentOf.push(parent);
        fnOf.push(fnIndex.get(key)!);
        perRun.push([new Array(runs.length).fill(0), new Array(runs.length).fill(0), new Array(runs.length).fill(0)]);
      }
      pathOf[i] = id;
      perRun[id][0][r] += tree.calls[i];
      perRun[id][1][r] += tree.selfNs[i];
      perRun[id][2][r] += tree.totalNs[i];
    }
  });
  const children: number[][] = parentOf.map(() => []);
  const roots: number[] = [];
  parentOf.forEach((parent, id) => (parent < 0 ? roots : children[parent]).push(id));
  const byKey = (a: number, b: number) => fnOf[a] - fnOf[b];
  const order: number[] = [];
  const stack = roots.sort(byKey).reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    order.push(id);
    const kids = children[id].sort(byKey);
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
  }
  const indexOf = new Int32Array(parentOf.length);
  order.forEach((id, index) => (indexOf[id] = index));
  const tree: ProfileCallTree = {
    parent: order.map((id) => (parentOf[id] < 0 ? -1 : indexOf[parentOf[id]])),
    fn: order.map((id) => fnOf[id]),
    calls: order.map((id) => median(perRun[id][0])),
    selfNs: order.map((id) => median(perRun[id][1])),
    totalNs: order.map((id) => median(perRun[id][2])),
  };
  return {
    tree,
    values: {
      calls: order.map((id) => perRun[id][0]),
      selfNs: order.map((id) => perRun[id][1]),
      totalNs: order.map((id) => perRun[id][2]),
    },
  };
}
